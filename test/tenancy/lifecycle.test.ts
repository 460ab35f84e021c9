import { afterEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness } from '../kit/harness.js';
import { acme, globex, startWorld, type World } from './world.js';

/** Connections over their life: one per tenant in subscriber mode, and jobs that never act for an intent that has passed. */
let world: World;
let h: Harness;
afterEach(() => h?.stop());

async function start(env: Record<string, string> = {}): Promise<World> {
  world = await startWorld({ env });
  h = world.harness;
  return world;
}

const connectionsPath = '/v1/channel-connections';
const uninstall = (teamId: string) => h.slack.event({ type: 'app_uninstalled' }, { teamId });

describe('subscriber mode', () => {
  it('gives each workspace its own subscriber and connection; each uninstall deletes only its own', async () => {
    await start({ NOVU_CONNECTION_MODE: 'subscriber' });
    await world.installAcme();
    await world.installGlobex();
    const posts = h.novu.requestsTo('POST', connectionsPath);
    expect(posts.map((post) => post.problems)).toEqual([[], []]);
    expect(posts.map((post) => post.body)).toEqual([
      expect.objectContaining({ connectionMode: 'subscriber', subscriberId: `slack-${acme.id}`, context: { tenant: acme.id } }),
      expect.objectContaining({ connectionMode: 'subscriber', subscriberId: `slack-${globex.id}`, context: { tenant: globex.id } }),
    ]);
    expect(h.novu.subscribers.get(`slack-${acme.id}`)).toMatchObject({ firstName: acme.name });
    expect(h.novu.requestsTo('POST', '/v2/subscribers').every((request) => request.problems.length === 0)).toBe(true);
    expect(h.novu.connections.size).toBe(2);

    await uninstall(acme.id);
    await eventually(() => !h.novu.connections.has(connectionIdentifier('slack-prod', acme.id)), { message: 'Acme’s connection deleted' });
    expect(h.novu.connections.has(connectionIdentifier('slack-prod', globex.id))).toBe(true);
    expect(await h.app.services.store.connections.find(teamKey(globex.id))).toMatchObject({ state: 'connected' });
    await eventually(async () => (await h.app.services.store.connections.find(teamKey(acme.id))) === undefined, { message: 'Acme’s record removed' });
  });
});

describe('jobs act only for the intent they were queued for', () => {
  it('uninstall during a Novu 503, reinstall at once, Novu recovers: the new connection exists and the record says connected', async () => {
    await start();
    await world.installAcme();
    const identifier = connectionIdentifier('slack-prod', acme.id);
    h.novu.inject({
      match: () => true,
      times: 10_000,
      reply: { status: 503, body: { statusCode: 503, message: 'Service Unavailable' }, headers: { 'retry-after': '0' } },
    });
    await uninstall(acme.id);
    await eventually(() => h.novu.requestsTo('DELETE', `${connectionsPath}/${identifier}`).length > 0, { message: 'the delete tried during the outage' });
    const page = await world.installAcme();
    expect(page.html).toContain('being completed in the background');
    h.novu.clearFaults();

    await eventually(async () => (await h.app.services.store.connections.find(teamKey(acme.id)))?.state === 'connected', {
      timeoutMs: 20_000,
      message: 'the record connected again',
    });
    // Whatever ran first, the queued delete found a newer intent and left the connection alone.
    await eventually(async () => (await h.app.services.store.jobs.list({ statuses: ['pending', 'running'], limit: 10 })).length === 0, {
      timeoutMs: 20_000,
      message: 'the queue drained',
    });
    expect(h.novu.connections.get(identifier)?.auth.accessToken).toBe(h.emulator.latestBotToken(acme.id));
    expect(await h.app.services.store.connections.find(teamKey(acme.id))).toMatchObject({ identifier, state: 'connected' });
  });

  it('a disconnect Novu refuses keeps the record (and says so); trying again deletes it', async () => {
    await start();
    await world.installAcme();
    const identifier = connectionIdentifier('slack-prod', acme.id);
    h.novu.inject({ match: `DELETE ${connectionsPath}/${identifier}`, reply: { status: 403, body: { statusCode: 403, message: 'Forbidden' } } });
    const prompt = await h.slack.command('/connect', 'disconnect', world.acmeAdmin);
    const message = (await eventually(() => h.emulator.responsesTo(prompt.responseUrl ?? '').at(-1))).body;
    await h.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'connect.disconnect', world.acmeAdmin);
    const refused = await eventually(() =>
      h.emulator.responsesTo(prompt.responseUrl ?? '').find((post) => JSON.stringify(post.body).includes('kept on record')),
    );
    expect(JSON.stringify(refused.body)).toContain('Try Disconnect again');
    expect(h.novu.connections.has(identifier)).toBe(true);
    expect(await h.app.services.store.connections.find(teamKey(acme.id))).toMatchObject({ identifier, state: 'failed' });

    const again = await h.slack.command('/connect', 'disconnect', world.acmeAdmin);
    const againMessage = (await eventually(() => h.emulator.responsesTo(again.responseUrl ?? '').at(-1))).body;
    await h.slack.clickButton({ message: againMessage, responseUrl: again.responseUrl }, 'connect.disconnect', world.acmeAdmin);
    await eventually(() => h.emulator.responsesTo(again.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('Disconnected')));
    expect(h.novu.connections.has(identifier)).toBe(false);
    expect(await h.app.services.store.connections.find(teamKey(acme.id))).toBeUndefined();
  });

  it('while Novu is down the connection shows as being disconnected, and the record goes only when Novu confirms', async () => {
    await start({ INLINE_WAIT_SECONDS: '1' });
    await world.installAcme();
    await h.novu.goDown();
    const prompt = await h.slack.command('/connect', 'disconnect', world.acmeAdmin);
    const message = (await eventually(() => h.emulator.responsesTo(prompt.responseUrl ?? '').at(-1))).body;
    await h.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'connect.disconnect', world.acmeAdmin);
    await eventually(() => h.emulator.responsesTo(prompt.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('queued')), { timeoutMs: 8_000 });
    expect(await h.app.services.store.connections.find(teamKey(acme.id))).toMatchObject({ state: 'disconnecting' });
    expect(await world.answerTo('/connect', 'status', world.acmeMember)).toContain('being disconnected');

    await h.novu.comeBack();
    await eventually(async () => (await h.app.services.store.connections.find(teamKey(acme.id))) === undefined, {
      timeoutMs: 20_000,
      message: 'the record removed once Novu confirmed',
    });
    expect(h.novu.connections.size).toBe(0);
  });
});
