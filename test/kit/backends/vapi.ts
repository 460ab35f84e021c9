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

/** Apart by a second each, oldest first: what `createdAt` the fake's seeded records carry. */
const createdAtOf = (index: number): string => new Date(Date.UTC(2026, 0, 1) + index * 1_000).toISOString();

type Named = { id: string; name: string; createdAt: string };
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
  /** In the order they were made: the lists answer newest (last) first. */
  readonly numbers = new Map<string, Json>();
  /** In the order they were made (each `createdAt` later than the one before). */
  readonly assistants: Named[] = [
    { id: randomUUID(), name: 'Front desk', createdAt: createdAtOf(0) },
    { id: randomUUID(), name: 'After-hours support', createdAt: createdAtOf(1) },
    { id: randomUUID(), name: 'Billing helper', createdAt: createdAtOf(2) },
  ];
  readonly squads: Named[] = [{ id: randomUUID(), name: 'Tier 1 squad', createdAt: createdAtOf(0) }];
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

  /** `count` more assistants (or squads), each made after the last, named `name(index)`. */
  addNamed(list: Named[], count: number, name: (index: number) => string): Named[] {
    const made = Array.from({ length: count }, (_, index) => ({ id: randomUUID(), name: name(index), createdAt: createdAtOf(list.length + index) }));
    list.push(...made);
    return made;
  }

  /** `count` more numbers, each made after the last (as Vapi's create would, without its rules). */
  addNumbers(count: number, make: (index: number) => Json): Json[] {
    const base = this.numbers.size;
    const made = Array.from({ length: count }, (_, index) => ({
      id: randomUUID(),
      orgId: 'org',
      provider: 'vapi',
      status: 'active',
      createdAt: createdAtOf(base + index),
      updatedAt: createdAtOf(base + index),
      ...make(index),
    }));
    for (const number of made) this.numbers.set(number.id, number);
    return made;
  }

  constructor() {
    super('vapi');
    this.on('POST', '/phone-number', (request) => this.create(request.body as Json));
    this.on('GET', '/phone-number', (request) => ({
      status: 200,
      body: listed([...this.numbers.values()].reverse(), request.query).slice(0, limitOf(request.query)),
    }));
    this.on('GET', '/v2/phone-number', (request) => {
      const search = (request.query.get('search') ?? '').toLowerCase();
      const matching = listed([...this.numbers.values()].reverse(), request.query).filter((number) =>
        [number.name, number.number, number.sipUri].some((field) => typeof field === 'string' && field.toLowerCase().includes(search)),
      );
      const ordered = request.query.get('sortOrder') === 'ASC' ? matching.reverse() : matching;
      return { status: 200, body: paginated(ordered, request.query) };
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
    // POST /credential (docs.vapi.ai/api-reference/credentials/create): the body is validated against CreateWebhookCredentialDTO.
    this.on('POST', '/credential', (request) => {
      const at = new Date().toISOString();
      const credential: Json = { id: randomUUID(), orgId: 'org', createdAt: at, updatedAt: at, ...(request.body as Json) };
      this.credentials.set(credential.id, credential);
      const { authenticationPlan, ...shown } = credential;
      // Secrets are not returned in the API.
      return { status: 201, body: { ...shown, authenticationPlan: { type: authenticationPlan.type } } };
    });
    this.on('GET', '/assistant', (request) => ({
      status: 200,
      body: listed([...this.assistants].reverse(), request.query)
        .slice(0, limitOf(request.query))
        .map((assistant) => ({ ...assistant, orgId: 'org', updatedAt: assistant.createdAt })),
    }));
    this.on('GET', '/squad', (request) => ({
      status: 200,
      body: listed([...this.squads].reverse(), request.query)
        .slice(0, limitOf(request.query))
        .map((squad) => ({ ...squad, members: [], orgId: 'org', updatedAt: squad.createdAt })),
    }));
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

  /** NestJS validates the query as it does the body: a `limit` above 1,000 or a `page` below 1 is a 400. */
  protected override readonly validatesQuery = true;
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
    // A server authenticated by a credential names one the account has (POST /credential).
    if (changes.server?.credentialId && !this.credentials.has(changes.server.credentialId)) return error(400, 'Credential not found');
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

/**
 * Vapi's lists (GET /phone-number, /v2/phone-number, /assistant, /squad in its OpenAPI document):
 * `limit` 0–1,000, 100 when not given; the `createdAt`/`updatedAt` bounds (`createdAtLt`, `…Gt`,
 * `…Le`, `…Ge`) filter. `items` come newest first (the v2 list's documented default, `sortOrder`
 * DESC by `createdAt`; the order of the bare-array lists is not documented and is taken to be the same).
 */
function listed<T extends { createdAt?: unknown; updatedAt?: unknown }>(items: T[], query: URLSearchParams): T[] {
  const bounds: [string, 'createdAt' | 'updatedAt', (a: string, b: string) => boolean][] = [];
  for (const field of ['createdAt', 'updatedAt'] as const) {
    bounds.push(
      [`${field}Lt`, field, (a, b) => a < b],
      [`${field}Gt`, field, (a, b) => a > b],
      [`${field}Le`, field, (a, b) => a <= b],
      [`${field}Ge`, field, (a, b) => a >= b],
    );
  }
  return items.filter((item) =>
    bounds.every(([name, field, holds]) => {
      const bound = query.get(name);
      return bound === null || holds(new Date(String(item[field] ?? 0)).toISOString(), new Date(bound).toISOString());
    }),
  );
}

function limitOf(query: URLSearchParams): number {
  return Number(query.get('limit') ?? 100);
}

/**
 * PhoneNumberPaginatedResponse: `results` of page `page` (from 1) with `limit` a page, and
 * PaginationMeta (`itemsPerPage`, `totalItems`, `currentPage`, and the optional `totalPages`,
 * `hasNextPage`, `sortOrder`). A page past the last is empty.
 */
function paginated(items: Json[], query: URLSearchParams): Json {
  const limit = limitOf(query);
  const page = Number(query.get('page') ?? 1);
  const results = limit === 0 ? [] : items.slice((page - 1) * limit, page * limit);
  const totalPages = limit === 0 ? 0 : Math.ceil(items.length / limit);
  return {
    results,
    metadata: {
      itemsPerPage: limit,
      totalItems: items.length,
      currentPage: page,
      totalPages,
      hasNextPage: page < totalPages,
      sortOrder: query.get('sortOrder') ?? 'DESC',
    },
  };
}
