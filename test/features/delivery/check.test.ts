import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../../src/features/connect/settings.js';
import { routeIdentifier } from '../../../src/features/routes/route-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { checkMessage } from '../../kit/block-kit.js';
import { eventually, type Harness } from '../../kit/harness.js';
import { integratorTrigger } from '../../kit/integrator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { acme, globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * `/connect check`: what would not deliver, found as Novu's worker and Slack would find it, each
 * with a Fix where Switchboard can fix it — and after the fix, a trigger arrives.
 */
let world: World;
let h: Harness;
beforeEach(async () => {
  world = await startWorld();
  h = world.harness;
  await world.installAcme();
  h.novu.addWorkflow('incident', ['chat'], 'Incident: {{payload.text}}');
  h.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: acme.id, members: ['U0ADMIN', bot] });
});
afterEach(() => h.stop());

const bot = `U${acme.id}BOT`;
const channelRoute = routeIdentifier(acme.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT');

async function routeChannel(channel = 'C0OPSALERT', subscriberId = 'sub-1'): Promise<void> {
  const form = await h.openModal('/connect', `channel <#${channel}|x> ${subscriberId}`, 'routes.channel');
  await h.slack.submitView(form, {}, world.acmeAdmin);
  await eventually(() => JSON.stringify(h.emulator.views.get(form.id)).includes('delivery.test'), { message: 'routed' });
}

/** Runs /connect check and returns the report message with its response_url. */
async function check(actor: Actor = world.acmeAdmin): Promise<{ message: Record<string, any>; text: string; responseUrl: string }> {
  const answer = await h.slack.command('/connect', 'check', actor);
  const responseUrl = answer.responseUrl ?? '';
  const post = await eventually(() => h.emulator.responsesTo(responseUrl).find((candidate) => JSON.stringify(candidate.body).includes('Delivery check')), {
    message: 'the delivery report',
  });
  return { message: post.body, text: JSON.stringify(post.body), responseUrl };
}

const delivered = async (subscriberId: string) => {
  const since = h.emulator.calls.length;
  await integratorTrigger(h.novu, { name: 'incident', to: subscriberId, payload: { text: 'x' }, context: { tenant: acme.id } });
  return h.emulator.calls.slice(since).filter((call) => call.method === 'chat.postMessage' && call.ok && String(call.args.text).startsWith('Incident')).length;
};

describe('/connect check', () => {
  it('says everything would deliver, and shows the exact context triggers must carry', async () => {
    await routeChannel();
    const report = await check();
    expect(checkMessage(report.message)).toEqual([]);
    expect(report.text).toContain('The connection and the one route or phone endpoint would deliver');
    expect(report.text).toContain(`\\"context\\": {\\"tenant\\":\\"${acme.id}\\"}`);
  });

  it('finds a route Novu holds under another context, and Move it makes the trigger arrive again', async () => {
    await routeChannel();
    const endpoint = h.novu.endpoints.get(channelRoute);
    if (endpoint) endpoint.contextKeys = [`tenant:${acme.id}`, 'region:eu'];
    expect(await delivered('sub-1')).toBe(0);
    const report = await check();
    expect(report.text).toContain('Novu holds it under another context');
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.acmeAdmin);
    await eventually(() => JSON.stringify(h.novu.endpoints.get(channelRoute)?.contextKeys) === JSON.stringify([`tenant:${acme.id}`]), {
      message: 'the route moved back',
    });
    expect(await delivered('sub-1')).toBe(1);
    expect((await check()).text).toContain('would deliver');
  });

  it('finds a route Novu lost, and a connection Novu lost: Write it again and Reconnect restore delivery', async () => {
    await routeChannel();
    h.novu.endpoints.delete(channelRoute);
    h.novu.connections.delete(connectionIdentifier('slack-prod', acme.id));
    const report = await check();
    expect(report.text).toContain('Novu no longer has this workspace’s connection');
    expect(report.text).toContain('Novu no longer has it.');
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'connect.reconnect', world.acmeAdmin);
    await eventually(() => h.novu.connections.has(connectionIdentifier('slack-prod', acme.id)), { message: 'the connection written again' });
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.acmeAdmin);
    await eventually(() => h.novu.endpoints.has(channelRoute), { message: 'the route written again' });
    expect(await delivered('sub-1')).toBe(1);
  });

  it('finds a public channel an install without chat:write.public has not joined, and Join the channel fixes it', async () => {
    await h.stop();
    world = await startWorld();
    h = world.harness;
    const scopes = ['commands', 'chat:write', 'im:write', 'users:read', 'users:read.email', 'channels:read', 'groups:read', 'channels:join'];
    await h.install({ team: acme, userId: 'U0INSTALLER', scopes });
    h.novu.addWorkflow('incident', ['chat'], 'Incident: {{payload.text}}');
    h.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: acme.id, members: ['U0ADMIN', bot] });
    await routeChannel();
    h.emulator.channels.get('C0OPSALERT')?.members.delete(bot);
    expect(await delivered('sub-1')).toBe(0);
    const report = await check();
    expect(report.text).toContain('Switchboard is not in this public channel');
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.acmeAdmin);
    await eventually(() => h.emulator.responsesTo(report.responseUrl).some((post) => JSON.stringify(post.body).includes('joined <#C0OPSALERT>')));
    expect(await delivered('sub-1')).toBe(1);
  });

  it('finds a person who left, an archived channel, and a subscriber whose SMS goes to another phone, each with its fix', async () => {
    await routeChannel();
    h.emulator.channels.add({ id: 'C0OLDSTUFF', name: 'old', kind: 'public', teamId: acme.id, members: [bot] });
    await routeChannel('C0OLDSTUFF');
    const link = await h.openModal('/connect', 'link <@U0MEMBER|member> sub-2', 'routes.link');
    await h.slack.submitView(link, {}, world.acmeAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(link.id)).includes('as direct messages'));
    h.novu.subscribers.set('sms-9', { subscriberId: 'sms-9', phone: '+14155550900' });
    const register = await h.openModal('/phone', 'register +14155550901 sms-9', 'phone.register');
    await h.slack.submitView(register, { 'phone.integration': 'twilio-sms' }, world.acmeAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(register.id)).includes('Use this number for SMS'));

    const member = h.emulator.users.get('U0MEMBER');
    if (member) member.deleted = true;
    const old = h.emulator.channels.get('C0OLDSTUFF');
    if (old) Object.assign(old, { archived: true });
    const report = await check();
    expect(checkMessage(report.message)).toEqual([]);
    expect(report.text).toContain('Would not deliver: 3 of 4 routes and phone endpoints');
    expect(report.text).toContain('no longer an active member');
    expect(report.text).toContain('The channel is archived');
    expect(report.text).toContain('sends `sms-9`’s SMS to `+14155550900`');
    const phoneFix = (report.message.blocks as Record<string, any>[]).findIndex((block) => JSON.stringify(block).includes('Use this number'));
    const actionId = report.message.blocks[phoneFix].accessory.action_id as string;
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, actionId, world.acmeAdmin);
    await eventually(() => h.novu.subscribers.get('sms-9')?.phone === '+14155550901', { message: 'the phone replaced' });
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['delivery.check'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', detail: { endpoints: 4, findings: 3 } });
  });

  it('the App Home shows the context to trigger with and the latest check; Check delivery runs one and redraws it', async () => {
    await routeChannel();
    await h.slack.event({ type: 'app_home_opened', user: world.acmeAdmin.userId, tab: 'home' }, { teamId: acme.id });
    const home = await eventually(() => h.emulator.homeViews.get(world.acmeAdmin.userId));
    expect(JSON.stringify(home)).toContain(`{\\"tenant\\":\\"${acme.id}\\"}`);
    expect(JSON.stringify(home)).toContain('Not checked yet');
    await h.slack.clickButton({ view: home }, 'delivery.check', world.acmeAdmin);
    await eventually(() => JSON.stringify(h.emulator.homeViews.get(world.acmeAdmin.userId)).includes('would deliver'), { message: 'the Home redrawn' });
    await eventually(() => [...h.emulator.messages.values()].some((message) => message.text.includes('would deliver')), { message: 'the report by DM' });
  });
});

