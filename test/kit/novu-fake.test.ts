import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeNovu } from './backends/novu.js';
import { PhoneNetwork } from './backends/phones.js';
import { SlackEmulator } from './slack-emulator.js';

/**
 * The fake Novu is only worth its tests if it is as strict as Novu. These pin down the rules it
 * takes from Novu's source (see the comments in backends/novu.ts), over real HTTP.
 */
const novu = new FakeNovu();
const slack = new SlackEmulator();
const phones = new PhoneNetwork();
beforeAll(async () => {
  await Promise.all([novu.start(), slack.start(), phones.start()]);
  novu.slackApiUrl = slack.apiUrl;
  novu.phoneNetworkUrl = `${phones.url}/messages`;
});
afterAll(() => Promise.all([novu.stop(), slack.stop(), phones.stop()]));
beforeEach(() => {
  novu.connections.clear();
  novu.endpoints.clear();
  novu.idempotency.clear();
  novu.clearFaults();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${novu.url}${path}`, {
    method,
    headers: { authorization: `ApiKey ${novu.secretKey}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

const connection = (overrides: Record<string, unknown> = {}) => ({
  identifier: 'conn-a',
  integrationIdentifier: 'slack-prod',
  workspace: { id: 'T1' },
  auth: { accessToken: 'xoxb-fake-token-aaaaaaaa' },
  connectionMode: 'shared',
  context: { tenant: 'T1' },
  ...overrides,
});

describe('idempotency (idempotency.interceptor.ts)', () => {
  it('replays a stored error for the same key — a 5xx as a generic 500 — and a new key goes through', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', reply: novu.internalError() });
    const first = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'k1' });
    expect(first.status).toBe(500);
    const replay = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'k1' });
    expect(replay.status).toBe(500);
    expect(replay.headers.get('idempotency-replay')).toBe('true');
    expect(replay.body?.message).toContain('contact support');
    expect(novu.connections.size).toBe(0);
    expect((await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'k2' })).status).toBe(201);
  });

  it('replays a 4xx as it was, and a success byte for byte', async () => {
    const missing = await call(
      'POST',
      '/v1/channel-endpoints',
      { type: 'phone', subscriberId: 'nobody', integrationIdentifier: 'twilio-sms', endpoint: { phoneNumber: '+1' } },
      { 'idempotency-key': 'k404' },
    );
    const again = await call(
      'POST',
      '/v1/channel-endpoints',
      { type: 'phone', subscriberId: 'nobody', integrationIdentifier: 'twilio-sms', endpoint: { phoneNumber: '+1' } },
      { 'idempotency-key': 'k404' },
    );
    expect([missing.status, again.status]).toEqual([404, 404]);
    expect(again.body?.message).toBe(missing.body?.message);
    const created = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'ok' });
    const replayed = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'ok' });
    expect(replayed.status).toBe(201);
    expect(replayed.body).toEqual(created.body);
    expect(novu.connections.size).toBe(1);
  });

  it('answers 409 with Retry-After: 1 while the same key is in flight, 422 for another body, 400 over 255 characters; never for GET', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', delayMs: 300 });
    const [slow, busy] = await Promise.all([
      call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'busy' }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        call('POST', '/v1/channel-connections', connection({ identifier: 'other' }), { 'idempotency-key': 'busy' }),
      ),
    ]);
    expect(slow.status).toBe(201);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.body?.message).toBe('Request with key "busy" is currently being processed. Please retry after 1 second');
    const reused = await call('POST', '/v1/channel-connections', connection({ identifier: 'other' }), { 'idempotency-key': 'busy' });
    expect(reused.status).toBe(422);
    expect((await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'x'.repeat(256) })).status).toBe(400);
    await call('GET', '/v1/channel-connections/conn-a', undefined, { 'idempotency-key': 'get' });
    expect(novu.idempotency.has('get')).toBe(false);
  });

  it('stores an answer the client never saw (a slow write) and replays it to the retry', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', delayMs: 200 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await fetch(`${novu.url}/v1/channel-connections`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${novu.secretKey}`, 'content-type': 'application/json', 'idempotency-key': 'late' },
      body: JSON.stringify(connection()),
      signal: controller.signal,
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(novu.connections.size).toBe(1);
    const retry = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'late' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotency-replay')).toBe('true');
  });

  it('never stores a 429: the rate limit answers before the idempotency layer', async () => {
    novu.inject({ match: 'POST /v1/channel-connections', reply: novu.rateLimited() });
    const limited = await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'rl' });
    expect(limited.status).toBe(429);
    expect(limited.body).not.toHaveProperty('error');
    expect(limited.headers.get('ratelimit-policy')).toContain('category="configuration"');
    expect((await call('POST', '/v1/channel-connections', connection(), { 'idempotency-key': 'rl' })).status).toBe(201);
  });
});

