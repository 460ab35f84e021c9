import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { endpointIdentifier } from '../../src/features/phone/endpoint-jobs.js';
import { enterpriseKey, teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness } from '../kit/harness.js';
import type { Actor } from '../kit/slack-sender.js';
import { acme, globex, grid, startWorld, type World } from './world.js';

/**
 * Two workspaces and an org-wide install share one Switchboard and one Novu key. Every attempt to
 * read, change or take over another tenant's data goes through the real HTTP receiver and the
 * fake vendors, and is refused with nothing written; next to each, the tenant's own action works.
 */
let world: World;
let h: Harness;
beforeAll(async () => {
  world = await startWorld({ vapi: true });
  h = world.harness;
  for (const install of [world.installAcme, world.installGlobex, world.installGrid]) expect((await install()).html).toContain('Connected to Novu');
});
afterAll(() => h.stop());

const connectionsPath = '/v1/channel-connections';
const endpointsPath = '/v1/channel-endpoints';
const openSetup = (actor: Actor) => h.openModal('/connect', 'setup', 'connect.setup', actor);
const openRegister = (actor: Actor, text = 'register') => h.openModal('/phone', text, 'phone.register', actor);

/** Waits until a modal left its working state, and returns what it shows. */
async function settled(viewId: string): Promise<string> {
  return eventually(
    () => {
      const text = JSON.stringify(h.emulator.views.get(viewId));
      return /Registering the phone endpoint|Writing the connection/.test(text) ? undefined : text;
    },
    { timeoutMs: 15_000, message: 'the form’s result' },
  );
}

async function register(actor: Actor, values: Record<string, unknown>): Promise<string> {
  const view = await openRegister(actor);
  const answer = await h.slack.submitView(view, { 'phone.integration': 'whatsapp-business', ...values }, actor);
  if (answer.json?.response_action === 'errors') return JSON.stringify(answer.json);
  return settled(view.id);
}