describe('/connect check when the store cannot take it', () => {
  it('the check, Test through Novu and a Fix are stored before anyone is told; a store that does not answer in time is said plainly, and nothing runs', async () => {
    await routeChannel();
    const endpoint = h.novu.endpoints.get(channelRoute);
    if (endpoint) endpoint.contextKeys = [`tenant:${acme.id}`, 'region:eu'];
    const report = await check();
    const { jobs } = h.app.services.store;
    const enqueue = jobs.enqueue.bind(jobs);
    let refused = 0;
    // A stalled database: nothing it is asked to store answers within the acknowledgement's budget.
    jobs.enqueue = async () => {
      refused += 1;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      throw new Error('the database did not answer');
    };
    const saidNotSaved = (url: string) => h.emulator.responsesTo(url).filter((post) => JSON.stringify(post.body).includes('could not save this in time'));

    const started = Date.now();
    const command = await h.slack.command('/connect', 'check', world.acmeAdmin);
    await eventually(() => saidNotSaved(command.responseUrl ?? '').length === 1, { message: 'the command told it was not saved' });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(JSON.stringify(h.emulator.responsesTo(command.responseUrl ?? ''))).not.toContain('Checking the connection');

    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.acmeAdmin);
    await eventually(() => saidNotSaved(report.responseUrl).length === 1, { message: 'the Fix told it was not saved' });
    expect(JSON.stringify(h.emulator.responsesTo(report.responseUrl))).not.toContain('Writing');

    const routed = {
      blocks: [
        { type: 'actions', elements: [{ type: 'button', action_id: 'delivery.test', value: channelRoute, text: { type: 'plain_text', text: 'Test' } }] },
      ],
    };
    const testUrl = h.emulator.newResponseUrl('C0GENERAL');
    await h.slack.clickButton({ message: routed, responseUrl: testUrl }, 'delivery.test', world.acmeAdmin);
    await eventually(() => saidNotSaved(testUrl).length === 1, { message: 'Test through Novu told it was not saved' });
    expect(JSON.stringify(h.emulator.responsesTo(testUrl))).not.toContain('Testing');
    expect(refused).toBe(3);

    // The store answers again: the same Fix is stored, then said, and runs once.
    jobs.enqueue = enqueue;
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.acmeAdmin);
    await eventually(() => JSON.stringify(h.novu.endpoints.get(channelRoute)?.contextKeys) === JSON.stringify([`tenant:${acme.id}`]), {
      message: 'the route moved back',
    });
    expect(JSON.stringify(h.emulator.responsesTo(report.responseUrl))).toContain('Writing');
    const stored = await h.app.services.store.jobs.list({
      workspaceKey: teamKey(acme.id),
      kinds: ['novu.endpoints.move', 'novu.delivery.check', 'novu.delivery.test'],
      limit: 50,
    });
    expect(stored.map((job) => job.kind).sort()).toEqual(['novu.delivery.check', 'novu.endpoints.move']);
  });
});

