import { type CallOptions, createHttpClient, type HttpClient, pickerTiming } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { type Paged, type PageWalk, readPages } from '../paging.js';
import { describeNestError } from '../vendor-errors.js';
import {
  type CreateBearerCredentialBody,
  type CreateVapiPhoneNumberBody,
  namedListSchema,
  type UpdateVapiPhoneNumberBody,
  type VapiNamed,
  type VapiPhoneNumber,
  type VapiServer,
  vapiCredentialSchema,
  vapiPhoneNumberPageSchema,
  vapiPhoneNumberSchema,
} from './schemas.js';

/** Vapi's own default page size; its lists take up to 1,000 (`limit`). */
export const vapiPageSize = 100;

/** How an assistant or squad picker searches: enough matches for Slack's 100 options, within the picker's time. */
export interface NamedSearch {
  wanted?: number;
  budgetMs?: number;
  maxPages?: number;
}

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

  /**
   * The account's numbers, newest first, page by page through `GET /v2/phone-number` (`page` from 1,
   * `limit`): a page follows while Vapi's metadata says there is one (`hasNextPage`, else
   * `currentPage < totalPages`, else a full page).
   */
  listPhoneNumbers(walk: PageWalk<VapiPhoneNumber> = { maxPages: 10 }): Promise<Paged<VapiPhoneNumber>> {
    return readPages(
      1,
      async (page: number) => {
        const answer = await this.http.request({
          operation: 'phoneNumbers.list',
          method: 'GET',
          path: '/v2/phone-number',
          query: { page, limit: vapiPageSize },
          response: vapiPhoneNumberPageSchema,
        });
        const meta = answer.metadata;
        const more = meta?.hasNextPage ?? (meta?.totalPages != null ? (meta.currentPage ?? page) < meta.totalPages : answer.results.length >= vapiPageSize);
        return { items: answer.results, next: more ? page + 1 : undefined, total: meta?.totalItems ?? undefined };
      },
      walk,
    );
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

  /** Assistants whose name or id contains `text` (any case), newest first. */
  findAssistants(text: string, search: NamedSearch = {}): Promise<Paged<VapiNamed>> {
    return this.findNamed('assistants', text, search);
  }

  /** Squads whose name or id contains `text` (any case), newest first. */
  findSquads(text: string, search: NamedSearch = {}): Promise<Paged<VapiNamed>> {
    return this.findNamed('squads', text, search);
  }

  /**
   * `GET /assistant` and `GET /squad` take no search and no page: only `limit` and the `createdAt`
   * bounds. Each next page asks for those created before the oldest one read (`createdAtLt`),
   * until `wanted` match, a page comes back short, or the picker's time (`budgetMs`) is spent.
   */
  private async findNamed(
    kind: 'assistants' | 'squads',
    text: string,
    { wanted = 100, budgetMs = 1_500, maxPages = 10 }: NamedSearch,
  ): Promise<Paged<VapiNamed>> {
    const needle = text.trim().toLowerCase();
    const matches = (item: VapiNamed) => !needle || `${item.name ?? ''} ${item.id}`.toLowerCase().includes(needle);
    const deadline = Date.now() + budgetMs;
    const read = await readPages(
      '',
      async (before: string) => {
        const page = await this.http.request({
          operation: `${kind}.list`,
          method: 'GET',
          path: kind === 'assistants' ? '/assistant' : '/squad',
          query: { limit: vapiPageSize, createdAtLt: before || undefined },
          response: namedListSchema,
          ...pickerTiming,
          timeoutMs: Math.max(Math.min(pickerTiming.timeoutMs, deadline - Date.now()), 200),
        });
        const oldest = page.map((item) => item.createdAt ?? '').reduce((a, b) => (b && (!a || b < a) ? b : a), '');
        return { items: page, next: page.length >= vapiPageSize && oldest ? oldest : undefined };
      },
      { maxPages, enough: (items) => Date.now() >= deadline || items.filter(matches).length >= wanted },
    );
    return { ...read, items: read.items.filter(matches).slice(0, wanted) };
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
