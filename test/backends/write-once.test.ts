import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NovuClient } from '../../src/backends/novu/client.js';
import { writeOnce } from '../../src/backends/novu/write-once.js';
import { createLogger } from '../../src/logging/logger.js';
import { FakeNovu } from '../kit/backends/novu.js';

/** writeOnce against a Novu that stores answers per key: the two paths the feature tests meet only by timing. */
const novu = new FakeNovu();
let client: NovuClient;
beforeAll(async () => {
  await novu.start();
  client = new NovuClient({ apiUrl: novu.url, secretKey: novu.secretKey, timeoutMs: 2_000, logger: createLogger({ level: 'silent', format: 'json' }) });
});
afterAll(() => novu.stop());

const body = (identifier: string) => ({
  identifier,
  integrationIdentifier: 'slack-prod',
  workspace: { id: 'T1' },
  auth: { accessToken: 'xoxb-write-once-test-token' },
  connectionMode: 'shared' as const,
  context: { tenant: identifier },
});

const create = (identifier: string, intent: string) =>
  writeOnce({
    operation: 'channel-connections.create',
    intent,
    body: body(identifier),
    send: (key, retry) => client.createConnection(body(identifier), { idempotencyKey: key, retry }),
    lookup: () => client.findConnection(identifier),
    retry: 'safe',
  });

describe('writeOnce', () => {
  it('a second sender of the same key waits out the 409 "in progress" and gets the stored answer', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', delayMs: 400 });
    const [first, second] = await Promise.all([
      create('c-busy', 'run-1'),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => create('c-busy', 'run-1')),
    ]);
    expect(first.identifier).toBe('c-busy');
    expect(second.identifier).toBe('c-busy');
    const posts = novu.requestsTo('POST', '/v1/channel-connections').filter((request) => (request.body as { identifier: string }).identifier === 'c-busy');
    expect(posts.map((post) => post.headers['idempotency-key'])).toEqual([
      posts[0]?.headers['idempotency-key'],
      posts[0]?.headers['idempotency-key'],
      posts[0]?.headers['idempotency-key'],
    ]);
    expect([...novu.connections.values()].filter((connection) => connection.identifier === 'c-busy')).toHaveLength(1);
  });

  it('after a stored 500, looks the record up and sends again with a new key', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', reply: novu.internalError() });
    const made = await create('c-500', 'run-2');
    expect(made.identifier).toBe('c-500');
    const posts = novu.requestsTo('POST', '/v1/channel-connections').filter((request) => (request.body as { identifier: string }).identifier === 'c-500');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.headers['idempotency-key']).not.toBe(posts[1]?.headers['idempotency-key']);
    expect(novu.requestsTo('GET', '/v1/channel-connections/c-500')).toHaveLength(1);
  });
});
