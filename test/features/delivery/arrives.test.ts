import { afterEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../../src/features/connect/settings.js';
import { routeIdentifier } from '../../../src/features/routes/route-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import { integratorTrigger } from '../../kit/integrator.js';
import { acme, globex, startWorld } from '../../tenancy/world.js';

/**
 * Delivery is the test: routes made through the real receiver receive a trigger sent the way an
 * integrator sends it, through the test kit's Novu, which resolves it as Novu's worker does
 * (exact context on the endpoint and on its connection) and posts into the Slack emulator.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const bot = `U${team.id}BOT`;
const settled = (id: string, marker: string) =>
  eventually(() => (JSON.stringify(h.emulator.views.get(id)).includes(marker) ? h.emulator.views.get(id) : undefined), { message: marker });

async function routed(): Promise<Harness> {
  h = await startHarness();
  await h.install();
  h.novu.addWorkflow('incident', ['chat'], 'Incident: {{payload.text}}');
  h.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: ['U0ADMIN', bot] });
  const channel = await h.openModal('/connect', 'channel <#C0OPSALERT|ops-alerts> sub-1', 'routes.channel');
  await h.slack.submitView(channel, {}, h.actors.admin);
  await settled(channel.id, 'delivery.test');
  const link = await h.openModal('/connect', 'link <@U0MEMBER|member> sub-2', 'routes.link');
  await h.slack.submitView(link, {}, h.actors.admin);
  await settled(link.id, 'as direct messages');
  return h;
}

/** A mark in Slack's call log: what was posted after it is what a trigger delivered. */
const mark = () => h.emulator.calls.length;

/** Messages posted in a conversation since the mark. */
const postsIn = (channel: string, since: number) =>
  h.emulator.calls.slice(since).filter((call) => call.method === 'chat.postMessage' && call.ok && call.args.channel === channel);

/** Notifications posted since the mark: where, what, and with which token. */
const deliveredTo = (since: number) =>
  h.emulator.calls
    .slice(since)
    .filter((call) => call.method === 'chat.postMessage' && call.ok && String(call.args.text).startsWith('Incident'))
    .map((call) => [call.args.channel, call.args.text, call.token]);

describe('a trigger in the tenant’s context', () => {
  it('reaches the routed channel and the linked person, posted with the workspace’s current token', async () => {
    await routed();
    const since = mark();
    const token = h.emulator.latestBotToken(team.id);
    for (const subscriber of ['sub-1', 'sub-2']) {
      const answer = await integratorTrigger(h.novu, { name: 'incident', to: subscriber, payload: { text: 'db down' }, context: { tenant: team.id } });
      expect(answer.body.data).toMatchObject({ acknowledged: true, status: 'processed' });
    }
    expect(deliveredTo(since)).toEqual([
      ['C0OPSALERT', 'Incident: db down', token],
      ['U0MEMBER', 'Incident: db down', token],
    ]);
    expect(postsIn('C0OPSALERT', since)).toHaveLength(1);
    expect([...h.emulator.messages.values()].some((message) => message.text === 'Incident: db down' && message.channel !== 'C0OPSALERT')).toBe(true);
  });

  it('without the context, reaches nothing: Novu’s worker selects only endpoints with no context', async () => {
    await routed();
    const since = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-1', payload: { text: 'no context' } });
    expect(deliveredTo(since)).toEqual([]);
  });
});

describe('after an admin changes the connection’s context', () => {
  it('every route moves with it, exactly once: the same trigger with the new context still arrives, the old context reaches nothing', async () => {
    await routed();
    const setup = await h.openModal('/connect', 'setup', 'connect.setup');
    expect(JSON.stringify(setup.blocks)).toContain('2 Slack routes');
    await h.slack.submitView(setup, { context: `tenant:${team.id}\nregion:eu` }, h.actors.admin);
    const result = await settled(setup.id, 'Triggers must now send');
    expect(JSON.stringify(result)).toContain('region');
    const newKeys = ['region:eu', `tenant:${team.id}`];
    await eventually(() => [...h.novu.endpoints.values()].every((endpoint) => JSON.stringify(endpoint.contextKeys) === JSON.stringify(newKeys)), {
      message: 'the routes in the new context',
    });
    expect([...h.novu.connections.values()].map((connection) => connection.contextKeys)).toEqual([newKeys]);
    const dm = await eventually(() => [...h.emulator.messages.values()].find((message) => message.text.includes('Moved 2 routes and phone endpoints')));
    expect(dm.text).toContain('"region":"eu"');

    const since = mark();
    const token = h.emulator.latestBotToken(team.id);
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-1', payload: { text: 'still here' }, context: { tenant: team.id, region: 'eu' } });
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-2', payload: { text: 'still here' }, context: { region: 'eu', tenant: team.id } });
    expect(deliveredTo(since)).toEqual([
      ['C0OPSALERT', 'Incident: still here', token],
      ['U0MEMBER', 'Incident: still here', token],
    ]);
    const oldContext = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-1', payload: { text: 'old' }, context: { tenant: team.id } });
    expect(deliveredTo(oldContext)).toEqual([]);

    // Each route was written again once (a delete and a create under its identifier), no more.
    const channelRoute = routeIdentifier(team.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT');
    expect(h.novu.requestsTo('DELETE', `/v1/channel-endpoints/${channelRoute}`)).toHaveLength(1);
    expect(
      h.novu.requestsTo('POST', '/v1/channel-endpoints').filter((request) => (request.body as { identifier: string }).identifier === channelRoute),
    ).toHaveLength(2);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['delivery.move'], limit: 5 });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'ok', userId: 'U0ADMIN' });
    expect((await h.app.services.store.endpoints.find(channelRoute))?.contextKeys).toEqual(newKeys);
  });

  it('phone endpoints move with it too: a WhatsApp number still gets a chat trigger sent with the new context', async () => {
    await routed();
    const register = await h.openModal('/phone', 'register +14155550300 sub-1', 'phone.register');
    await h.slack.submitView(register, { 'phone.integration': 'whatsapp-business' }, h.actors.admin);
    await settled(register.id, 'phone-registered-test');
    const setup = await h.openModal('/connect', 'setup', 'connect.setup');
    expect(JSON.stringify(setup.blocks)).toContain('1 phone endpoint');
    await h.slack.submitView(setup, { context: `tenant:${team.id}\nregion:eu` }, h.actors.admin);
    await eventually(() => [...h.novu.endpoints.values()].every((endpoint) => endpoint.contextKeys.includes('region:eu')), { message: 'everything moved' });
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-1', payload: { text: 'paging' }, context: { tenant: team.id, region: 'eu' } });
    expect(h.phones.textsTo('+14155550300').map((text) => text.body)).toEqual(['Incident: paging']);
  });

  it('a route written while the context changes lands in the old context, and follows the change on its own', async () => {
    await routed();
    h.emulator.channels.add({ id: 'C0LATEROUT', name: 'late', kind: 'public', teamId: team.id, members: [bot] });
    h.novu.subscribers.set('sub-3', { subscriberId: 'sub-3' });
    // Novu takes its time over this route, while the admin changes the context.
    h.novu.inject({
      match: (request) => request.method === 'POST' && request.path === '/v1/channel-endpoints' && JSON.stringify(request.body).includes('C0LATEROUT'),
      delayMs: 1_500,
    });
    const late = await h.openModal('/connect', 'channel <#C0LATEROUT|late> sub-3', 'routes.channel');
    const submitted = h.slack.submitView(late, {}, h.actors.admin);
    await eventually(() => h.novu.requests.some((request) => JSON.stringify(request.body ?? '').includes('C0LATEROUT')), {
      message: 'the slow write under way',
    });
    const setup = await h.openModal('/connect', 'setup', 'connect.setup');
    await h.slack.submitView(setup, { context: `tenant:${team.id}\nregion:eu` }, h.actors.admin);
    await submitted;
    const lateRoute = routeIdentifier(team.id, 'slack-prod', 'slack_channel', 'sub-3', 'C0LATEROUT');
    await eventually(() => h.novu.endpoints.get(lateRoute)?.contextKeys.includes('region:eu'), { message: 'the late route moved', timeoutMs: 10_000 });
    // The record follows once Novu has answered the move.
    await eventually(
      async () => JSON.stringify((await h.app.services.store.endpoints.find(lateRoute))?.contextKeys) === JSON.stringify(['region:eu', `tenant:${team.id}`]),
      {
        message: 'the record of the moved route',
      },
    );
    const since = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-3', payload: { text: 'late' }, context: { tenant: team.id, region: 'eu' } });
    expect(deliveredTo(since).map(([channel]) => channel)).toEqual(['C0LATEROUT']);
  });

  it('routes recorded before Switchboard kept their context are looked up at start, and moved when Novu holds them elsewhere', async () => {
    await routed();
    const channelRoute = routeIdentifier(team.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT');
    const { store } = h.app.services;
    const record = await store.endpoints.find(channelRoute);
    if (!record) throw new Error('no route');
    // The connection carries an extra entry its routes never got (the state before this version).
    for (const connection of h.novu.connections.values()) connection.contextKeys = ['region:eu', `tenant:${team.id}`];
    await store.connections.recordSynced(teamKey(team.id), (await store.connections.find(teamKey(team.id)))?.intent ?? '', {
      identifier: record.connectionIdentifier ?? '',
      integrationIdentifier: 'slack-prod',
      mode: 'shared',
      context: { tenant: team.id, region: 'eu' },
      subscriberId: null,
    });
    await store.endpoints.rescope(channelRoute, { contextKeys: null, integrationIdentifier: 'slack-prod', connectionIdentifier: record.connectionIdentifier });
    await h.restart();
    await eventually(() => h.novu.endpoints.get(channelRoute)?.contextKeys.includes('region:eu'), { message: 'moved after the restart', timeoutMs: 10_000 });
    const since = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-1', payload: { text: 'upgraded' }, context: { tenant: team.id, region: 'eu' } });
    expect(deliveredTo(since).map(([channel]) => channel)).toEqual(['C0OPSALERT']);
  });

  it('a change of integration moves each route to the new connection, made before the old one is deleted', async () => {
    await routed();
    const setup = await h.openModal('/connect', 'setup', 'connect.setup');
    await h.slack.submitView(setup, { integration: 'slack-staging' }, h.actors.admin);
    await settled(setup.id, 'Triggers must now send');
    const moved = routeIdentifier(team.id, 'slack-staging', 'slack_channel', 'sub-1', 'C0OPSALERT');
    await eventually(() => h.novu.endpoints.get(moved) && h.novu.endpoints.size === 2, { message: 'routes on the new integration' });
    expect(h.novu.endpoints.get(moved)).toMatchObject({ integrationIdentifier: 'slack-staging', contextKeys: [`tenant:${team.id}`] });
    const since = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'sub-1', payload: { text: 'on staging' }, context: { tenant: team.id } });
    expect(deliveredTo(since).map(([channel]) => channel)).toEqual(['C0OPSALERT']);
    expect(await h.app.services.store.endpoints.find(routeIdentifier(team.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT'))).toBeUndefined();
  });
});