describe('channel connections (create-channel-connection.usecase.ts)', () => {
  it('allows one connection per integration, subscriber as sent and exact context set, checked before the identifier', async () => {
    await call('POST', '/v1/channel-connections', connection());
    const sameScope = await call('POST', '/v1/channel-connections', connection({ identifier: 'conn-a' }));
    expect(sameScope.status).toBe(409);
    expect(sameScope.body?.message).toBe(
      'A channel connection already exists for integration "slack-prod" with no subscriberId and context [tenant:T1]. Connection ID: conn-a',
    );
    const otherScope = await call('POST', '/v1/channel-connections', connection({ context: { tenant: 'T2' } }));
    expect(otherScope.body?.message).toBe('Channel connection with identifier "conn-a" already exists in environment "65f0c0ffee0000000000e0e0"');
    await call(
      'POST',
      '/v1/channel-connections',
      connection({ identifier: 'conn-s', connectionMode: 'subscriber', subscriberId: 'sub-1', context: undefined }),
    );
    const subscriberDuplicate = await call(
      'POST',
      '/v1/channel-connections',
      connection({ identifier: 'conn-t', connectionMode: 'subscriber', subscriberId: 'sub-1', context: undefined }),
    );
    expect(subscriberDuplicate.body?.message).toBe(
      'A channel connection already exists for integration "slack-prod" with subscriberId "sub-1" and no context. Connection ID: conn-s',
    );
  });

  it('refuses a refresh token where Novu would not rotate, and takes a Slack token on an email integration', async () => {
    const rotating = { accessToken: 'xoxb-a', refreshToken: 'xoxe-1-r' };
    const noCredentials = await call('POST', '/v1/channel-connections', connection({ integrationIdentifier: 'slack-staging', auth: rotating }));
    expect(noCredentials.body?.message).toBe('Integration "slack-staging" must have clientId and secretKey configured to store a rotating refresh token.');
    const notRotating = await call('POST', '/v1/channel-connections', connection({ integrationIdentifier: 'sendgrid', auth: rotating }));
    expect(notRotating.body?.message).toBe('Token rotation is not supported for provider "sendgrid". Remove refreshToken from the connection auth.');
    expect((await call('POST', '/v1/channel-connections', connection({ integrationIdentifier: 'sendgrid' }))).status).toBe(201);
  });

  it('leaves endpoints naming a deleted connection in place, and answers 404s in Novu’s words', async () => {
    await call('POST', '/v1/channel-connections', connection());
    await call('POST', '/v1/channel-endpoints', {
      identifier: 'e1',
      type: 'slack_channel',
      subscriberId: 'sub-1',
      integrationIdentifier: 'slack-prod',
      connectionIdentifier: 'conn-a',
      endpoint: { channelId: 'C1' },
    });
    expect((await call('DELETE', '/v1/channel-connections/conn-a')).status).toBe(204);
    expect(novu.endpoints.get('e1')?.connectionIdentifier).toBe('conn-a');
    expect((await call('GET', '/v1/channel-connections/conn-a')).body?.message).toBe("Channel connection with identifier 'conn-a' not found");
    expect((await call('PATCH', '/v1/channel-connections/conn-a', { workspace: { id: 'T1' }, auth: { accessToken: 'x' } })).body?.message).toBe(
      'Channel connection with identifier "conn-a" not found',
    );
  });
});