describe('connections', () => {
  it('/connect setup: an admin cannot scope the connection to another workspace or its subscriber; their own scope works', async () => {
    const view = await openSetup(world.acmeAdmin);
    const before = world.novuWrites();
    const foreignContext = await h.slack.submitView(view, { context: `tenant:${globex.id}` }, world.acmeAdmin);
    expect(foreignContext.json?.response_action).toBe('errors');
    expect(foreignContext.json?.errors.context).toContain(`Keep tenant:${acme.id}`);
    const foreignSubscriber = await h.slack.submitView(view, { mode: 'subscriber', subscriber: `slack-${globex.id}` }, world.acmeAdmin);
    expect(foreignSubscriber.json?.errors.subscriber).toContain(`slack-${acme.id}`);
    expect(world.novuWrites()).toBe(before);
    expect([...h.novu.connections.values()].filter((connection) => connection.contextKeys.includes(`tenant:${globex.id}`))).toHaveLength(1);

    const own = await h.slack.submitView(view, { context: `tenant:${acme.id}\nregion:eu` }, world.acmeAdmin);
    expect(own.json?.response_action).toBe('update');
    expect(await settled(view.id)).toContain('is connected to Novu through the');
    const mine = h.novu.connections.get(connectionIdentifier('slack-prod', acme.id));
    expect(mine?.contextKeys).toEqual(['region:eu', `tenant:${acme.id}`]);
    expect(h.novu.connections.get(connectionIdentifier('slack-prod', globex.id))?.contextKeys).toEqual([`tenant:${globex.id}`]);
  });

  it('an operator may choose another subscriber, and the audit log says so; nobody may drop the workspace’s context entry', async () => {
    const view = await openSetup(world.operator);
    const dropped = await h.slack.submitView(view, { context: 'tenant:ops-shared' }, world.operator);
    expect(dropped.json?.errors.context).toContain(`Keep tenant:${acme.id}`);
    const answer = await h.slack.submitView(view, { mode: 'subscriber', subscriber: 'acme-ops-owner' }, world.operator);
    expect(answer.json?.response_action).toBe('update');
    await settled(view.id);
    const [entry] = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['connection.setup'], limit: 1 });
    expect(entry).toMatchObject({
      outcome: 'ok',
      userId: world.operator.userId,
      detail: expect.objectContaining({ scopeOverride: true, subscriberId: 'acme-ops-owner' }),
    });
    // Back to the workspace's own scope for the tests that follow.
    const back = await openSetup(world.operator);
    await h.slack.submitView(back, { mode: 'shared', context: `tenant:${acme.id}` }, world.operator);
    await settled(back.id);
  });

  it('a 409 naming another workspace’s connection is not taken over: nothing is written, and the record keeps the connection it had', async () => {
    const at = new Date().toISOString();
    h.novu.connections.set('chconn-foreign', {
      identifier: 'chconn-foreign',
      integrationIdentifier: 'slack-staging',
      subscriberId: null,
      contextKeys: [`tenant:${acme.id}`],
      workspace: { id: globex.id, name: globex.name },
      auth: { accessToken: 'xoxb-globex-own-token' },
      createdAt: at,
      updatedAt: at,
    });
    const recordBefore = await h.app.services.store.connections.find(teamKey(acme.id));
    const view = await openSetup(world.acmeAdmin);
    await h.slack.submitView(view, { integration: 'slack-staging', context: `tenant:${acme.id}` }, world.acmeAdmin);
    const result = await settled(view.id);
    expect(result).toContain('belongs to another Slack workspace');
    expect(h.novu.requests.filter((request) => request.method === 'PATCH' && request.path === `${connectionsPath}/chconn-foreign`)).toHaveLength(0);
    expect(h.novu.connections.get('chconn-foreign')?.auth.accessToken).toBe('xoxb-globex-own-token');
    const record = await h.app.services.store.connections.find(teamKey(acme.id));
    expect(record).toMatchObject({ identifier: recordBefore?.identifier, integrationIdentifier: 'slack-prod', state: 'failed' });

    // Control: the same 409 naming a connection whose workspace is Acme is taken over.
    const foreign = h.novu.connections.get('chconn-foreign');
    if (foreign) foreign.workspace = { id: acme.id, name: acme.name };
    const again = await openSetup(world.acmeAdmin);
    await h.slack.submitView(again, { integration: 'slack-staging', context: `tenant:${acme.id}` }, world.acmeAdmin);
    expect(await settled(again.id)).toContain('chconn-foreign');
    expect(h.novu.connections.get('chconn-foreign')?.auth.accessToken).toBe(h.emulator.latestBotToken(acme.id));
    const adopted = await h.app.services.store.connections.find(teamKey(acme.id));
    expect(adopted).toMatchObject({ identifier: 'chconn-foreign', state: 'connected' });
    // The connection Acme had before is deleted as replaced; Globex's stays.
    await eventually(() => !h.novu.connections.has(connectionIdentifier('slack-prod', acme.id)), { message: 'the replaced connection deleted' });
    expect(h.novu.connections.has(connectionIdentifier('slack-prod', globex.id))).toBe(true);
  });

  it('an org-wide connection is managed by the org’s admins, not by an admin of one of its workspaces', async () => {
    const refused = await h.slack.command('/connect', 'setup', world.gridWorkspaceAdmin);
    expect(refused.json?.text).toContain('org admins and owners');
    const before = h.emulator.callsTo('views.open').length;
    await eventually(() => h.openModal('/connect', 'setup', 'connect.setup', world.gridOrgAdmin));
    expect(h.emulator.callsTo('views.open').length).toBe(before + 1);
    const [refusal] = await h.app.services.store.audit.list({ workspaceKey: enterpriseKey(grid.id), actions: ['connection.write'], limit: 1 });
    expect(refusal).toMatchObject({ outcome: 'refused', userId: world.gridWorkspaceAdmin.userId });
  });
});

