import { afterEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../../src/features/connect/settings.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { checkView } from '../../kit/block-kit.js';
import { eventually, type Harness, type HarnessOptions, startHarness, team } from '../../kit/harness.js';
import type { Actor } from '../../kit/slack-sender.js';
import { globex, startWorld } from '../../tenancy/world.js';

/** The App Home, the audit trail and its channel, and results posted in a channel on request. */
let harness: Harness;
afterEach(async () => {
  await harness?.stop();
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  harness = await startHarness(options);
  await harness.install();
  return harness;
}

async function openHome(actor: Actor) {
  const publishes = harness.emulator.callsTo('views.publish').length;
  const response = await harness.slack.event({ type: 'app_home_opened', user: actor.userId, tab: 'home', channel: 'D0HOME' }, { teamId: actor.teamId });
  expect(response.status).toBe(200);
  await eventually(() => harness.emulator.callsTo('views.publish').length > publishes, { message: 'views.publish' });
  const calls = harness.emulator.callsTo('views.publish');
  expect(calls.length).toBe(publishes + 1);
  const view = harness.emulator.homeViews.get(actor.userId);
  if (!view) throw new Error('no home view');
  return view;
}

async function registerPhone(
  number: string,
  subscriber: string,
  share = false,
  actor: Actor = harness.actors.admin,
  beforeSubmit?: (responseUrl: string) => void,
) {
  const before = new Set(harness.emulator.views.keys());
  const command = await harness.slack.command('/phone', `register ${number} ${subscriber}`, actor);
  const view = await eventually(() =>
    [...harness.emulator.views.values()].find((candidate) => !before.has(candidate.id) && candidate.callback_id === 'phone.register'),
  );
  beforeSubmit?.(command.responseUrl ?? '');
  await harness.slack.submitView(view, { 'phone.integration': 'twilio-sms', ...(share ? { share: ['in_channel'] } : {}) }, actor);
  await eventually(() => JSON.stringify(harness.emulator.views.get(view.id)).includes('Registered'), { message: 'the registration' });
  return { view: harness.emulator.views.get(view.id), responseUrl: command.responseUrl ?? '' };
}

describe('App Home', () => {
  it('publishes the connection state, recent endpoints and buttons for an admin, from the store alone', async () => {
    await start();
    await registerPhone('+14155550100', 'sub-1');
    const novuCalls = harness.novu.requests.length;
    const home = await openHome(harness.actors.admin);
    expect(harness.novu.requests.length).toBe(novuCalls);
    expect(checkView(home)).toEqual([]);
    const text = JSON.stringify(home);
    expect(text).toContain(connectionIdentifier('slack-prod', team.id));
    expect(text).toContain('connected');
    expect(text).toContain('sub-1');
    expect(text).toContain('connect.setup.open');
    expect(text).toContain('connect.reconnect');
    expect(text).toContain('phone.register.open');
    expect(text).not.toContain('Writes that failed for good');
  });

  it('shows a member no buttons that change anything', async () => {
    await start();
    const text = JSON.stringify(await openHome(harness.actors.member));
    expect(text).not.toContain('connect.disconnect');
    expect(text).not.toContain('phone.register.open');
    expect(text).not.toContain('Recent changes');
  });

  it('an operator sees the job queue, and Retry on a dead job runs it once more', async () => {
    harness = await startHarness();
    harness.novu.featureEnabled = false;
    await harness.install();
    const [dead] = await harness.app.services.store.jobs.list({ statuses: ['dead'], limit: 1 });
    expect(dead?.kind).toBe('novu.connection.sync');

    const home = await openHome(harness.actors.operator);
    const text = JSON.stringify(home);
    expect(text).toContain('Writes that failed for good');
    expect(text).toContain(`home.job.retry:${dead?.id}`);

    harness.novu.featureEnabled = true;
    const posts = harness.novu.requestsTo('POST', '/v1/channel-connections').length;
    await harness.slack.clickButton({ view: home }, `home.job.retry:${dead?.id}`, harness.actors.operator);
    await eventually(() => harness.novu.connections.size === 1, { timeoutMs: 10_000, message: 'the retried connection' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.novu.requestsTo('POST', '/v1/channel-connections').length).toBe(posts + 1);
    expect((await harness.app.services.store.jobs.get(dead?.id ?? ''))?.status).toBe('done');
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['job.retry'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', userId: harness.actors.operator.userId });
  });

  it('with jobs.manage open to admins, another workspace’s admin cannot re-run Acme’s dead job with a replayed Retry', async () => {
    const world = await startWorld({ env: { PERMISSIONS: 'jobs.manage=admins' } });
    harness = world.harness;
    harness.novu.featureEnabled = false;
    await world.installAcme();
    await world.installGlobex();
    const dead = (await harness.app.services.store.jobs.list({ statuses: ['dead'], limit: 10 })).find((job) => job.workspaceKey === teamKey(team.id));
    expect(dead?.kind).toBe('novu.connection.sync');
    harness.novu.featureEnabled = true;
    const globexHome = await openHome(world.globexAdmin);
    expect(JSON.stringify(globexHome)).not.toContain(`home.job.retry:${dead?.id}`);
    const acmeHome = await openHome(world.acmeAdmin);
    expect(JSON.stringify(acmeHome)).toContain(`home.job.retry:${dead?.id}`);
    const posts = harness.novu.requestsTo('POST', '/v1/channel-connections').length;
    // Acme's button, replayed by Globex's admin.
    await harness.slack.clickButton({ view: acmeHome }, `home.job.retry:${dead?.id}`, world.globexAdmin);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await harness.app.services.store.jobs.get(dead?.id ?? ''))?.status).toBe('dead');
    expect(harness.novu.requestsTo('POST', '/v1/channel-connections').length).toBe(posts);
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), actions: ['jobs.manage'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'not-found', userId: world.globexAdmin.userId });

    // Acme's own admin may.
    await harness.slack.clickButton({ view: acmeHome }, `home.job.retry:${dead?.id}`, world.acmeAdmin);
    await eventually(async () => (await harness.app.services.store.jobs.get(dead?.id ?? ''))?.status === 'done', { timeoutMs: 10_000 });
  });

  it('Reconnect and Disconnect from the Home redraw it', async () => {
    await start();
    const home = await openHome(harness.actors.admin);
    const publishes = harness.emulator.callsTo('views.publish').length;
    await harness.slack.clickButton({ view: home }, 'connect.reconnect', harness.actors.admin);
    await eventually(() => harness.emulator.callsTo('views.publish').length > publishes);
    expect(harness.novu.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);

    await harness.slack.clickButton({ view: harness.emulator.homeViews.get(harness.actors.admin.userId) ?? home }, 'connect.disconnect', harness.actors.admin);
    await eventually(() => JSON.stringify(harness.emulator.homeViews.get(harness.actors.admin.userId)).includes('is not connected to Novu'));
    expect(harness.novu.connections.size).toBe(0);
  });
});

