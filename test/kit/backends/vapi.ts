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

export class FakeVapi extends FakeBackend {
  readonly apiKey = randomUUID();
  readonly numbers = new Map<string, Json>();
  readonly assistants = [
    { id: randomUUID(), name: 'Front desk' },
    { id: randomUUID(), name: 'After-hours support' },
    { id: randomUUID(), name: 'Billing helper' },
  ];
  readonly squads = [{ id: randomUUID(), name: 'Tier 1 squad' }];
  /** Custom credentials (POST /credential), with their authentication plans. */
  readonly credentials = new Map<string, Json>();
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
    this.on('DELETE', '/phone-number/:id', (_request, { id }) => {
      const number = this.numbers.get(id ?? '');
      if (!number) return error(404, 'Phone number not found', 'Not Found');
      if (this.inUse.has(id ?? '')) return error(400, 'Phone number is in use by an active call and cannot be deleted');
      this.numbers.delete(id ?? '');
      this.deleted.push(id ?? '');
      return { status: 200, body: number };
    });
    // POST /credential (docs.vapi.ai/api-reference/credentials/create): the body is validated against CreateWebhookCredentialDTO.
    this.on('POST', '/credential', (request) => {
      const at = new Date().toISOString();
      const credential: Json = { id: randomUUID(), orgId: 'org', createdAt: at, updatedAt: at, ...(request.body as Json) };
      this.credentials.set(credential.id, credential);
      const { authenticationPlan, ...shown } = credential;
      // Secrets are not returned in the API.
      return { status: 201, body: { ...shown, authenticationPlan: { type: authenticationPlan.type } } };
    });
    // PATCH changes only the fields sent (UpdateVapiPhoneNumberDTO); the tag `provider` is the oneOf's, not a field.
    this.on('PATCH', '/phone-number/:id', (request, { id }) => {
      const number = this.numbers.get(id ?? '');
      if (!number) return error(404, 'Phone number not found', 'Not Found');
      const { provider: _provider, ...fields } = request.body as Json;
      if (fields.server?.credentialId && !this.credentials.has(fields.server.credentialId)) return error(400, 'Credential not found');
      Object.assign(number, fields, { updatedAt: new Date().toISOString() });
      return { status: 200, body: number };
    });
    this.on('GET', '/assistant', () => ({
      status: 200,
      body: this.assistants.map((assistant) => ({ ...assistant, orgId: 'org', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() })),
    }));
    this.on('GET', '/squad', () => ({ status: 200, body: this.squads.map((squad) => ({ ...squad, members: [], orgId: 'org' })) }));
  }

  /**
   * Sends a server message for a number as Vapi does: to the number's `server.url`, authenticated
   * by its credential. A bearer plan sends the token in `headerName` (default Authorization) with
   * the `Bearer ` prefix unless `bearerPrefixEnabled` is false (BearerAuthenticationPlan in Vapi's
   * OpenAPI; docs.vapi.ai "Server authentication"). `sign: false` sends it without; a string
   * sends that token instead.
   */
  async sendServerMessage(numberId: string, message: Json, options: { sign?: boolean | string } = {}): Promise<Response> {
    const number = this.numbers.get(numberId);
    const url = number?.server?.url;
    if (!url) throw new Error(`Vapi number ${numberId} has no server URL`);
    const plan = this.credentials.get(number.server.credentialId ?? '')?.authenticationPlan as Json | undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = typeof options.sign === 'string' ? options.sign : plan?.type === 'bearer' ? String(plan.token) : undefined;
    if (options.sign !== false && token) {
      headers[String(plan?.headerName ?? 'authorization').toLowerCase()] = plan?.bearerPrefixEnabled === false ? token : `Bearer ${token}`;
    }
    return fetch(url, { method: 'POST', headers, body: JSON.stringify({ message: { phoneNumber: { id: numberId, number: number.number }, ...message } }) });
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

  /** NestJS whitelist validation: properties not in the DTO are refused. */
  protected override serverRules(request: RecordedRequest): string[] {
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
