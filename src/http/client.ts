import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { BackendError, type BackendFailure, type BackendName, isRetryableFailure } from './errors.js';

/**
 * - `safe`: the request is idempotent (a GET, a DELETE, or a write carrying an Idempotency-Key or a
 *   deterministic identifier): retry on 408, 429, 5xx, timeouts and network errors.
 * - `unsent`: retry only when the vendor certainly did not act on it (429, connection refused).
 * - `none`: one attempt.
 */
export type RetryMode = 'safe' | 'unsent' | 'none';

export const defaultRetryPolicy = { maxAttempts: 4, baseDelayMs: 400, maxDelayMs: 8_000 };
export type RetryPolicy = typeof defaultRetryPolicy;

/** Option lists for Slack pickers must be answered within 3 seconds: one short attempt. */
export const pickerTiming = { timeoutMs: 2_000, retry: 'none' } as const;

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface HttpRequest<T> {
  /** A stable name for logs and metrics, e.g. `channelEndpoints.create`. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path, with `{name}` placeholders for `params`. */
  path: string;
  /**
   * Identifiers put into the path, one segment each. Anything that could change which resource
   * the URL names — empty, `.` or `..` (which URL parsing collapses), a slash, a control
   * character — is refused before a request is made.
   */
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  idempotencyKey?: string;
  retry?: RetryMode;
  /** Parses the successful body; without it the body is ignored. */
  response?: z.ZodType<T>;
  /** Stop retrying once this much time has passed since the first attempt. */
  deadlineMs?: number;
  /** Overrides the client's timeout for one attempt. */
  timeoutMs?: number;
}

/** What a vendor client's caller may choose for one call. */
export type CallOptions = Pick<HttpRequest<unknown>, 'retry' | 'deadlineMs'>;

export interface VendorErrorDescription {
  message?: string;
  code?: string;
}

export interface HttpClientOptions {
  backend: BackendName;
  baseUrl: string;
  headers: () => Record<string, string>;
  timeoutMs: number;
  logger: Logger;
  metrics?: Metrics;
  retry?: RetryPolicy;
  /** Turns a vendor error body into one plain line. */
  describeError: (status: number, body: unknown) => VendorErrorDescription;
  /** Applied to a successful body before `response` parses it. */
  unwrap?: (body: unknown) => unknown;
}

export interface HttpClient {
  readonly backend: BackendName;
  request<T = undefined>(request: HttpRequest<T>): Promise<T>;
}

/** Network error codes after which the request cannot have reached the vendor's application. */
const unsentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const policy = options.retry ?? defaultRetryPolicy;
  const log = options.logger.child({ backend: options.backend });
  return {
    backend: options.backend,
    async request<T>(unfilled: HttpRequest<T>): Promise<T> {
      const request = { ...unfilled, path: fillPath(options.backend, unfilled) };
      const mode = request.retry ?? (request.method === 'GET' || request.method === 'DELETE' ? 'safe' : 'none');
      const started = Date.now();
      for (let attemptNumber = 1; ; attemptNumber += 1) {
        try {
          return await attempt(options, log, request, attemptNumber);
        } catch (error) {
          if (!(error instanceof BackendError)) throw error;
          const delay = nextDelay(error, mode, attemptNumber, policy);
          const outOfTime = request.deadlineMs !== undefined && Date.now() - started + (delay ?? 0) > request.deadlineMs;
          if (delay === undefined || outOfTime) throw error;
          log.info(
            { operation: request.operation, attempt: attemptNumber, status: error.status, kind: error.failure.kind, retryInMs: delay },
            'backend call will be retried',
          );
          await sleep(delay);
        }
      }
    },
  };
}

/** One attempt, counted and logged: the parsed body, or a BackendError saying what went wrong. */
async function attempt<T>(options: HttpClientOptions, log: Logger, request: HttpRequest<T>, attemptNumber: number): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers() };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
  const { backend, metrics } = options;
  const { operation } = request;
  const started = performance.now();
  const record = (outcome: string) => {
    const seconds = (performance.now() - started) / 1000;
    metrics?.backendCalls.inc({ backend, operation, outcome });
    metrics?.backendCallSeconds.observe({ backend, operation }, seconds);
    log.debug({ operation, method: request.method, path: request.path, outcome, attempt: attemptNumber, ms: Math.round(seconds * 1000) }, 'backend call');
  };
  const fail = (failure: Omit<BackendFailure, 'backend' | 'operation' | 'attempts'>): never => {
    throw new BackendError({ backend, operation, attempts: attemptNumber, ...failure });
  };

  let response: Response;
  let text: string;
  try {
    response = await fetch(buildUrl(options.baseUrl, request.path, request.query), {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? options.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = isTimeout(error);
    const code = timedOut ? undefined : networkErrorCode(error);
    record(timedOut ? 'timeout' : 'network');
    return fail(timedOut ? { kind: 'timeout' } : { kind: 'network', vendorCode: code, unsent: code !== undefined && unsentCodes.has(code) });
  }
  record(String(response.status));

  const body = parseBody(text);
  if (!response.ok) {
    const described = options.describeError(response.status, body);
    return fail({
      kind: 'http',
      status: response.status,
      vendorMessage: described.message,
      vendorCode: described.code,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      unsent: response.status === 429,
      body,
    });
  }
  if (!request.response) return undefined as T;
  const parsed = request.response.safeParse(options.unwrap ? options.unwrap(body) : body);
  if (!parsed.success) {
    log.warn({ operation, issues: parsed.error.issues.slice(0, 5) }, 'unexpected backend response');
    return fail({ kind: 'invalid-response', status: response.status, body });
  }
  return parsed.data;
}

/** Milliseconds to wait before the next attempt, or undefined when the failure must not be retried. */
export function nextDelay(error: BackendError, mode: RetryMode, attemptNumber: number, policy: RetryPolicy): number | undefined {
  if (attemptNumber >= policy.maxAttempts || mode === 'none') return undefined;
  const { kind, status, unsent, retryAfterMs: vendorDelay } = error.failure;
  const eligible = mode === 'safe' ? isRetryableFailure(kind, status) : unsent === true;
  if (!eligible) return undefined;
  const jittered = backoffDelay(attemptNumber, policy.baseDelayMs, policy.maxDelayMs);
  return Math.max(jittered, vendorDelay ?? 0);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so delays grow but never collapse to zero. */
export function backoffDelay(attemptNumber: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attemptNumber - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After is seconds or an HTTP date; anything else is ignored. Capped at 5 minutes. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(value) || value < 0) return undefined;
  return Math.min(Math.round(value), 300_000);
}

function fillPath(backend: BackendName, request: HttpRequest<unknown>): string {
  return request.path.replace(/\{(\w+)\}/g, (_placeholder, name: string) => {
    const value = request.params?.[name] ?? '';
    if (isSafeSegment(value)) return encodeURIComponent(value);
    const vendorMessage = `"${value.slice(0, 80)}" is not an identifier`;
    throw new BackendError({ backend, operation: request.operation, attempts: 0, kind: 'invalid-request', vendorMessage });
  });
}

function isSafeSegment(value: string): boolean {
  if (value.length === 0 || value.length > 256 || value === '.' || value === '..' || /[/\\?#%]/.test(value)) return false;
  return [...value].every((character) => {
    const point = character.codePointAt(0) ?? 0;
    return point > 0x1f && point !== 0x7f;
  });
}

function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