describe('App Home shows each person what they may see and do', () => {
  /** Two routes and a registered phone, written through the real forms. */
  async function withRoutesAndPhone(options: HarnessOptions = {}) {
    await start(options);
    harness.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: ['U0ADMIN', `U${team.id}BOT`] });
    const channel = await harness.openModal('/connect', 'channel <#C0OPSALERT|ops-alerts> sub-1', 'routes.channel');
    await harness.slack.submitView(channel, {}, harness.actors.admin);
    await eventually(async () => (await harness.app.services.store.endpoints.countByType(teamKey(team.id))).slack_channel === 1, {
      message: 'the channel route',
    });
    const link = await harness.openModal('/connect', 'link <@U0ADMIN|admin> sub-2', 'routes.link');
    await harness.slack.submitView(link, {}, harness.actors.admin);
    await eventually(async () => (await harness.app.services.store.endpoints.countByType(teamKey(team.id))).slack_user === 1, { message: 'the person link' });
    await registerPhone('+14155550100', 'sub-1');
  }

  const order = (text: string, ...parts: string[]) => parts.map((part) => text.indexOf(part));

  it('a member sees their own link and whom to ask, not the routes or phones they may not list', async () => {
    await withRoutesAndPhone();
    const view = await openHome(harness.actors.member);
    expect(checkView(view)).toEqual([]);
    const text = JSON.stringify(view);
    // Not "None yet" while two routes exist: a member is told who decides instead.
    expect(text).not.toContain('None yet');
    expect(text).toContain('Your Slack account is not linked to a Novu subscriber.');
    expect(text).toContain('Workspace admins choose which channels and people Novu posts to.');
    // The installer is an admin Slack has told Switchboard about: named by mention.
    expect(text).toContain('Ask <@U0INSTALLER> or another workspace admin');
    expect(text).toContain('routes.link.self.open');
    // `/phone list` refuses a member: the Home does not show those numbers either.
    expect(text).not.toContain('+14155550100');
    expect(text).not.toContain('Phones registered');
    expect(text).not.toContain('Recent activity');
    expect(text).not.toContain('Waiting for you');
    // A refusal names the same people.
    const refused = await harness.slack.command('/phone', 'list', harness.actors.member);
    expect(refused.text).toContain('Only workspace admins');
    expect(refused.text).toContain('Ask <@U0INSTALLER> or another workspace admin');
  });

  it('an admin sees every route, the phones and the activity as sentences, with nothing waiting', async () => {
    await withRoutesAndPhone();
    const text = JSON.stringify(await openHome(harness.actors.admin));
    expect(text).toContain('C0OPSALERT');
    expect(text).toContain('sub-2');
    expect(text).toContain('+14155550100 for subscriber `sub-1`');
    expect(text).toContain('Recent activity');
    expect(text).toMatch(/<@U0ADMIN> routed <#C0OPSALERT> to subscriber `sub-1`\./);
    expect(text).toMatch(/<@U0ADMIN> registered \+1 415 •+ 0100 for subscriber `sub-1`\./);
    // No action codes in the activity.
    expect(text).not.toMatch(/`(endpoint\.register|route\.create|connection\.install)`/);
    expect(text).not.toContain('Waiting for you');
  });

  it('an operator sees what waits for them first: a workspace to approve, then this workspace, then the activity', async () => {
    const world = await startWorld({ env: { INSTALL_POLICY: 'approval' } });
    harness = world.harness;
    await world.installAcme();
    await world.installGlobex();
    const text = JSON.stringify(await openHome(harness.actors.operator));
    const [waiting = -1, approve = -1, connection = -1, activity = -1] = order(
      text,
      'Waiting for you',
      'Workspaces waiting for approval',
      '*Novu*',
      'Recent activity',
    );
    expect(waiting).toBeGreaterThan(0);
    expect(approve).toBeGreaterThan(waiting);
    expect(connection).toBeGreaterThan(approve);
    expect(activity).toBeGreaterThan(connection);
  });
});