describe('/connect check across tenants and roles', () => {
  it('a member may not check; another workspace’s admin replaying a Fix changes nothing', async () => {
    await routeChannel();
    const member = await h.slack.command('/connect', 'check', world.acmeMember);
    expect(member.json?.text).toContain('Only workspace admins');
    const endpoint = h.novu.endpoints.get(channelRoute);
    if (endpoint) endpoint.contextKeys = ['tenant:elsewhere'];
    const report = await check();
    await world.installGlobex();
    const writes = world.novuWrites();
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.globexAdmin);
    await eventually(() => h.emulator.responsesTo(report.responseUrl).some((post) => JSON.stringify(post.body).includes('no such route')));
    await eventually(async () => (await h.app.services.store.jobs.list({ statuses: ['pending', 'running'], limit: 1 })).length === 0, {
      message: 'the queue settled',
    });
    expect(world.novuWrites()).toBe(writes);
    expect(h.novu.endpoints.get(channelRoute)?.contextKeys).toEqual(['tenant:elsewhere']);
  });
});

describe('/connect check: the connection’s integration and token, and after the fixes', () => {
  it('finds the connection’s integration switched off in Novu, while no trigger arrives', async () => {
    await routeChannel();
    const integration = h.novu.integrations.find((candidate) => candidate.identifier === 'slack-prod');
    if (integration) integration.active = false;
    expect(await delivered('sub-1')).toBe(0);
    // The integration list is cached for a minute: a new process reads it fresh.
    await h.restart();
    const report = await check();
    expect(checkMessage(report.message)).toEqual([]);
    expect(report.text).toContain('Would not deliver: the connection and 1 of 1 routes and phone endpoints');
    expect(report.text).toContain('Its Novu integration cannot post into Slack (slack-prod is not an active integration in Novu.)');
    expect(report.text).toContain('Its integration is not active in Novu');
  });

  it('finds a bot token Slack refuses; installing again makes the trigger arrive and the check pass', async () => {
    await routeChannel();
    h.emulator.revokeToken(h.emulator.latestBotToken(acme.id) ?? '');
    expect(await delivered('sub-1')).toBe(0);
    const report = await check();
    expect(report.text).toContain('Slack refuses this workspace’s bot token (token_revoked): install Switchboard again.');
    await world.installAcme();
    await eventually(async () => (await delivered('sub-1')) === 1, { message: 'the new token in Novu' });
    expect((await check()).text).toContain('The connection and the one route or phone endpoint would deliver');
  });

  it('Test through Novu says Slack refused the token Novu holds (invalid_auth); Reconnect from /connect makes it deliver', async () => {
    const form = await h.openModal('/connect', 'channel <#C0OPSALERT|ops-alerts> sub-1', 'routes.channel');
    await h.slack.submitView(form, {}, world.acmeAdmin);
    const routed = await eventually(() =>
      JSON.stringify(h.emulator.views.get(form.id)).includes('delivery.test') ? h.emulator.views.get(form.id) : undefined,
    );
    // Novu holds a token Slack never issued (pasted by hand, or from another app).
    for (const connection of h.novu.connections.values()) connection.auth = { accessToken: 'xoxb-not-a-token' };
    const testResult = async (marker: string) => {
      await h.slack.clickButton({ view: h.emulator.views.get(form.id) ?? routed }, 'delivery.test', world.acmeAdmin);
      return eventually(() => (JSON.stringify(h.emulator.views.get(form.id)).includes(marker) ? JSON.stringify(h.emulator.views.get(form.id)) : undefined), {
        message: marker,
        timeoutMs: 10_000,
      });
    };
    const refused = await testResult('refused the token');
    expect(refused).toContain('Slack refused the token Novu holds for this workspace');
    expect(refused).toContain('invalid_auth');
    expect(h.emulator.callsTo('chat.postMessage').filter((call) => call.error === 'invalid_auth')).toHaveLength(1);

    const status = await h.slack.command('/connect', 'status', world.acmeAdmin);
    const card = await eventually(() => h.emulator.responsesTo(status.responseUrl ?? '').at(-1));
    await h.slack.clickButton({ message: card.body, responseUrl: status.responseUrl }, 'connect.reconnect', world.acmeAdmin);
    await eventually(() => [...h.novu.connections.values()].every((connection) => connection.auth.accessToken === h.emulator.latestBotToken(acme.id)), {
      message: 'the token written again',
    });
    expect(await testResult('Delivered')).toContain('Delivered: Novu posted the test in <#C0OPSALERT>');
    expect(await delivered('sub-1')).toBe(1);
  });

  it('Use this number makes the registered number the subscriber’s phone, and the next SMS reaches it instead of the old one', async () => {
    h.novu.addWorkflow('otp', ['sms'], 'Code {{payload.code}}');
    h.novu.subscribers.set('sms-fix', { subscriberId: 'sms-fix', phone: '+14155550500' });
    const register = await h.openModal('/phone', 'register +14155550501 sms-fix', 'phone.register');
    await h.slack.submitView(register, { 'phone.integration': 'twilio-sms' }, world.acmeAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(register.id)).includes('Use this number for SMS'));
    const sms = async (code: string) => integratorTrigger(h.novu, { name: 'otp', to: 'sms-fix', payload: { code }, context: { tenant: acme.id } });
    const texts = (number: string) => h.phones.textsTo(number).map((text) => text.body);
    await sms('1');
    expect([texts('+14155550500'), texts('+14155550501')]).toEqual([['Code 1'], []]);

    const report = await check();
    expect(report.text).toContain('sends `sms-fix`’s SMS to `+14155550500`, another number');
    await h.slack.clickButton({ message: report.message, responseUrl: report.responseUrl }, 'delivery.fix:0', world.acmeAdmin);
    await eventually(() => h.emulator.responsesTo(report.responseUrl).some((post) => JSON.stringify(post.body).includes('is now `sms-fix`’s phone')), {
      message: 'the phone replaced',
    });
    await sms('2');
    expect([texts('+14155550500'), texts('+14155550501')]).toEqual([['Code 1'], ['Code 2']]);
    expect((await check()).text).toContain('would deliver');
  });
});