describe('one workspace’s context change, with another workspace’s routes in the same Novu', () => {
  it('moves only that workspace’s routes: the other’s are not written at all, and its triggers still arrive in its own channel', async () => {
    const world = await startWorld();
    h = world.harness;
    await world.installAcme();
    await world.installGlobex();
    h.novu.addWorkflow('incident', ['chat'], 'Incident: {{payload.text}}');
    for (const subscriberId of ['acme-sub', 'globex-sub']) h.novu.subscribers.set(subscriberId, { subscriberId });
    const route = async (channel: string, name: string, tenant: { id: string }, subscriberId: string, actor = world.acmeAdmin) => {
      h.emulator.channels.add({ id: channel, name, kind: 'public', teamId: tenant.id, members: [actor.userId, `U${tenant.id}BOT`] });
      const form = await h.openModal('/connect', `channel <#${channel}|${name}> ${subscriberId}`, 'routes.channel', actor);
      await h.slack.submitView(form, {}, actor);
      await settled(form.id, 'delivery.test');
    };
    await route('C0OPSALERT', 'ops-alerts', acme, 'acme-sub');
    await route('C0GLOBEXOP', 'globex-ops', globex, 'globex-sub', world.globexAdmin);
    const globexRoute = routeIdentifier(globex.id, 'slack-prod', 'slack_channel', 'globex-sub', 'C0GLOBEXOP');
    const globexConnection = connectionIdentifier('slack-prod', globex.id);
    expect(h.novu.endpoints.get(globexRoute)?.contextKeys).toEqual([`tenant:${globex.id}`]);

    const before = h.novu.requests.length;
    const setup = await h.openModal('/connect', 'setup', 'connect.setup', world.acmeAdmin);
    await h.slack.submitView(setup, { context: `tenant:${acme.id}\nregion:eu` }, world.acmeAdmin);
    await eventually(() => [...h.emulator.messages.values()].some((message) => message.text.includes('Moved 1 route or phone endpoint')), {
      message: 'Acme’s route moved',
    });
    const acmeRoute = routeIdentifier(acme.id, 'slack-prod', 'slack_channel', 'acme-sub', 'C0OPSALERT');
    expect(h.novu.endpoints.get(acmeRoute)?.contextKeys).toEqual(['region:eu', `tenant:${acme.id}`]);

    // Nothing of Globex's was written again: neither its route nor its connection.
    const writes = h.novu.requests.slice(before).filter((request) => request.method !== 'GET');
    const touchesGlobex = writes.filter((request) =>
      JSON.stringify([request.path, request.body]).match(new RegExp(`${globexRoute}|${globexConnection}|${globex.id}`)),
    );
    expect(touchesGlobex.map((request) => `${request.method} ${request.path}`)).toEqual([]);
    expect(writes.some((request) => request.method === 'DELETE' && request.path.endsWith(acmeRoute))).toBe(true);
    expect(h.novu.endpoints.get(globexRoute)?.contextKeys).toEqual([`tenant:${globex.id}`]);
    expect(h.novu.connections.get(globexConnection)?.contextKeys).toEqual([`tenant:${globex.id}`]);
    expect(await h.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), actions: ['delivery.move'], limit: 5 })).toEqual([]);

    const since = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'globex-sub', payload: { text: 'globex' }, context: { tenant: globex.id } });
    await integratorTrigger(h.novu, { name: 'incident', to: 'acme-sub', payload: { text: 'acme' }, context: { tenant: acme.id, region: 'eu' } });
    expect(deliveredTo(since)).toEqual([
      ['C0GLOBEXOP', 'Incident: globex', h.emulator.latestBotToken(globex.id)],
      ['C0OPSALERT', 'Incident: acme', h.emulator.latestBotToken(acme.id)],
    ]);
    // Acme's old context reaches nothing any more; Globex's context never reaches Acme.
    const after = mark();
    await integratorTrigger(h.novu, { name: 'incident', to: 'acme-sub', payload: { text: 'old' }, context: { tenant: acme.id } });
    await integratorTrigger(h.novu, { name: 'incident', to: 'acme-sub', payload: { text: 'crossed' }, context: { tenant: globex.id } });
    expect(deliveredTo(after)).toEqual([]);
  });
});
