import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FakeBackend, type Json, type RecordedRequest, type Reply } from './fake-backend.js';

/**
 * Vapi's phone-number API as the server behaves: NestJS validation (unknown properties rejected
 * with a message array), free US numbers that start `activating` (at most 5 per account: VapiAI/docs phone-calling, changed 2026-08), SIP URIs on the
 * region's SIP host.
 */
const error = (status: number, message: string | string[], label = 'Bad Request'): Reply => ({ status, body: { message, error: label, statusCode: status } });

const knownProperties = new Set([
  'provider',
  'numberDesiredAreaCode',
  'sipUri',
  'authentication',
  'name',
  'assistantId',
  'workflowId',
  'squadId',
  'server',
  'fallbackDestination',
  'hooks',
]);

/**
 * UpdateVapiPhoneNumberDTO's properties (the spec's PATCH /phone-number/{id} body, tagged with
 * `provider` as the SDK's `UpdatePhoneNumbersRequestBody` sends it; docs.vapi.ai/phone-numbers/phone-number-hooks
 * PATCHes `hooks` this way). `numberDesiredAreaCode` is a create-only field.
 */
const updatableProperties = new Set([
  'provider',
  'fallbackDestination',
  'hooks',
  'name',
  'assistantId',
  'workflowId',
  'squadId',
  'server',
  'sipUri',
  'authentication',
]);

/**
 * The answerers a PATCH may clear with `null`: Vapi's DTOs mark them `@IsOptional()` (class-validator
 * skips every rule for null), and docs.vapi.ai/advanced/calls/sip clears `assistantId` with `null`.
 */
const clearable = ['assistantId', 'squadId', 'workflowId'];

export class FakeVapi extends FakeBackend {
  readonly apiKey = randomUUID();
  readonly numbers = new Map<string, Json>();
  readonly assistants = [
    { id: randomUUID(), name: 'Front desk' },
    { id: randomUUID(), name: 'After-hours support' },
    { id: randomUUID(), name: 'Billing helper' },
  ];
  readonly squads = [{ id: randomUUID(), name: 'Tier 1 squad' }];
  sipHost = 'sip.vapi.ai';
  freeNumberLimit = 5;
  /**
   * Numbers Vapi will not delete now. Vapi's spec declares only the 200 of DELETE /phone-number/{id}
   * and no refusal is documented, so the refusal takes Vapi's usual NestJS 400 shape.
   */
  readonly inUse = new Set<string>();
  /** Every delete that took effect, in order. */
  readonly deleted: string[] = [];

  /** A free number finishes activating (or is blocked), as Vapi does a few minutes after the create. */
  settle(id: string, status: 'active' | 'blocked'): void {
    const number = this.numbers.get(id);
    if (!number) throw new Error(`No Vapi number ${id}`);
    Object.assign(number, { status, updatedAt: new Date().toISOString() });
  }

  constructor() {
    super('vapi');
    this.on('POST', '/phone-number', (request) => this.create(request.body as Json));
    this.on('GET', '/phone-number', () => ({ status: 200, body: [...this.numbers.values()].reverse() }));
    this.on('GET', '/v2/phone-number', (request) => {
      const search = (request.query.get('search') ?? '').toLowerCase();
      const results = [...this.numbers.values()].filter((number) =>
        [number.name, number.number, number.sipUri].some((field) => typeof field === 'string' && field.toLowerCase().includes(search)),
      );
      return { status: 200, body: { results, metadata: { itemsPerPage: 100, totalItems: results.length, currentPage: 1 } } };
    });
    this.on('GET', '/phone-number/:id', (_request, { id }) => {
      const number = this.numbers.get(id ?? '');
      return number ? { status: 200, body: number } : error(404, 'Phone number not found', 'Not Found');
    });
    this.on('PATCH', '/phone-number/:id', (request, { id }) => this.update(id ?? '', request.body as Json));
    this.on('DELETE', '/phone-number/:id', (_request, { id }) => {
      const number = this.numbers.get(id ?? '');
      if (!number) return error(404, 'Phone number not found', 'Not Found');
      if (this.inUse.has(id ?? '')) return error(400, 'Phone number is in use by an active call and cannot be deleted');
      this.numbers.delete(id ?? '');
      this.deleted.push(id ?? '');
      return { status: 200, body: number };
    });
    this.on('GET', '/assistant', () => ({
      status: 200,
      body: this.assistants.map((assistant) => ({ ...assistant, orgId: 'org', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() })),
    }));
    this.on('GET', '/squad', () => ({ status: 200, body: this.squads.map((squad) => ({ ...squad, members: [], orgId: 'org' })) }));
  }