describe('channel endpoints and lists', () => {
  it('takes a phone endpoint on any integration, but no extra keys in it', async () => {
    const onEmail = await call('POST', '/v1/channel-endpoints', {
      type: 'phone',
      subscriberId: 'sub-1',
      integrationIdentifier: 'sendgrid',
      endpoint: { phoneNumber: 'not e164' },
    });
    expect(onEmail.status).toBe(201);
    const extra = await call('POST', '/v1/channel-endpoints', {
      type: 'phone',
      subscriberId: 'sub-1',
      integrationIdentifier: 'twilio-sms',
      endpoint: { phoneNumber: '+1', x: 1 },
    });
    expect(extra.status).toBe(400);
  });

  it('filters exactly, has no type filter, pages by record id, and refuses a limit over 100', async () => {
    for (let index = 0; index < 12; index += 1) {
      await call('POST', '/v1/channel-endpoints', {
        identifier: `e${index}`,
        type: index % 2 ? 'phone' : 'slack_user',
        subscriberId: 'sub-1',
        integrationIdentifier: 'slack-prod',
        context: index < 6 ? { tenant: 'T1', region: 'eu' } : { tenant: 'T1' },
        endpoint: index % 2 ? { phoneNumber: `+1${index}` } : { userId: `U${index}` },
      });
    }
    const typed = await call('GET', '/v1/channel-endpoints?type=phone&limit=100');
    expect(typed.body?.data).toHaveLength(12);
    const scoped = await call('GET', '/v1/channel-endpoints?contextKeys=region:eu&contextKeys=tenant:T1&limit=100');
    expect(scoped.body?.data.map((endpoint: { identifier: string }) => endpoint.identifier).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect((await call('GET', '/v1/channel-endpoints?contextKeys=tenant:T1&limit=100')).body?.data).toHaveLength(6);
    const first = await call('GET', '/v1/channel-endpoints?limit=5');
    expect(first.body?.data.map((endpoint: { identifier: string }) => endpoint.identifier)).toEqual(['e11', 'e10', 'e9', 'e8', 'e7']);
    const second = await call('GET', `/v1/channel-endpoints?limit=5&after=${first.body?.next}`);
    expect(second.body?.data[0].identifier).toBe('e6');
    expect((await call('GET', '/v1/channel-endpoints?limit=101')).body?.message).toEqual(['limit must not be greater than 100']);
  });
});

describe('delivery (the worker: resolve-channel-endpoints, send-message-chat, send-message-sms)', () => {
  const botToken = () => slack.issueBotToken({ team: { id: 'T1', name: 'One' }, userId: 'U1', scopes: ['chat:write', 'chat:write.public'] });
  const route = (identifier: string, context: Record<string, string> | undefined, connectionIdentifier = 'conn-a', channelId = 'C1') =>
    call('POST', '/v1/channel-endpoints', {
      identifier,
      type: 'slack_channel',
      subscriberId: 'sub-1',
      integrationIdentifier: 'slack-prod',
      connectionIdentifier,
      ...(context ? { context } : {}),
      endpoint: { channelId },
    });
  const trigger = async (body: Record<string, unknown>) => {
    const answer = await call('POST', '/v1/events/trigger', body);
    await novu.worker.idle();
    return answer;
  };
  const activity = async (transactionId: string) => (await call('GET', `/v1/notifications?transactionId=${transactionId}`)).body?.data[0];
  const details = (notification: { jobs: { executionDetails: { detail: string }[] }[] }) =>
    notification.jobs.flatMap((job) => job.executionDetails.map((detail) => detail.detail));

  beforeAll(() => {
    novu.addWorkflow('alert', ['chat']);
    novu.addWorkflow('text', ['sms']);
    slack.channels.add({ id: 'C1', name: 'alerts', kind: 'public', teamId: 'T1' });
    slack.channels.add({ id: 'C2', name: 'eu-alerts', kind: 'public', teamId: 'T1' });
  });

  it('posts with the connection’s token only when the endpoint and the connection carry the trigger’s exact context', async () => {
    const token = botToken();
    await call('POST', '/v1/channel-connections', connection({ auth: { accessToken: token } }));
    await route('r1', { tenant: 'T1' });
    const before = slack.callsTo('chat.postMessage').length;
    const answer = await trigger({ name: 'alert', to: 'sub-1', payload: { text: 'disk full' }, context: { tenant: 'T1' }, transactionId: 'tx-exact' });
    expect(answer.status).toBe(201);
    expect(answer.body?.data).toMatchObject({ acknowledged: true, status: 'processed', transactionId: 'tx-exact' });
    const posted = slack.callsTo('chat.postMessage').slice(before);
    expect(posted.map((post) => [post.args.channel, post.args.text, post.token, post.ok])).toEqual([['C1', 'disk full', token, true]]);
    expect(details(await activity('tx-exact'))).toEqual(['Slack (production) provider was selected', 'Message created', 'Message sent']);
    expect((await activity('tx-exact')).jobs[0].status).toBe('completed');

    // Another context set, even a larger one containing the endpoint's: nothing is selected.
    await trigger({ name: 'alert', to: 'sub-1', payload: { text: 'x' }, context: { tenant: 'T1', region: 'eu' }, transactionId: 'tx-wider' });
    const wider = await activity('tx-wider');
    expect(details(wider)).toEqual(['Subscriber does not have a configured channel with the given context']);
    expect(wider.jobs[0].status).toBe('canceled');
    await trigger({ name: 'alert', to: 'sub-1', payload: { text: 'x' }, transactionId: 'tx-none' });
    expect(details(await activity('tx-none'))).toEqual(['Subscriber does not have a configured channel']);
    expect(slack.callsTo('chat.postMessage').slice(before)).toHaveLength(1);
  });

  it('sends an empty token when the connection’s context differs from the trigger’s: Slack answers not_authed and Novu records it', async () => {
    await call('POST', '/v1/channel-connections', connection({ auth: { accessToken: botToken() }, context: { tenant: 'T1', region: 'eu' } }));
    await route('r2', { tenant: 'T1' });
    const before = slack.callsTo('chat.postMessage').length;
    await trigger({ name: 'alert', to: 'sub-1', payload: { text: 'x' }, context: { tenant: 'T1' }, transactionId: 'tx-token' });
    expect(
      slack
        .callsTo('chat.postMessage')
        .slice(before)
        .map((post) => post.error),
    ).toEqual(['not_authed']);
    const notification = await activity('tx-token');
    expect(notification.jobs[0]).toMatchObject({ status: 'failed', error: 'All chat channels failed to send the message' });
    expect(details(notification)).toContain('Unexpected provider error');
    const messages = (await call('GET', '/v1/messages?transactionId=tx-token')).body?.data;
    expect(messages).toMatchObject([{ channel: 'chat', status: 'error', errorId: 'unexpected_chat_error', errorText: 'Slack API Error: not_authed' }]);
  });

  it('sends SMS to payload.phone or the subscriber’s phone, never to a phone endpoint, through the primary SMS integration', async () => {
    novu.subscribers.set('sms-1', { subscriberId: 'sms-1' });
    await call('POST', '/v1/channel-endpoints', {
      identifier: 'p1',
      type: 'phone',
      subscriberId: 'sms-1',
      integrationIdentifier: 'twilio-sms',
      endpoint: { phoneNumber: '+14155550100' },
    });
    await trigger({ name: 'text', to: 'sms-1', payload: { text: 'hi' }, transactionId: 'tx-nophone' });
    expect(phones.textsTo('+14155550100')).toHaveLength(0);
    expect((await call('GET', '/v1/messages?transactionId=tx-nophone')).body?.data).toMatchObject([
      { channel: 'sms', status: 'warning', errorId: 'no_subscriber_phone', providerId: 'twilio' },
    ]);
    await call('PATCH', '/v2/subscribers/sms-1', { phone: '+14155550100' });
    await trigger({ name: 'text', to: 'sms-1', payload: { text: 'hi' }, transactionId: 'tx-phone' });
    expect(phones.textsTo('+14155550100').map((text) => [text.channel, text.providerId, text.body])).toEqual([['sms', 'twilio', 'hi']]);
    await trigger({
      name: 'text',
      to: 'sms-1',
      payload: { text: 'named', phone: '+14155550199' },
      overrides: { sms: { integrationIdentifier: 'vonage-sms' } },
      transactionId: 'tx-named',
    });
    expect(phones.textsTo('+14155550199').map((text) => text.providerId)).toEqual(['nexmo']);
  });

  it('refuses an unknown workflow and a bad context with 422, and delivers a repeated transactionId once', async () => {
    expect((await call('POST', '/v1/events/trigger', { name: 'nope', to: 'sub-1' })).body).toMatchObject({ statusCode: 422, message: 'workflow_not_found' });
    const tooMany = { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' };
    expect((await call('POST', '/v1/events/trigger', { name: 'alert', to: 'sub-1', context: tooMany })).status).toBe(422);
    expect((await call('POST', '/v1/events/trigger', { name: 'alert', to: 'sub-1', context: { tenant: 'has space' } })).status).toBe(422);
    expect((await call('POST', '/v1/events/trigger', { to: 'sub-1' })).status).toBe(400);
    await call('POST', '/v1/channel-connections', connection({ auth: { accessToken: botToken() } }));
    await route('r3', { tenant: 'T1' });
    const before = slack.callsTo('chat.postMessage').length;
    await trigger({ name: 'alert', to: 'sub-1', payload: { text: 'once' }, context: { tenant: 'T1' }, transactionId: 'tx-twice' });
    const again = await trigger({ name: 'alert', to: 'sub-1', payload: { text: 'once' }, context: { tenant: 'T1' }, transactionId: 'tx-twice' });
    expect(again.body?.data.status).toBe('processed');
    expect(slack.callsTo('chat.postMessage').slice(before)).toHaveLength(1);
  });

  it('creates workflows active by default, suffixes a taken id, and reads them back', async () => {
    const created = await call('POST', '/v2/workflows', {
      name: 'Probe',
      workflowId: 'probe',
      steps: [{ name: 'Chat', type: 'chat', controlValues: { body: 'b' } }],
    });
    expect(created.status).toBe(201);
    expect(created.body?.data).toMatchObject({ workflowId: 'probe', active: true, status: 'ACTIVE' });
    const again = await call('POST', '/v2/workflows', { name: 'Probe', workflowId: 'probe', steps: [] });
    expect(again.body?.data.workflowId).toMatch(/^probe-[0-9a-f]{6}$/);
    expect((await call('GET', '/v2/workflows/probe')).status).toBe(200);
    expect((await call('GET', '/v2/workflows/missing')).status).toBe(404);
    expect((await call('POST', '/v2/workflows', { name: 'Bad', workflowId: 'has space', steps: [] })).status).toBe(400);
  });
});
