import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testWorkflows } from '../../../src/features/delivery/test-workflows.js';
import { endpointIdentifier } from '../../../src/features/phone/endpoint-jobs.js';
import { routeIdentifier } from '../../../src/features/routes/route-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { acme, globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * Test through Novu, end to end: the button beside a route or endpoint triggers Switchboard's own
 * workflow in Novu (made on first use) for the subscriber in the tenant's context, follows Novu's
 * records, and says in words where it arrived or stopped. Each failure is made the way it happens
 * in the field: a context changed in Novu, a token revoked, a bot removed from a channel.
 */
let world: World;
let h: Harness;
beforeEach(async () => {
  world = await startWorld({ env: { NOVU_TEST_WAIT_SECONDS: '3' } });
  h = world.harness;
  await world.installAcme();
});
afterEach(() => h.stop());

const bot = `U${acme.id}BOT`;
const channelRoute = routeIdentifier(acme.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT');

const settled = (id: string, marker: string | RegExp) =>
  eventually(
    () => {
      const text = JSON.stringify(h.emulator.views.get(id));
      return (typeof marker === 'string' ? text.includes(marker) : marker.test(text)) ? (h.emulator.views.get(id) as EmulatedView) : undefined;
    },
    { message: String(marker), timeoutMs: 8_000 },
  );

/** Routes #ops-alerts for sub-1 and returns the result view, which carries the test button. */
async function routedView(): Promise<EmulatedView> {
  h.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'private', teamId: acme.id, members: ['U0ADMIN', bot] });
  const form = await h.openModal('/connect', 'channel <#C0OPSALERT|ops-alerts> sub-1', 'routes.channel');
  await h.slack.submitView(form, {}, world.acmeAdmin);
  return settled(form.id, 'delivery.test');
}

async function testFrom(view: EmulatedView, actor: Actor = world.acmeAdmin): Promise<EmulatedView> {
  await h.slack.clickButton({ view }, 'delivery.test', actor);
  return settled(view.id, /Delivered|Not delivered|could not be run|did not take|stopped following/);
}

const triggers = () => h.novu.requestsTo('POST', '/v1/events/trigger');

