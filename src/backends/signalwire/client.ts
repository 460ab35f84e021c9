import { type CallOptions, createHttpClient, type HttpClient, type VendorErrorDescription } from '../../http/client.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { type ImportNumberBody, type SignalWireNumber, signalWireNumberPageSchema, signalWireNumberSchema } from './schemas.js';

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

  async findByNumber(number: string): Promise<SignalWireNumber | undefined> {
    return (await this.listNumbers(50, number)).find((item) => item.number === number);
  }

  async listNumbers(pageSize = 100, filterNumber?: string): Promise<SignalWireNumber[]> {
    const query = { filter_number: filterNumber, page_size: pageSize };
    const page = await this.http.request({
      operation: 'phoneNumbers.list',
      method: 'GET',
      path: `${relay}/phone_numbers`,
      query,
      response: signalWireNumberPageSchema,
    });
    return page.data;
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
