import { type CallOptions, createHttpClient, type HttpClient, pickerTiming } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { describeNestError } from '../vendor-errors.js';
import {
  type CreateVapiPhoneNumberBody,
  namedListSchema,
  type UpdateVapiPhoneNumberBody,
  type VapiNamed,
  type VapiPhoneNumber,
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

  /** A change in place: only the fields that change. Not retried once it may have arrived: the caller reads the number back first. */
  updatePhoneNumber(id: string, body: UpdateVapiPhoneNumberBody, options: CallOptions = {}): Promise<VapiPhoneNumber> {
    return this.http.request({
      operation: 'phoneNumbers.update',
      method: 'PATCH',
      path: `/phone-number/{id}`,
      params: { id },
      body,
      response: vapiPhoneNumberSchema,
      ...options,
      retry: options.retry ?? 'unsent',
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
}