describe('/connect check in one workspace of two', () => {
  it('Globex’s check lists Globex’s own routes only, while Acme’s has a route that would not deliver', async () => {
    await routeChannel();
    const endpoint = h.novu.endpoints.get(channelRoute);
    if (endpoint) endpoint.contextKeys = ['tenant:elsewhere'];
    await world.installGlobex();
    h.novu.subscribers.set('globex-sub', { subscriberId: 'globex-sub' });
    h.emulator.channels.add({ id: 'C0GLOBEXOP', name: 'globex-ops', kind: 'public', teamId: globex.id, members: [`U${globex.id}BOT`] });
    const form = await h.openModal('/connect', 'channel <#C0GLOBEXOP|globex-ops> globex-sub', 'routes.channel', world.globexAdmin);
    await h.slack.submitView(form, {}, world.globexAdmin);
    await eventually(() => JSON.stringify(h.emulator.views.get(form.id)).includes('delivery.test'), { message: 'Globex routed' });

    const report = await check(world.globexAdmin);
    expect(report.text).toContain('The connection and the one route or phone endpoint would deliver');
    expect(report.text).toContain(`{\\"tenant\\":\\"${globex.id}\\"}`);
    expect(report.text).not.toContain('C0OPSALERT');
    expect(report.text).not.toContain(acme.id);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), actions: ['delivery.check'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', userId: world.globexAdmin.userId, detail: { endpoints: 1, findings: 0 } });
    expect((await check()).text).toContain('Would not deliver: 1 of 1 routes and phone endpoints');
  });
});
