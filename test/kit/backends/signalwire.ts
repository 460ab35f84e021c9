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
        message_handler: null,
        country_code: body.number.startsWith('+1') ? 'US' : null,
      };
      this.numbers.set(number.id, number);
      return { status: 201, body: number };
    });
    this.on('GET', '/api/relay/rest/phone_numbers', (request) => {
      const filter = request.query.get('filter_number');
      const data = [...this.numbers.values()].filter((number) => !filter || String(number.number).includes(filter));
      return { status: 200, body: { links: { self: request.path, first: request.path, next: null }, data } };
    });
    this.on('GET', '/api/relay/rest/phone_numbers/:id', (_request, { id }) => {
      const number = this.numbers.get(id ?? '');
      return number ? { status: 200, body: number } : { status: 404, body: { error: 'Not Found' } };
    });
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

  protected invalidBody(problems: string[]): Reply {
    return { status: 422, body: { errors: problems.map((detail) => ({ detail, status: '422', title: 'Invalid Attribute', code: '422' })) } };
  }
}
