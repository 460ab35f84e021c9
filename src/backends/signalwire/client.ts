import { type CallOptions, createHttpClient, type HttpClient, type VendorErrorDescription } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { type Paged, type PageWalk, readPages } from '../paging.js';
import { type ImportNumberBody, type SignalWireHandlerBody, type SignalWireNumber, signalWireNumberPageSchema, signalWireNumberSchema } from './schemas.js';

/** Relay REST errors: `{errors:[{detail,status,title,code}]}` (422) or `{error}` (401/404/500). */
export function describeSignalWireError(status: number, body: unknown): VendorErrorDescription {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (Array.isArray(record.errors)) {
      const details = record.errors
        .map((item) => (item && typeof item === 'object' ? ((item as Record<string, unknown>).detail ?? (item as Record<string, unknown>).title) : item))
        .filter((detail): detail is string => typeof detail === 'string');
      const first = record.errors[0] as Record<string, unknown> | undefined;
      return { message: details.join('; ') || undefined, code: typeof first?.code === 'string' ? first.code : undefined };
    }
    if (typeof record.error === 'string') return { message: record.error };
    if (typeof record.message === 'string') return { message: record.message };
  }
  if (typeof body === 'string' && body.trim()) return { message: body.slice(0, 300) };
  return { message: status === 404 ? 'Not Found' : undefined };
}

const relay = '/api/relay/rest';
const numbersPath = `${relay}/phone_numbers`;

/** Numbers per page asked of SignalWire (it takes 1–1,000; 50 when not asked). */
export const signalWirePageSize = 100;

type PageQuery = Record<string, string | number | undefined>;

/**
 * The query of `links.next` (`page_number`, `page_size`, `page_token` and the filters): only ever
 * sent to the numbers list itself, whatever host or path the link names.
 */
function nextPageQuery(next: string | null | undefined, spaceUrl: string): PageQuery | undefined {
  if (!next) return undefined;
  let url: URL;
  try {
    url = new URL(next, spaceUrl);
  } catch {
    return undefined;
  }
  if (!url.pathname.endsWith(numbersPath)) return undefined;
  return Object.fromEntries(url.searchParams);
}

/** SignalWire Relay REST phone numbers (HTTP Basic `project:token`). */
export class SignalWireClient {
  private readonly http: HttpClient;
  readonly spaceUrl: string;

  constructor(options: { spaceUrl: string; projectId: string; apiToken: string; timeoutMs: number; logger: Logger; metrics?: Metrics }) {
    this.spaceUrl = options.spaceUrl;
    const basic = Buffer.from(`${options.projectId}:${options.apiToken}`).toString('base64');
    this.http = createHttpClient({
      backend: 'signalwire',
      baseUrl: options.spaceUrl,
      headers: () => ({ authorization: `Basic ${basic}` }),
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      metrics: options.metrics,
      describeError: describeSignalWireError,
    });
  }

  /** Imports a number hosted elsewhere. Retried only when it certainly did not arrive; callers check by number before retrying. */
  importNumber(body: ImportNumberBody, options: { deadlineMs?: number } = {}): Promise<SignalWireNumber> {
    return this.http.request({
      operation: 'importedPhoneNumbers.create',
      method: 'POST',
      path: `${relay}/imported_phone_numbers`,
      body,
      response: signalWireNumberSchema,
      retry: 'unsent',
      ...options,
    });
  }

  /** PUT is a full-field update of what is sent: here only the name. */
  renameNumber(id: string, name: string): Promise<SignalWireNumber> {
    return this.http.request({
      operation: 'phoneNumbers.update',
      method: 'PUT',
      path: `${relay}/phone_numbers/{id}`,
      params: { id },
      body: { name },
      response: signalWireNumberSchema,
      retry: 'safe',
    });
  }

  getNumber(id: string): Promise<SignalWireNumber> {
    return this.http.request({
      operation: 'phoneNumbers.get',
      method: 'GET',
      path: `${relay}/phone_numbers/{id}`,
      params: { id },
      response: signalWireNumberSchema,
    });
  }

  /** Texts to the number go to `url` as LaML webhooks (POST); a full-field PUT of these fields only. */
  setMessageWebhook(id: string, url: string, options: CallOptions = {}): Promise<SignalWireNumber> {
    return this.http.request({
      operation: 'phoneNumbers.update',
      method: 'PUT',
      path: `${relay}/phone_numbers/{id}`,
      params: { id },
      body: { message_handler: 'laml_webhooks', message_request_url: url, message_request_method: 'POST' },
      response: signalWireNumberSchema,
      retry: 'safe',
      ...options,
    });
  }

  /** Changes what answers calls or texts: PUT sets the fields sent and leaves the others, so sending it again is harmless. */
  updateHandlers(id: string, body: SignalWireHandlerBody, options: CallOptions = {}): Promise<SignalWireNumber> {
    return this.http.request({
      operation: 'phoneNumbers.update',
      method: 'PUT',
      path: `${relay}/phone_numbers/{id}`,
      params: { id },
      body,
      response: signalWireNumberSchema,
      ...options,
      retry: options.retry ?? 'safe',
    });
  }

  /** The number itself among those containing it (`filter_number` is a substring match). */
  async findByNumber(number: string): Promise<SignalWireNumber | undefined> {
    const found = (items: readonly SignalWireNumber[]) => items.some((item) => item.number === number);
    const { items } = await this.listNumbers({ maxPages: 5, enough: found }, number);
    return items.find((item) => item.number === number);
  }

  /** The space's numbers, newest first, page by page: each next page is the one `links.next` names, until there is none. */
  listNumbers(walk: PageWalk<SignalWireNumber> = { maxPages: 10 }, filterNumber?: string): Promise<Paged<SignalWireNumber>> {
    const first: PageQuery = { filter_number: filterNumber, page_size: signalWirePageSize };
    return readPages(
      first,
      async (query: PageQuery) => {
        const page = await this.http.request({ operation: 'phoneNumbers.list', method: 'GET', path: numbersPath, query, response: signalWireNumberPageSchema });
        return { items: page.data, next: nextPageQuery(page.links?.next, this.spaceUrl) };
      },
      walk,
    );
  }

  /** Releases a number from the space (an imported one included). A DELETE is safe to resend. */
  deleteNumber(id: string, options: CallOptions = {}): Promise<void> {
    return this.http.request({
      operation: 'phoneNumbers.delete',
      method: 'DELETE',
      path: `${relay}/phone_numbers/{id}`,
      params: { id },
      ...options,
    });
  }
}
