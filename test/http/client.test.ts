import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backoffDelay, createHttpClient, nextDelay, retryAfterMs } from '../../src/http/client.js';
import { BackendError } from '../../src/http/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { freePort } from '../kit/harness.js';

interface Scripted {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  drop?: boolean;
}

/** A loopback server answering from a script, recording what it received. */
let server: Server;
let script: Scripted[] = [];
const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string; at: number }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() });
      const step = script.shift() ?? { status: 200, body: { ok: true } };
      if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
      if (step.drop) return req.socket.destroy();
      res.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers });
      res.end(step.body === undefined ? '' : JSON.stringify(step.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  script = [];
  received.length = 0;
});

const logger = createLogger({ level: 'silent', format: 'json' });
const metrics = new Metrics();
const client = (baseUrl?: string) =>
  createHttpClient({
    backend: 'novu',
    baseUrl: baseUrl ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers: () => ({ authorization: 'ApiKey test' }),
    timeoutMs: 300,
    logger,
    metrics,
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
    describeError: (_status, body) => ({ message: (body as { message?: string } | undefined)?.message }),
  });
const okSchema = z.object({ ok: z.boolean() });

describe('the shared HTTP core', () => {
  it('sends JSON with the auth header and the Idempotency-Key, and parses the answer', async () => {
    const result = await client().request({
      operation: 'test.create',
      method: 'POST',
      path: '/v1/things',
      body: { a: 1 },
      idempotencyKey: 'key-1',
      response: okSchema,
    });
    expect(result).toEqual({ ok: true });
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/things', body: '{"a":1}' });
    expect(received[0]?.headers).toMatchObject({ authorization: 'ApiKey test', 'idempotency-key': 'key-1', 'content-type': 'application/json' });
  });

  it('retries 5xx on a safe request until it succeeds', async () => {
    script = [{ status: 500 }, { status: 502 }, { status: 503 }, { status: 200, body: { ok: true } }];
    await expect(client().request({ operation: 'test.get', method: 'GET', path: '/x', response: okSchema })).resolves.toEqual({ ok: true });
    expect(received).toHaveLength(4);
  });

  it('honours Retry-After on 429 (waits at least that long)', async () => {
    script = [
      { status: 429, headers: { 'retry-after': '1' }, body: { message: 'API rate limit exceeded' } },
      { status: 200, body: { ok: true } },
    ];
    await client().request({ operation: 'test.get', method: 'GET', path: '/x', response: okSchema });
    expect(received).toHaveLength(2);
    expect((received[1]?.at ?? 0) - (received[0]?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('does not retry other 4xx, and says which backend, status and vendor message', async () => {
    script = [{ status: 404, body: { message: 'Subscriber not found: sub-9' } }];
    const error = await client()
      .request({ operation: 'test.create', method: 'POST', path: '/x', body: {}, retry: 'safe' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).failure).toMatchObject({
      backend: 'novu',
      status: 404,
      vendorMessage: 'Subscriber not found: sub-9',
      kind: 'http',
      attempts: 1,
    });
    expect((error as BackendError).retryable).toBe(false);
    expect(received).toHaveLength(1);
  });

  it('gives up after the last attempt with the last failure', async () => {
    script = [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 200, body: { ok: true } }];
    const error = (await client()
      .request({ operation: 'test.get', method: 'GET', path: '/x' })
      .catch((caught: unknown) => caught)) as BackendError;
    expect(error.failure).toMatchObject({ status: 500, attempts: 4 });
    expect(received).toHaveLength(4);
  });

  it('times out a slow answer and retries it when safe', async () => {
    script = [{ delayMs: 600, body: { ok: true } }, { body: { ok: true } }];
    await expect(client().request({ operation: 'test.get', method: 'GET', path: '/x', response: okSchema })).resolves.toEqual({ ok: true });
    expect(received).toHaveLength(2);
  });

  it('reports a timeout as such when nothing may be retried', async () => {
    script = [{ delayMs: 600 }];
    const error = (await client()
      .request({ operation: 'test.create', method: 'POST', path: '/x', body: {}, retry: 'none' })
      .catch((caught: unknown) => caught)) as BackendError;
    expect(error.failure.kind).toBe('timeout');
    expect(error.message).toBe('Novu did not answer in time (test.create)');
  });

  it('treats a dropped connection as a network error, retried only in safe mode', async () => {
    script = [{ drop: true }, { body: { ok: true } }];
    const unsentOnly = (await client()
      .request({ operation: 'test.create', method: 'POST', path: '/x', body: {}, retry: 'unsent' })
      .catch((caught: unknown) => caught)) as BackendError;
    expect(unsentOnly.failure).toMatchObject({ kind: 'network', unsent: false });
    expect(received).toHaveLength(1);
    script = [{ drop: true }, { body: { ok: true } }];
    await expect(client().request({ operation: 'test.get', method: 'GET', path: '/x', response: okSchema })).resolves.toEqual({ ok: true });
  });

  it('retries a refused connection even for non-idempotent writes: it never arrived', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const error = (await client(nobody)
      .request({ operation: 'test.create', method: 'POST', path: '/x', body: {}, retry: 'unsent' })
      .catch((caught: unknown) => caught)) as BackendError;
    expect(error.failure).toMatchObject({ kind: 'network', vendorCode: 'ECONNREFUSED', unsent: true, attempts: 4 });
  });

  it('stops retrying at the deadline', async () => {
    script = [{ status: 503, headers: { 'retry-after': '5' } }, { body: { ok: true } }];
    const started = Date.now();
    const error = (await client()
      .request({ operation: 'test.get', method: 'GET', path: '/x', deadlineMs: 1000 })
      .catch((caught: unknown) => caught)) as BackendError;
    expect(error.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(received).toHaveLength(1);
  });

  it('refuses a body that does not match the expected shape', async () => {
    script = [{ body: { ok: 'yes' } }];
    const error = (await client()
      .request({ operation: 'test.get', method: 'GET', path: '/x', response: okSchema })
      .catch((caught: unknown) => caught)) as BackendError;
    expect(error.failure.kind).toBe('invalid-response');
  });

  it('counts outcomes per backend and operation', async () => {
    script = [{ status: 500 }, { body: { ok: true } }];
    await client().request({ operation: 'metrics.probe', method: 'GET', path: '/x' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('switchboard_backend_calls_total{backend="novu",operation="metrics.probe",outcome="500"} 1');
    expect(text).toContain('switchboard_backend_calls_total{backend="novu",operation="metrics.probe",outcome="200"} 1');
  });
});

describe('backoff and Retry-After', () => {
  it('grows exponentially with jitter between half and the full step, capped', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 0.5)).toBe(600);
    expect(backoffDelay(20, 100, 1_000, () => 1)).toBe(1_000);
  });

  it('reads seconds and HTTP dates, ignores nonsense, and caps at five minutes', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString(), Date.now())).toBeGreaterThan(1000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('100000')).toBe(300_000);
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('retries only what the mode allows', () => {
    const failure = (status: number, extra = {}) => new BackendError({ backend: 'vapi', operation: 'x', kind: 'http', status, attempts: 1, ...extra });
    const policy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 };
    expect(nextDelay(failure(500), 'safe', 1, policy)).toBeGreaterThan(0);
    expect(nextDelay(failure(500), 'unsent', 1, policy)).toBeUndefined();
    expect(nextDelay(failure(429, { unsent: true, retryAfterMs: 700 }), 'unsent', 1, policy)).toBe(700);
    expect(nextDelay(failure(409), 'safe', 1, policy)).toBeUndefined();
    expect(nextDelay(failure(500), 'safe', 3, policy)).toBeUndefined();
    expect(nextDelay(failure(500), 'none', 1, policy)).toBeUndefined();
  });
});