describe('Test through Novu', () => {
  it('reports delivered after Novu posted into the channel with the workspace’s token, in the workspace’s context, through a workflow it made once', async () => {
    const view = await routedView();
    const result = await testFrom(view);
    expect(JSON.stringify(result.blocks)).toContain('Delivered: Novu posted the test in <#C0OPSALERT>');
    const [trigger] = triggers();
    expect(trigger?.problems).toEqual([]);
    expect(trigger?.body).toMatchObject({ name: testWorkflows.chat, to: 'sub-1', context: { tenant: acme.id } });
    const posted = h.emulator.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Test notification from Switchboard'));
    expect(posted.map((call) => [call.args.channel, call.token, call.ok])).toEqual([['C0OPSALERT', h.emulator.latestBotToken(acme.id), true]]);
    expect(h.novu.requestsTo('POST', '/v2/workflows')).toHaveLength(1);
    expect(h.novu.requestsTo('POST', '/v2/workflows')[0]?.problems).toEqual([]);

    await h.slack.clickButton({ view: result }, 'delivery.test', world.acmeAdmin);
    const audited = () => h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['delivery.test'], limit: 5 });
    await eventually(async () => (await audited()).length === 2, { message: 'the second test' });
    expect((await audited()).map((entry) => entry.outcome)).toEqual(['ok', 'ok']);
    expect(triggers()).toHaveLength(2);
    expect(new Set(triggers().map((trigger) => (trigger.body as { transactionId: string }).transactionId)).size).toBe(2);
    expect(h.novu.requestsTo('POST', '/v2/workflows')).toHaveLength(1);
  });

  it('says there is no route in this context when Novu holds the route under another context', async () => {
    const view = await routedView();
    const endpoint = h.novu.endpoints.get(channelRoute);
    if (endpoint) endpoint.contextKeys = [`tenant:${acme.id}`, 'region:eu'];
    const text = JSON.stringify((await testFrom(view)).blocks);
    expect(text).toContain('Novu found nothing of');
    expect(text).toContain('/connect check');
    expect(text).toContain('Subscriber does not have a configured channel with the given context');
  });

  it('says the connection was not found in the context (posted without a token) when the connection moved to another context in Novu', async () => {
    const view = await routedView();
    for (const connection of h.novu.connections.values()) connection.contextKeys = [`tenant:${acme.id}`, 'region:eu'];
    const text = JSON.stringify((await testFrom(view)).blocks);
    expect(text).toContain('found no connection for this route');
    expect(text).toContain('not_authed');
    expect(h.emulator.callsTo('chat.postMessage').filter((call) => call.error === 'not_authed')).toHaveLength(1);
  });

  it('gives Slack’s answer in words: the bot removed from the channel, then a revoked token', async () => {
    const view = await routedView();
    h.emulator.channels.get('C0OPSALERT')?.members.delete(bot);
    const removed = JSON.stringify((await testFrom(view)).blocks);
    expect(removed).toMatch(/cannot see <#C0OPSALERT>|is not in <#C0OPSALERT>/);

    // Novu holds a token Slack no longer takes (a rotation Novu never received), while Switchboard's own still works.
    h.emulator.channels.get('C0OPSALERT')?.members.add(bot);
    const stale = h.emulator.issueBotToken({ team: acme, userId: 'U0INSTALLER', scopes: ['chat:write'] });
    h.emulator.revokeToken(stale);
    for (const connection of h.novu.connections.values()) connection.auth = { accessToken: stale };
    await h.slack.clickButton({ view: await settled(view.id, 'Not delivered') }, 'delivery.test', world.acmeAdmin);
    const revoked = JSON.stringify((await settled(view.id, 'refused the token')).blocks);
    expect(revoked).toContain('token_revoked');
  });

  it('says an archived channel cannot take posts, and a public channel needs an invitation when the install lacks chat:write.public', async () => {
    const view = await routedView();
    const channel = h.emulator.channels.get('C0OPSALERT');
    if (channel) Object.assign(channel, { archived: true });
    expect(JSON.stringify((await testFrom(view)).blocks)).toContain('is archived');

    const narrow = await startWorld({ env: { NOVU_TEST_WAIT_SECONDS: '3' } });
    try {
      const scopes = ['commands', 'chat:write', 'im:write', 'users:read', 'users:read.email', 'channels:read', 'groups:read', 'channels:join'];
      await narrow.harness.install({ team: acme, userId: 'U0INSTALLER', scopes });
      narrow.harness.emulator.channels.add({ id: 'C0PUBLIC01', name: 'incidents', kind: 'public', teamId: acme.id, members: ['U0ADMIN', bot] });
      const form = await narrow.harness.openModal('/connect', 'channel <#C0PUBLIC01|incidents> sub-1', 'routes.channel');
      await narrow.harness.slack.submitView(form, {}, narrow.acmeAdmin);
      const routed = await eventually(() =>
        JSON.stringify(narrow.harness.emulator.views.get(form.id)).includes('delivery.test') ? narrow.harness.emulator.views.get(form.id) : undefined,
      );
      narrow.harness.emulator.channels.get('C0PUBLIC01')?.members.delete(bot);
      await narrow.harness.slack.clickButton({ view: routed as EmulatedView }, 'delivery.test', narrow.acmeAdmin);
      await eventually(() => JSON.stringify(narrow.harness.emulator.views.get(form.id)).includes('Invite it with /invite'), {
        message: 'not_in_channel in words',
      });
    } finally {
      await narrow.harness.stop();
    }
  });

  it('says Novu has not processed the test when its worker does not get to it within the wait', async () => {
    const view = await routedView();
    h.novu.worker.pause();
    const text = JSON.stringify((await testFrom(view)).blocks);
    expect(text).toContain('stopped following');
    expect(text).toContain('switchboard-test-');
    h.novu.worker.resume();
  });

  it('from /connect routes, answers in the conversation; a second click while it runs starts no second test', async () => {
    await routedView();
    const list = await h.slack.command('/connect', 'routes', world.acmeAdmin);
    const message = (await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').at(-1))).body;
    h.novu.worker.pause();
    await h.slack.clickButton({ message, responseUrl: list.responseUrl }, 'delivery.test:0', world.acmeAdmin);
    await h.slack.clickButton({ message, responseUrl: list.responseUrl }, 'delivery.test:0', world.acmeAdmin);
    await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('already on its way')));
    h.novu.worker.resume();
    await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('Delivered')), {
      timeoutMs: 8_000,
    });
    expect(triggers()).toHaveLength(1);
  });
});

