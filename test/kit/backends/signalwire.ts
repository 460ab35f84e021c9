import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FakeBackend, type Json, type Reply } from './fake-backend.js';

/**
 * SignalWire Relay REST phone numbers: Basic auth, the partner-API import (which can be switched
 * off per space), `{errors:[…]}` on 422 and `{error}` otherwise, and `toll-free` in responses.
 */
const validation = (detail: string): Reply => ({ status: 422, body: { errors: [{ detail, status: '422', title: 'Invalid Attribute', code: '422' }] } });

export class FakeSignalWire extends FakeBackend {
  readonly projectId = randomUUID();
  readonly apiToken = `PT${randomBytes(16).toString('hex')}`;
  /** The space's Signing Key (SignalWire space → API), which signs its webhooks. */
  readonly signingKey = `PSK_${randomBytes(16).toString('hex')}`;
  readonly numbers = new Map<string, Json>();
  partnerApiEnabled = true;
  /** Numbers SignalWire will not release now: the spec's 422 ValidationError for release_phone_number (the wording is not documented). */
  readonly inUse = new Set<string>();
  /** Every release that took effect, in order. */
  readonly deleted: string[] = [];

  constructor() {
    super('signalwire');
    this.on('POST', '/api/relay/rest/imported_phone_numbers', (request) => {
      if (!this.partnerApiEnabled) return { status: 404, body: { error: 'Not Found' } };
      const body = request.body as Json;
      if ([...this.numbers.values()].some((number) => number.number === body.number)) return validation('Number has already been taken');
      const at = new Date().toISOString();
      const number: Json = {
        id: randomUUID(),
        number: body.number,
        name: null,
        capabilities: body.capabilities ?? ['sms', 'voice', 'fax', 'mms'],
        number_type: body.number_type === 'tollfree' ? 'toll-free' : 'longcode',
        e911_address_id: null,
        created_at: at,
        updated_at: at,
        next_billed_at: null,
        call_handler: null,
        call_receive_mode: 'voice',
        call_request_url: null,
        call_request_method: 'POST',
        call_relay_script_url: null,
        call_relay_application: null,
        call_relay_topic: null,
        call_laml_application_id: null,
        message_handler: null,
        message_request_url: null,
        message_request_method: 'POST',
        message_relay_application: null,
        message_relay_topic: null,
        message_laml_application_id: null,
        country_code: body.number.startsWith('+1') ? 'US' : null,
      };
      this.numbers.set(number.id, number);
      return { status: 201, body: number };
    });
    this.on('GET', '/api/relay/rest/phone_numbers', (request) => this.list(request.query));
    this.on('GET', '/api/relay/rest/phone_numbers/:id', (_request, { id }) => {
      const number = this.numbers.get(id ?? '');
      return number ? { status: 200, body: number } : { status: 404, body: { error: 'Not Found' } };
    });
    // PUT /phone_numbers/{id} (UpdatePhoneNumberRequest: every field optional, no other field allowed; the
    // spec's unevaluatedProperties) sets the fields sent and answers the whole PhoneNumber (signalwire/docs
    // specs/signalwire-rest phone-numbers; the SDK's setCxmlWebhook sends call_handler with its companion field).
    this.on('PUT', '/api/relay/rest/phone_numbers/:id', (request, { id }) => {
      const number = this.numbers.get(id ?? '');
      if (!number) return { status: 404, body: { error: 'Not Found' } };
      Object.assign(number, request.body as Json, { updated_at: new Date().toISOString() });
      return { status: 200, body: number };
    });
    this.on('DELETE', '/api/relay/rest/phone_numbers/:id', (_request, { id }) => {
      if (!this.numbers.has(id ?? '')) return { status: 404, body: { error: 'Not Found' } };
      if (this.inUse.has(id ?? '')) return validation('Phone number is in use and cannot be released');
      this.numbers.delete(id ?? '');
      this.deleted.push(id ?? '');
      return { status: 204 };
    });
  }