describe('phone endpoints', () => {
  const acmeNumber = '+14155550123';
  let acmeEndpoint = '';

  beforeAll(async () => {
    const result = await register(world.acmeAdmin, { subscriber: 'sub-1', number: acmeNumber });
    acmeEndpoint = endpointIdentifier(acme.id, 'whatsapp-business', 'sub-1', acmeNumber);
    expect(result).toContain(acmeEndpoint);
    expect(h.novu.endpoints.get(acmeEndpoint)?.contextKeys).toEqual([`tenant:${acme.id}`]);
  });

  it('/phone list shows each workspace its own endpoints only', async () => {
    expect(await world.answerTo('/phone', 'list', world.globexAdmin)).not.toContain(acmeEndpoint);
    expect(await world.answerTo('/phone', 'list sub-1', world.globexAdmin)).toContain('No phone endpoints');
    expect(await world.answerTo('/phone', 'list', world.acmeAdmin)).toContain(acmeEndpoint);
  });

  it('/phone remove of another workspace’s endpoint is refused without a call to Novu; the owner’s own remove works', async () => {
    const prompt = await h.slack.command('/phone', `remove ${acmeEndpoint}`, world.globexAdmin);
    const message = (await eventually(() => h.emulator.responsesTo(prompt.responseUrl ?? '').at(-1))).body;
    const requestsBefore = h.novu.requests.length;
    await h.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'phone.remove', world.globexAdmin);
    const answer = await eventually(() =>
      h.emulator.responsesTo(prompt.responseUrl ?? '').find((post) => JSON.stringify(post.body).includes('There is no such route or phone endpoint')),
    );
    expect(JSON.stringify(answer.body)).toContain('in this workspace');
    expect(h.novu.requests.length).toBe(requestsBefore);
    expect(h.novu.endpoints.has(acmeEndpoint)).toBe(true);

    const own = await h.slack.command('/phone', `remove ${acmeEndpoint}`, world.acmeAdmin);
    const ownMessage = (await eventually(() => h.emulator.responsesTo(own.responseUrl ?? '').at(-1))).body;
    await h.slack.clickButton({ message: ownMessage, responseUrl: own.responseUrl }, 'phone.remove', world.acmeAdmin);
    await eventually(() => h.emulator.responsesTo(own.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('Removed')));
    expect(h.novu.requestsTo('DELETE', `${endpointsPath}/${acmeEndpoint}`)).toHaveLength(1);
    expect(await h.app.services.store.endpoints.find(acmeEndpoint)).toBeUndefined();
  });

  it('an identifier in use by another workspace is refused without naming its subscriber or number', async () => {
    expect(await register(world.acmeAdmin, { subscriber: 'sub-1', number: '+14155550124', identifier: 'front-desk' })).toContain('front-desk');
    const before = world.novuWrites();
    const refused = await register(world.globexAdmin, { subscriber: 'sub-2', number: '+14155550125', identifier: 'front-desk' });
    expect(refused).toContain('already used by another endpoint');
    expect(refused).not.toContain('sub-1');
    expect(refused).not.toContain('4155550124');
    expect(world.novuWrites()).toBe(before);
    expect(h.novu.endpoints.get('front-desk')?.subscriberId).toBe('sub-1');
  });

  it('the Connection picker offers the workspace’s own connection; operators see every workspace’s, labelled', async () => {
    const view = await openRegister(world.globexAdmin);
    const chosen = { 'phone.integration': 'slack-prod' };
    const forGlobex = await h.slack.suggest(view, 'phone.connection', '', world.globexAdmin, chosen);
    expect(((forGlobex.json?.options ?? []) as { value: string }[]).map((option) => option.value)).toEqual([connectionIdentifier('slack-prod', globex.id)]);
    expect(JSON.stringify(forGlobex.json)).not.toContain(acme.id.toLowerCase());

    const forOperator = await h.slack.suggest(view, 'phone.connection', '', world.operator, chosen);
    const labels = ((forOperator.json?.options ?? []) as { text: { text: string } }[]).map((option) => option.text.text);
    // Acme moved to another integration above; the operator sees Globex's and the org's, each labelled with its owner.
    expect(labels).toEqual(
      expect.arrayContaining([`${connectionIdentifier('slack-prod', globex.id)} (Globex)`, `${connectionIdentifier('slack-prod', grid.id)} (Acme Grid)`]),
    );
  });

  it('the pickers answer only who may use their form: a member replaying the register form’s pickers gets no options', async () => {
    const view = await openRegister(world.acmeAdmin);
    const own = await h.app.services.store.connections.find(teamKey(acme.id));
    const chosen = { 'phone.integration': own?.integrationIdentifier ?? 'slack-prod' };
    const forAdmin = await h.slack.suggest(view, 'phone.connection', '', world.acmeAdmin, chosen);
    expect(JSON.stringify(forAdmin.json)).toContain(String(own?.identifier));
    for (const picker of ['phone.integration', 'phone.connection']) {
      const forMember = await h.slack.suggest(view, picker, '', world.acmeMember, chosen);
      expect(forMember.json).toEqual({ options: [] });
    }
  });

  it('a form naming another workspace’s connection is refused before anything is sent; no context can be typed, the workspace’s own is written', async () => {
    const before = world.novuWrites();
    const foreignConnection = await register(world.globexAdmin, {
      subscriber: 'sub-2',
      number: '+14155550126',
      'phone.connection': connectionIdentifier('slack-prod', grid.id),
    });
    expect(foreignConnection).toContain('Choose this workspace’s connection');
    expect(world.novuWrites()).toBe(before);

    const own = await register(world.globexAdmin, { subscriber: 'sub-2', number: '+14155550126' });
    expect(own).toContain('Registered');
    const [endpoint] = [...h.novu.endpoints.values()].filter((candidate) => candidate.endpoint.phoneNumber === '+14155550126');
    expect(endpoint?.contextKeys).toEqual([`tenant:${globex.id}`]);
  });

  it('the App Home shows the workspace’s own endpoints', async () => {
    await h.slack.event({ type: 'app_home_opened', user: world.globexAdmin.userId, tab: 'home' }, { teamId: globex.id });
    const home = await eventually(() => h.emulator.homeViews.get(world.globexAdmin.userId));
    const text = JSON.stringify(home);
    expect(text).toContain('+14155550126');
    expect(text).not.toContain('+14155550124');
  });
});