describe('Test through Novu: the other places a notification stops', () => {
  it('a route not selected while the subscriber’s other route got it; an integration switched off in Novu', async () => {
    const view = await routedView();
    h.emulator.channels.add({ id: 'C0SECOND01', name: 'second', kind: 'public', teamId: acme.id, members: [bot] });
    const second = await h.openModal('/connect', 'channel <#C0SECOND01|second> sub-1', 'routes.channel');
    await h.slack.submitView(second, {}, world.acmeAdmin);
    await settled(second.id, 'delivery.test');
    const endpoint = h.novu.endpoints.get(channelRoute);
    if (endpoint) endpoint.contextKeys = ['tenant:elsewhere'];
    expect(JSON.stringify((await testFrom(view)).blocks)).toContain('did not select this one');

    const integration = h.novu.integrations.find((candidate) => candidate.identifier === 'slack-prod');
    if (integration) integration.active = false;
    // The integration list is cached for a minute: a new process reads it fresh.
    await h.restart();
    await h.slack.clickButton({ view: await settled(view.id, 'Not delivered') }, 'delivery.test', world.acmeAdmin);
    expect(JSON.stringify((await settled(view.id, 'is not active in Novu')).blocks)).toContain('slack-prod');
  });

  it('a WhatsApp number the network refuses: the provider’s error; an SMS subscriber without a phone', async () => {
    h.novu.subscribers.set('wa-9', { subscriberId: 'wa-9' });
    const register = await h.openModal('/phone', 'register +14155550999 wa-9', 'phone.register');
    await h.slack.submitView(register, { 'phone.integration': 'whatsapp-business' }, world.acmeAdmin);
    const registered = await settled(register.id, 'phone-registered-test');
    h.phones.unreachable.add('+14155550999');
    const refused = JSON.stringify((await testFrom(registered)).blocks);
    expect(refused).toContain('Novu’s provider failed');
    expect(refused).toContain('unreachable');

    h.novu.subscribers.set('sms-9', { subscriberId: 'sms-9' });
    const sms = await h.openModal('/phone', 'register +14155550998 sms-9', 'phone.register');
    await h.slack.submitView(sms, { 'phone.integration': 'twilio-sms' }, world.acmeAdmin);
    const smsView = await settled(sms.id, 'phone-registered-test');
    h.novu.subscribers.set('sms-9', { subscriberId: 'sms-9', phone: null });
    expect(JSON.stringify((await testFrom(smsView)).blocks)).toContain('has no phone number in Novu');
  });
});

describe('Test through Novu across tenants and roles', () => {
  it('another workspace’s admin replaying the button learns nothing and triggers nothing; a member is refused; an operator may', async () => {
    const view = await routedView();
    await world.installGlobex();
    await h.slack.clickButton({ view }, 'delivery.test', world.globexAdmin);
    // Told in Globex's own DM with Switchboard; Acme's view stays as it was.
    const globexBot = `U${globex.id}BOT`;
    await eventually(
      () =>
        [...h.emulator.messages.values()].some(
          (message) => message.botUserId === globexBot && message.text.includes('There is no such route or phone endpoint'),
        ),
      { message: 'the answer in Globex' },
    );
    expect(JSON.stringify(h.emulator.views.get(view.id)?.blocks)).toContain('delivery.test');
    expect(triggers()).toHaveLength(0);

    await h.slack.clickButton({ view }, 'delivery.test', world.acmeMember);
    await settled(view.id, 'Only workspace admins');
    expect(triggers()).toHaveLength(0);
    expect(await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['delivery.test'], limit: 5 })).toMatchObject([
      { outcome: 'refused', userId: world.acmeMember.userId },
    ]);

    await testFrom(view, world.operator);
    expect(triggers()).toHaveLength(1);
    expect(triggers()[0]?.body).toMatchObject({ context: { tenant: acme.id } });
  });
});