  protected authorized(headers: IncomingHttpHeaders): boolean {
    return headers.authorization === `Bearer ${this.apiKey}`;
  }

  protected unauthorized(): Reply {
    return error(401, 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.', 'Unauthorized');
  }

  protected invalidBody(problems: string[]): Reply {
    return error(400, problems);
  }

  protected override bodyForSchema(request: RecordedRequest): unknown {
    if (request.method !== 'PATCH' || !request.body || typeof request.body !== 'object') return request.body;
    return Object.fromEntries(Object.entries(request.body as Json).filter(([key, value]) => !(value === null && clearable.includes(key))));
  }

  /** NestJS whitelist validation: properties not in the DTO are refused. */
  protected override serverRules(request: RecordedRequest): string[] {
    if (request.method === 'PATCH' && request.path.startsWith('/phone-number/')) {
      return Object.keys((request.body ?? {}) as Json)
        .filter((key) => !updatableProperties.has(key))
        .map((key) => `property ${key} should not exist`);
    }
    if (request.method !== 'POST' || request.path !== '/phone-number') return [];
    const body = (request.body ?? {}) as Json;
    const problems = Object.keys(body)
      .filter((key) => !knownProperties.has(key))
      .map((key) => `property ${key} should not exist`);
    if (typeof body.sipUri === 'string' && !new RegExp(`^sip:[^@\\s]+@${this.sipHost.replace(/\./g, '\\.')}$`, 'i').test(body.sipUri)) {
      problems.push(`sipUri must be in the format sip:username@${this.sipHost}`);
    }
    return problems;
  }

  /** PATCH sets the fields sent (null clears an answerer) and answers the whole number; `provider` only picks the DTO. */
  private update(id: string, body: Json): Reply {
    const number = this.numbers.get(id);
    if (!number) return error(404, 'Phone number not found', 'Not Found');
    const { provider: _provider, ...changes } = body;
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete number[key];
      else number[key] = value;
    }
    if (number.authentication) number.authentication = { ...number.authentication, password: undefined };
    number.updatedAt = new Date().toISOString();
    return { status: 200, body: number };
  }

  private create(body: Json): Reply {
    if (body.numberDesiredAreaCode) {
      const free = [...this.numbers.values()].filter((number) => number.numberDesiredAreaCode);
      if (free.length >= this.freeNumberLimit) return error(400, `You can only have ${this.freeNumberLimit} free numbers. Delete one or import your own.`);
    }
    if (body.sipUri && [...this.numbers.values()].some((number) => String(number.sipUri).toLowerCase() === String(body.sipUri).toLowerCase())) {
      return error(400, 'sipUri is already in use by another phone number');
    }
    const at = new Date().toISOString();
    const number: Json = {
      id: randomUUID(),
      orgId: 'org',
      createdAt: at,
      updatedAt: at,
      ...body,
      ...(body.numberDesiredAreaCode
        ? { number: `+1${body.numberDesiredAreaCode}555${String(randomBytes(2).readUInt16BE()).padStart(4, '0').slice(0, 4)}`, status: 'activating' }
        : { status: 'active' }),
    };
    if (number.authentication) number.authentication = { ...number.authentication, password: undefined };
    this.numbers.set(number.id, number);
    return { status: 201, body: number };
  }
}