  /**
   * An inbound text as SignalWire delivers it to a number with a LaML message handler: a form POST
   * to `message_request_url`, signed in `X-SignalWire-Signature` as signalwire/compatibility-api-js
   * `validateRequest` checks it (base64 HMAC-SHA1 with the Signing Key of the URL followed by each
   * parameter's name and value, names sorted). `signature: false` leaves it off; a string replaces it.
   */
  async sendText(
    numberId: string,
    text: { From: string; Body: string; MessageSid?: string; NumMedia?: string },
    options: { signature?: false | string; key?: string } = {},
  ): Promise<Response> {
    const number = this.numbers.get(numberId);
    const url = number?.message_request_url;
    if (number?.message_handler !== 'laml_webhooks' || !url) throw new Error(`SignalWire number ${numberId} has no LaML message webhook`);
    const fields: Record<string, string> = {
      MessageSid: text.MessageSid ?? randomUUID(),
      AccountSid: this.projectId,
      From: text.From,
      To: number.number,
      Body: text.Body,
      NumMedia: text.NumMedia ?? '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const data = Object.keys(fields)
      .sort()
      .reduce((signed, name) => signed + name + fields[name], url);
    const signature = createHmac('sha1', options.key ?? this.signingKey)
      .update(data)
      .digest('base64');
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (options.signature !== false) headers['x-signalwire-signature'] = options.signature ?? signature;
    return fetch(url, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  }

  protected authorized(headers: IncomingHttpHeaders): boolean {
    return headers.authorization === `Basic ${Buffer.from(`${this.projectId}:${this.apiToken}`).toString('base64')}`;
  }

  protected unauthorized(): Reply {
    return { status: 401, body: { error: 'Unauthorized' } };
  }

  /** A query the spec does not declare, or a `page_size` outside 1–1,000, is the spec's 400. */
  protected override readonly validatesQuery = true;

  /** `count` more numbers, each imported after the last (as the import would, without its rules). */
  addNumbers(count: number, make: (index: number) => Json): Json[] {
    const made = Array.from({ length: count }, (_, index) => {
      const at = new Date(Date.UTC(2026, 0, 1) + (this.numbers.size + index) * 1_000).toISOString();
      return { id: randomUUID(), name: null, capabilities: ['sms', 'voice'], number_type: 'longcode', created_at: at, updated_at: at, ...make(index) };
    });
    for (const number of made) this.numbers.set(String(number.id), number);
    return made;
  }

  /**
   * list_phone_numbers (ListPhoneNumbersQuery, PhoneNumberListResponse, PaginationLinks in the
   * SignalWire REST spec): newest first, `filter_name`/`filter_number` substrings, `page_size`
   * 1–1,000 (50 when not given), `page_number` from 0, and `page_token` "required when
   * page_number > 0". `links.next` is present only when there are more results; it carries the
   * next `page_number`, the `page_size` and a `page_token` (`PA…`, as SignalWire's own links do).
   * This fake's token names the last number of the page before it: the next page starts after it.
   */
  private list(query: URLSearchParams): Reply {
    const [name, number] = [query.get('filter_name'), query.get('filter_number')];
    const all = [...this.numbers.values()]
      .reverse()
      .filter((item) => (!name || String(item.name ?? '').includes(name)) && (!number || String(item.number).includes(number)));
    const size = Number(query.get('page_size') ?? 50);
    const pageNumber = Number(query.get('page_number') ?? 0);
    const token = query.get('page_token');
    if (pageNumber > 0 && !token) return { status: 400, body: { error: 'Bad Request' } };
    const start = token ? all.findIndex((item) => `PA${item.id}` === token) + 1 : 0;
    if (token && start === 0) return { status: 400, body: { error: 'Bad Request' } };
    const data = all.slice(start, start + size);
    const link = (params: Record<string, string | number>) => {
      const search = new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]));
      for (const key of ['filter_name', 'filter_number']) if (query.get(key)) search.set(key, String(query.get(key)));
      return `/api/relay/rest/phone_numbers?${search}`;
    };
    const last = data.at(-1);
    const links: Json = { self: link({ page_number: pageNumber, page_size: size, ...(token ? { page_token: token } : {}) }), first: link({ page_size: size }) };
    if (last && start + size < all.length) links.next = link({ page_number: pageNumber + 1, page_size: size, page_token: `PA${last.id}` });
    return { status: 200, body: { links, data } };
  }

  /** The spec's 400 for list_phone_numbers: `{error: "Bad Request"}`. */
  protected override invalidQuery(): Reply {
    return { status: 400, body: { error: 'Bad Request' } };
  }

  protected invalidBody(problems: string[]): Reply {
    return { status: 422, body: { errors: problems.map((detail) => ({ detail, status: '422', title: 'Invalid Attribute', code: '422' })) } };
  }
}