/** The action id of the Test through Novu button for this endpoint, found by its prefix and value wherever the layout puts it. */
function testActionFor(blocks: unknown, identifier: string): string | undefined {
  const found: string[] = [];
  JSON.stringify(blocks, (_key, value: { action_id?: unknown; value?: unknown }) => {
    if (typeof value?.action_id === 'string' && value.action_id.startsWith('delivery.test') && value.value === identifier) found.push(value.action_id);
    return value;
  });
  return found[0];
}

describe('Test through Novu from the App Home and /phone list', () => {
  const testPosts = () =>
    h.emulator
      .callsTo('chat.postMessage')
      .filter((call) => call.ok && String(call.args.text).startsWith('Test notification from Switchboard'))
      .map((call) => [call.args.channel, call.token]);
  const testTexts = (number: string) => h.phones.textsTo(number).filter((text) => text.body.startsWith('Test notification from Switchboard'));

  it('the Home tab’s route and phone rows each report Delivered by direct message; the post and the SMS arrived', async () => {
    await routedView();
    h.novu.subscribers.set('sms-home', { subscriberId: 'sms-home' });
    const register = await h.openModal('/phone', 'register +14155550400 sms-home', 'phone.register');
    await h.slack.submitView(register, { 'phone.integration': 'twilio-sms' }, world.acmeAdmin);
    await settled(register.id, 'phone-registered-test');
    const phoneEndpoint = endpointIdentifier(acme.id, 'twilio-sms', 'sms-home', '+14155550400');
    const admin = world.acmeAdmin.userId;
    await h.slack.event({ type: 'app_home_opened', user: admin, tab: 'home' }, { teamId: acme.id });
    const home = await eventually(() => {
      const view = h.emulator.homeViews.get(admin);
      return view && testActionFor(view.blocks, phoneEndpoint) ? view : undefined;
    });
    const routeAction = testActionFor(home.blocks, channelRoute) ?? '';
    const phoneAction = testActionFor(home.blocks, phoneEndpoint) ?? '';
    expect([routeAction, phoneAction]).toEqual([expect.stringMatching(/^delivery\.test:route-\d+$/), expect.stringMatching(/^delivery\.test:phone-\d+$/)]);
    const told = (text: string) =>
      eventually(() => [...h.emulator.messages.values()].find((message) => message.channel === `D${admin.slice(1)}` && message.text.includes(text)), {
        message: text,
        timeoutMs: 8_000,
      });

    await h.slack.clickButton({ view: home }, routeAction, world.acmeAdmin);
    await told('Delivered: Novu posted the test in <#C0OPSALERT>');
    expect(testPosts()).toEqual([['C0OPSALERT', h.emulator.latestBotToken(acme.id)]]);

    await h.slack.clickButton({ view: home }, phoneAction, world.acmeAdmin);
    await told('Delivered: Novu sent the test SMS to `+14155550400`');
    expect(testTexts('+14155550400')).toHaveLength(1);
    expect(triggers().map((trigger) => (trigger.body as { to: string }).to)).toEqual(['sub-1', 'sms-home']);
  });

  it('/phone list’s row reports Delivered in the conversation, and the number got the test', async () => {
    h.novu.subscribers.set('wa-list', { subscriberId: 'wa-list' });
    const register = await h.openModal('/phone', 'register +14155550410 wa-list', 'phone.register');
    await h.slack.submitView(register, { 'phone.integration': 'whatsapp-business' }, world.acmeAdmin);
    await settled(register.id, 'phone-registered-test');
    const list = await h.slack.command('/phone', 'list', world.acmeAdmin);
    const page = (await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').at(-1))).body;
    const action = testActionFor(page.blocks, endpointIdentifier(acme.id, 'whatsapp-business', 'wa-list', '+14155550410'));
    expect(action).toBe('delivery.test:0');
    await h.slack.clickButton({ message: page, responseUrl: list.responseUrl }, action ?? '', world.acmeAdmin);
    await eventually(
      () =>
        h.emulator.responsesTo(list.responseUrl ?? '').some((post) => JSON.stringify(post.body).includes('Delivered: Novu sent the test to `+14155550410`')),
      { message: 'Delivered in the conversation', timeoutMs: 8_000 },
    );
    expect(testTexts('+14155550410').map((text) => [text.channel, text.providerId])).toEqual([['chat', 'whatsapp-business']]);
  });
});
