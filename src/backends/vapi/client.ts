import { type CallOptions, createHttpClient, type HttpClient, pickerTiming } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { describeNestError } from '../vendor-errors.js';
import {
  type CreateBearerCredentialBody,
  type CreateVapiPhoneNumberBody,
  namedListSchema,
  type VapiNamed,
  type VapiPhoneNumber,
  type VapiServer,
  vapiCredentialSchema,
  vapiPhoneNumberListSchema,
  vapiPhoneNumberPageSchema,
  vapiPhoneNumberSchema,
} from './schemas.js';

/** Vapi phone numbers, assistants and squads (`Authorization: Bearer …`). */
export class VapiClient {
  private readonly http: HttpClient;
  readonly apiUrl: string;

  constructor(options: { apiUrl: string; apiKey: string; timeoutMs: number; logger: Logger; metrics?: Metrics }) {
    this.apiUrl = options.apiUrl;
    this.http = createHttpClient({
      backend: 'vapi',
      baseUrl: options.apiUrl,
      headers: () => ({ authorization: `Bearer ${options.apiKey}` }),
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      metrics: options.metrics,
      describeError: describeNestError,
    });
  }

  /** The SIP host that goes with this API region. */
  get sipHost(): string {
    return /\beu\./.test(new URL(this.apiUrl).hostname) ? 'sip.eu.vapi.ai' : 'sip.vapi.ai';
  }

  /** Vapi takes no idempotency key: a create is retried only when it certainly did not arrive (`unsent`). */
  createPhoneNumber(body: CreateVapiPhoneNumberBody, options: CallOptions = {}): Promise<VapiPhoneNumber> {
    return this.http.request({
      operation: 'phoneNumbers.create',
      method: 'POST',
      path: '/phone-number',
      body,
      response: vapiPhoneNumberSchema,
      ...options,
      retry: options.retry ?? 'unsent',
    });
  }

  listPhoneNumbers(limit = 100): Promise<VapiPhoneNumber[]> {
    return this.http.request({ operation: 'phoneNumbers.list', method: 'GET', path: '/phone-number', query: { limit }, response: vapiPhoneNumberListSchema });
  }

  /** Partial, case-insensitive match on name, number or SIP URI. */
  async searchPhoneNumbers(search: string): Promise<VapiPhoneNumber[]> {
    const page = await this.http.request({
      operation: 'phoneNumbers.search',
      method: 'GET',
      path: '/v2/phone-number',
      query: { search: search.slice(0, 100) },
      response: vapiPhoneNumberPageSchema,
    });
    return page.results;
  }

  getPhoneNumber(id: string): Promise<VapiPhoneNumber> {
    return this.http.request({
      operation: 'phoneNumbers.get',
      method: 'GET',
      path: `/phone-number/{id}`,
      params: { id },
      response: vapiPhoneNumberSchema,
    });
  }

  /** Vapi answers 200 with the deleted number; a DELETE is safe to resend. */
  deletePhoneNumber(id: string, options: CallOptions = {}): Promise<void> {
    return this.http.request({ operation: 'phoneNumbers.delete', method: 'DELETE', path: `/phone-number/{id}`, params: { id }, ...options });
  }

  listAssistants(limit = 100): Promise<VapiNamed[]> {
    return this.http.request({ operation: 'assistants.list', method: 'GET', path: '/assistant', query: { limit }, response: namedListSchema, ...pickerTiming });
  }

  listSquads(limit = 100): Promise<VapiNamed[]> {
    return this.http.request({ operation: 'squads.list', method: 'GET', path: '/squad', query: { limit }, response: namedListSchema, ...pickerTiming });
  }

  /** A credential Vapi authenticates webhooks with. Not idempotent: retried only when it certainly did not arrive. */
  createCredential(body: CreateBearerCredentialBody, options: CallOptions = {}): Promise<{ id: string }> {
    return this.http.request({
      operation: 'credentials.create',
      method: 'POST',
      path: '/credential',
      body,
      response: vapiCredentialSchema,
      ...options,
      retry: 'unsent',
    });
  }

  /** Points the number's webhooks at `server`; a PATCH changes only what it names, so whoever answers calls stays. */
  setServer(id: string, server: VapiServer, options: CallOptions = {}): Promise<VapiPhoneNumber> {
    return this.http.request({
      operation: 'phoneNumbers.update',
      method: 'PATCH',
      path: `/phone-number/{id}`,
      params: { id },
      // The update body is a oneOf by provider: the SDK sends the tag with the fields (UpdatePhoneNumbersRequestBody).
      body: { provider: 'vapi', server },
      response: vapiPhoneNumberSchema,
      ...options,
      retry: 'safe',
    });
  }
}