describe('audit trail', () => {
  it('records every write and refusal, and posts one line per write to AUDIT_CHANNEL', async () => {
    await start({ env: { AUDIT_CHANNEL: 'C0AUDIT' }, vapi: true, signalwire: true });
    harness.emulator.channels.add({ id: 'C0AUDIT', name: 'switchboard-audit', kind: 'public' });
    await registerPhone('+14155550100', 'sub-1');
    await harness.slack.command('/connect', 'setup', harness.actors.member);
    await harness.slack.event({ type: 'app_uninstalled' }, { teamId: team.id });
    await eventually(async () => (await harness.app.services.store.audit.list({ limit: 20 })).some((entry) => entry.action === 'connection.delete'));
    await harness.app.services.audit.flush();

    const entries = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 20 });
    const actions = entries.map((entry) => `${entry.action}:${entry.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining(['connection.install:ok', 'endpoint.register:ok', 'connection.write:refused', 'workspace.uninstall:ok', 'connection.delete:ok']),
    );
    const posted = harness.emulator.callsTo('chat.postMessage').filter((call) => call.ok && call.args.channel === 'C0AUDIT');
    expect(posted.map((call) => String(call.args.text)).join('\n')).toMatch(/<@U0ADMIN> registered \+1 415 •+ 0100 for subscriber `sub-1`\./);
    expect(posted.some((call) => String(call.args.text).includes('refused'))).toBe(false);
  });
});

describe('results in the channel', () => {
  const botUser = `U${team.id}BOT`;
  const postsAsBot = (channel: string) => harness.emulator.callsTo('chat.postMessage').filter((call) => call.ok && call.args.channel === channel);
  const noteOf = (view: unknown) => JSON.stringify(view).match(/(Posted in [^"]*|Not posted in the channel: [^"]*)/)?.[1];

  it('are posted only when the person ticks the box; in a public channel the bot posts without being a member', async () => {
    await start();
    await registerPhone('+14155550100', 'sub-1');
    expect(postsAsBot('C0GENERAL')).toHaveLength(0);
    const { view } = await registerPhone('+14155550111', 'sub-2', true);
    const shared = await eventually(() => postsAsBot('C0GENERAL')[0]);
    expect(String(shared.args.text)).toContain('+14155550111');
    expect(String(shared.args.text)).toContain('<@U0ADMIN>');
    expect(noteOf(view)).toBe('Posted in <#C0GENERAL>.');
  });

  it('in a private channel the bot is not in, and in a DM between people, the command’s response_url posts it for everyone', async () => {
    await start();
    harness.emulator.channels.add({ id: 'C0PRIVATE', name: 'ops-private', kind: 'private', members: ['U0ADMIN'] });
    harness.emulator.channels.add({ id: 'D0PAIR', name: 'D0PAIR', kind: 'im', members: ['U0ADMIN', 'U0MEMBER'] });
    for (const channelId of ['C0PRIVATE', 'D0PAIR']) {
      const { view, responseUrl } = await registerPhone(`+1415555${channelId === 'D0PAIR' ? '0122' : '0121'}`, 'sub-1', true, {
        ...harness.actors.admin,
        channelId,
      });
      const [post] = harness.emulator.responsesTo(responseUrl);
      expect(post?.channelId).toBe(channelId);
      expect(post?.body.response_type).toBe('in_channel');
      expect(JSON.stringify(post?.body)).toContain('<@U0ADMIN>');
      expect(postsAsBot(channelId)).toHaveLength(0);
      expect(noteOf(view)).toBe(`Posted in <#${channelId}>.`);
    }
  });

  it('where the bot is a member of a private channel it posts itself', async () => {
    await start();
    harness.emulator.channels.add({ id: 'C0PRIVATE', name: 'ops-private', kind: 'private', members: ['U0ADMIN', botUser] });
    const { responseUrl } = await registerPhone('+14155550131', 'sub-1', true, { ...harness.actors.admin, channelId: 'C0PRIVATE' });
    expect(postsAsBot('C0PRIVATE')).toHaveLength(1);
    expect(harness.emulator.responsesTo(responseUrl)).toEqual([]);
  });

  it('says so when it cannot: the command’s link expired, or the channel is archived', async () => {
    await start();
    harness.emulator.channels.add({ id: 'C0PRIVATE', name: 'ops-private', kind: 'private', members: ['U0ADMIN'] });
    harness.emulator.channels.add({ id: 'C0OLD', name: 'old-ops', kind: 'public', archived: true });
    const expired = await registerPhone('+14155550141', 'sub-1', true, { ...harness.actors.admin, channelId: 'C0PRIVATE' }, (url) =>
      harness.emulator.expireResponseUrl(url),
    );
    expect(noteOf(expired.view)).toMatch(
      /^Not posted in the channel: Switchboard is not a member of that conversation, and the command’s link to it has expired/,
    );
    const archived = await registerPhone('+14155550142', 'sub-2', true, { ...harness.actors.admin, channelId: 'C0OLD' });
    expect(noteOf(archived.view)).toBe('Not posted in the channel: the channel is archived.');
    expect(harness.emulator.problems).toEqual([]);
  });
});