describe('numbers', () => {
  it('/phone numbers lists a workspace’s own numbers; another workspace’s stay out of it', async () => {
    const { store } = h.app.services;
    h.vapi.numbers.set('v-acme', { id: 'v-acme', provider: 'vapi', number: '+14155550177', name: 'Acme line', status: 'active' });
    await store.numbers.add({
      backend: 'vapi',
      vendorId: 'v-acme',
      workspaceKey: teamKey(acme.id),
      number: '+14155550177',
      sipUri: null,
      name: 'Acme line',
      status: 'active',
      createdBy: world.operator.userId,
    });
    expect(await world.answerTo('/phone', 'numbers', world.globexAdmin)).not.toContain('4155550177');
    expect(await world.answerTo('/phone', 'numbers', world.acmeAdmin)).toContain('4155550177');
  });
});

describe('Slack routes', () => {
  const acmeBot = `U${acme.id}BOT`;
  const globexBot = `U${globex.id}BOT`;
  const routeChannel = async (actor: Actor, channelId: string) => {
    const view = await h.openModal('/connect', 'channel sub-1', 'routes.channel', actor);
    await h.slack.submitView(view, { 'routes.channel.pick': channelId }, actor);
    return eventually(() => {
      const text = JSON.stringify(h.emulator.views.get(view.id));
      return /Writing the route/.test(text) ? undefined : text;
    });
  };
  const routeIdentifiers = () => [...h.novu.endpoints.values()].filter((endpoint) => endpoint.type.startsWith('slack_')).map((endpoint) => endpoint.identifier);

  beforeAll(() => {
    h.emulator.channels.add({ id: 'C0ACMEOPS1', name: 'acme-ops', kind: 'public', teamId: acme.id, members: [acmeBot] });
    h.emulator.channels.add({ id: 'C0ACMESEC1', name: 'acme-secret', kind: 'private', teamId: acme.id, members: [acmeBot] });
    h.emulator.channels.add({ id: 'C0GLOBOPS1', name: 'globex-ops', kind: 'public', teamId: globex.id, members: [globexBot] });
  });

  it('a channel of another workspace cannot be routed to, picked or forged; the workspace’s own channel can', async () => {
    const before = world.novuWrites();
    for (const channelId of ['C0ACMEOPS1', 'C0ACMESEC1']) expect(await routeChannel(world.globexAdmin, channelId)).toContain('/invite');
    // A forged "join and route" naming Acme's channel: Slack refuses the join, nothing is written.
    const forged = { id: 'V0FORGED01', hash: 'h', type: 'modal' as const, callback_id: 'routes.channel.join', blocks: [], state: { values: {} } };
    await h.slack.submitView({ ...forged, private_metadata: JSON.stringify({ subscriberId: 'sub-1', channelId: 'C0ACMEOPS1' }) }, {}, world.globexAdmin);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.emulator.channels.get('C0ACMEOPS1')?.members.has(globexBot)).toBe(false);
    expect(world.novuWrites()).toBe(before);

    expect(await routeChannel(world.globexAdmin, 'C0GLOBOPS1')).toContain('Test through Novu');
    expect(await routeChannel(world.acmeAdmin, 'C0ACMEOPS1')).toContain('Test through Novu');
    expect(world.novuWrites()).toBe(before + 2);
  });

  it('a person of another workspace cannot be linked; the workspace’s own can', async () => {
    const before = world.novuWrites();
    const view = await h.openModal('/connect', 'link', 'routes.link', world.globexAdmin);
    await h.slack.submitView(view, { 'routes.link.user': world.acmeMember.userId, subscriber: 'sub-2' }, world.globexAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(view.id)).includes('not an active member of this workspace'));
    expect(world.novuWrites()).toBe(before);
    const own = await h.openModal('/connect', 'link', 'routes.link', world.acmeAdmin);
    await h.slack.submitView(own, { 'routes.link.user': world.acmeMember.userId, subscriber: 'sub-2' }, world.acmeAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(own.id)).includes('as direct messages'));
    expect(world.novuWrites()).toBe(before + 1);
  });

  it('/connect routes lists only the workspace’s own; Remove of another’s route (a forged button) is refused without a Novu call', async () => {
    const globexList = await world.answerTo('/connect', 'routes', world.globexAdmin);
    expect(globexList).toContain('C0GLOBOPS1');
    expect(globexList).not.toContain('C0ACMEOPS1');
    const acmeRoute = routeIdentifiers().find((identifier) => h.novu.endpoints.get(identifier)?.endpoint.channelId === 'C0ACMEOPS1') ?? '';
    expect(acmeRoute).not.toBe('');
    const responseUrl = h.emulator.newResponseUrl();
    const forged = {
      blocks: [
        {
          type: 'section',
          block_id: 'x',
          text: { type: 'mrkdwn', text: 'x' },
          accessory: { type: 'button', action_id: 'routes.remove:0', value: acmeRoute, text: { type: 'plain_text', text: 'Remove' } },
        },
      ],
    };
    const requests = h.novu.requests.length;
    await h.slack.clickButton({ message: forged, responseUrl }, 'routes.remove:0', world.globexAdmin);
    const answer = await eventually(() => h.emulator.responsesTo(responseUrl).at(-1));
    expect(JSON.stringify(answer.body)).toContain('in this workspace');
    expect(h.novu.requests.length).toBe(requests);
    expect(h.novu.endpoints.has(acmeRoute)).toBe(true);
  });

  it('another workspace’s link request and link run cannot be decided or started with forged buttons', async () => {
    const request = await h.app.services.store.linkRequests.ask({ workspaceKey: teamKey(acme.id), userId: world.acmeMember.userId, subscriberId: 'sub-1' });
    const { run } = await h.app.services.store.linkRuns.create({ workspaceKey: teamKey(acme.id), requestedBy: world.acmeAdmin.userId });
    await h.app.services.store.linkRuns.saveItems(run.id, [{ userId: world.acmeMember.userId, subscriberId: 'sub-1', state: 'matched', detail: null }]);
    await h.app.services.store.linkRuns.transition(run.id, ['planning'], 'planned');
    const button = (actionId: string, value: string) => ({
      blocks: [{ type: 'actions', block_id: 'x', elements: [{ type: 'button', action_id: actionId, value, text: { type: 'plain_text', text: 'Go' } }] }],
    });
    const before = world.novuWrites();
    await h.slack.clickButton(
      { message: button(`routes.request.approve:${request.id}`, request.id) },
      `routes.request.approve:${request.id}`,
      world.globexAdmin,
    );
    await h.slack.clickButton({ message: button('routes.linkall.apply', run.id) }, 'routes.linkall.apply', world.globexAdmin);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await h.app.services.store.linkRequests.get(request.id))?.status).toBe('pending');
    expect((await h.app.services.store.linkRuns.get(run.id))?.status).toBe('planned');
    expect(world.novuWrites()).toBe(before);
  });

  it('in an org-wide install the org’s admins link the org’s people; an admin of one workspace in it may not', async () => {
    const refused = await world.answerTo('/connect', 'link', world.gridWorkspaceAdmin);
    expect(refused).toContain('org admins');
    const view = await h.openModal('/connect', 'link', 'routes.link', world.gridOrgAdmin);
    await h.slack.submitView(view, { 'routes.link.user': world.gridWorkspaceAdmin.userId, subscriber: 'sub-1' }, world.gridOrgAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(view.id)).includes('as direct messages'));
    const [endpoint] = [...h.novu.endpoints.values()].filter((candidate) => candidate.endpoint.userId === world.gridWorkspaceAdmin.userId);
    expect(endpoint?.contextKeys).toEqual([`tenant:${grid.id}`]);
  });
});
