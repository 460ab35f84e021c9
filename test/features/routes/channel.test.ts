import { afterEach, describe, expect, it } from 'vitest';
import { routeIdentifier } from '../../../src/features/routes/route-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, type HarnessOptions, startHarness, team } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';

/**
 * `/connect channel` end to end, through the real receiver: the form, the bot's standing in the
 * channel (a member, a public channel it joins after asking, a private one it must be invited to,
 * archived, a DM), the Novu `slack_channel` endpoint on the workspace's connection, "Send a test",
 * and `/connect routes` with Remove.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const bot = `U${team.id}BOT`;
const connection = () => `slack-prod-${team.id.toLowerCase()}`;
const endpointPosts = () => h.novu.requestsTo('POST', '/v1/channel-endpoints');

async function start(options: HarnessOptions = {}) {
  h = await startHarness(options);
  await h.install();
  h.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: ['U0ADMIN', bot] });
  h.emulator.channels.add({ id: 'C0PUBLIC01', name: 'incidents', kind: 'public', teamId: team.id, members: ['U0ADMIN'] });
  h.emulator.channels.add({ id: 'C0PRIVATE1', name: 'oncall', kind: 'private', teamId: team.id, members: ['U0ADMIN'] });
  h.emulator.channels.add({ id: 'C0ARCHIVED', name: 'old-ops', kind: 'public', teamId: team.id, archived: true });
  return h;
}

async function openForm(text: string, actor: Actor = h.actors.admin): Promise<EmulatedView> {
  return h.openModal('/connect', `channel ${text}`, 'routes.channel', actor);
}

const viewText = (id: string) => JSON.stringify(h.emulator.views.get(id));
const settled = (id: string, marker: string) => eventually(() => (viewText(id).includes(marker) ? h.emulator.views.get(id) : undefined), { message: marker });

describe('/connect channel', () => {
  it('in a channel the bot is in: one slack_channel endpoint on the workspace’s connection and scope, valid per Novu’s spec', async () => {
    await start();
    const connectionId = (await h.app.services.store.connections.find(teamKey(team.id)))?.identifier;
    const view = await openForm('<#C0OPSALERT|ops-alerts> sub-1');
    const picker = JSON.stringify(view.blocks);
    expect(picker).toContain('"initial_conversation":"C0OPSALERT"');
    expect(picker).toContain('"conversations_select"');
    const answer = await h.slack.submitView(view, {}, h.actors.admin);
    expect(answer.json?.response_action).toBe('update');
    const done = await settled(view.id, 'Test through Novu');
    const identifier = routeIdentifier(team.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT');
    expect(JSON.stringify(done)).toContain(identifier);
    expect(endpointPosts()).toHaveLength(1);
    expect(endpointPosts()[0]?.problems).toEqual([]);
    expect(endpointPosts()[0]?.body).toEqual({
      identifier,
      type: 'slack_channel',
      subscriberId: 'sub-1',
      integrationIdentifier: 'slack-prod',
      connectionIdentifier: connectionId,
      context: { tenant: team.id },
      endpoint: { channelId: 'C0OPSALERT' },
    });
    expect(await h.app.services.store.endpoints.find(identifier)).toMatchObject({
      type: 'slack_channel',
      target: 'C0OPSALERT',
      workspaceKey: teamKey(team.id),
    });
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['route.create'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', userId: 'U0ADMIN', backendId: identifier });
  });

  it('a public channel the bot is not in: it asks, joins, then routes; routing the same twice makes one endpoint', async () => {
    await start();
    const view = await openForm('<#C0PUBLIC01|incidents> sub-1');
    const answer = await h.slack.submitView(view, {}, h.actors.admin);
    expect(answer.json?.view?.callback_id).toBe('routes.channel.join');
    expect(JSON.stringify(answer.json?.view)).toContain('#incidents');
    expect(h.emulator.callsTo('conversations.join')).toHaveLength(0);
    const confirm = h.emulator.views.get(view.id) as EmulatedView;
    await h.slack.submitView(confirm, {}, h.actors.admin);
    await settled(view.id, 'Test through Novu');
    expect(h.emulator.callsTo('conversations.join').map((call) => [call.args.channel, call.ok])).toEqual([['C0PUBLIC01', true]]);
    expect(h.emulator.channels.get('C0PUBLIC01')?.members.has(bot)).toBe(true);

    const again = await openForm('<#C0PUBLIC01|incidents> sub-1');
    await h.slack.submitView(again, {}, h.actors.admin);
    expect(JSON.stringify(await settled(again.id, 'Test through Novu'))).toContain('already routed there');
    expect(h.novu.endpoints.size).toBe(1);
  });

  it('a private channel: says how to invite the bot, Check again finds it still missing, then routes once it is invited', async () => {
    await start();
    const view = await openForm('<#C0PRIVATE1|oncall> sub-1');
    const answer = await h.slack.submitView(view, {}, h.actors.admin);
    // The mention stands outside the code span, where Slack shows it as the bot's name.
    expect(JSON.stringify(answer.json?.view)).toContain(`\`/invite\` <@${bot}>`);
    expect(JSON.stringify(answer.json?.view)).not.toMatch(/`[^`]*<@[^`]*`/);
    const inviting = h.emulator.views.get(view.id) as EmulatedView;
    await h.slack.clickButton({ view: inviting }, 'routes.channel.recheck', h.actors.admin);
    await settled(view.id, 'Still not invited');
    expect(endpointPosts()).toHaveLength(0);

    h.emulator.channels.get('C0PRIVATE1')?.members.add(bot);
    await h.slack.clickButton({ view: h.emulator.views.get(view.id) as EmulatedView }, 'routes.channel.recheck', h.actors.admin);
    await settled(view.id, 'Test through Novu');
    expect(endpointPosts()[0]?.body).toMatchObject({ type: 'slack_channel', endpoint: { channelId: 'C0PRIVATE1' } });
  });

  it('an archived channel and a direct message are refused under the field; nothing reaches Novu', async () => {
    await start();
    const archived = await h.slack.submitView(await openForm('<#C0ARCHIVED|old-ops> sub-1'), {}, h.actors.admin);
    expect(archived.json).toMatchObject({ response_action: 'errors', errors: { channel: expect.stringContaining('archived') } });
    const view = await openForm('sub-1');
    const direct = await h.slack.submitView(view, { 'routes.channel.pick': 'D0ADMINDM1' }, h.actors.admin);
    expect(direct.json).toMatchObject({ response_action: 'errors', errors: { channel: expect.stringContaining('/connect link') } });
    const empty = await h.slack.submitView(view, { subscriber: '  ', 'routes.channel.pick': 'C0OPSALERT' }, h.actors.admin);
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { subscriber: expect.any(String) } });
    expect(endpointPosts()).toHaveLength(0);
  });

  it('without a Novu connection it says to set one up first, and a member may not route', async () => {
    await start({ env: { NOVU_INTEGRATION_IDENTIFIER: '' } });
    const answer = await h.slack.command('/connect', 'channel', h.actors.admin);
    const reply = await eventually(() => h.emulator.responsesTo(answer.responseUrl ?? '').at(-1));
    expect(JSON.stringify(reply.body)).toContain('/connect setup');
    const member = await h.slack.command('/connect', 'channel', h.actors.member);
    expect(member.json?.text).toContain('Only workspace admins');
    expect(h.emulator.callsTo('views.open').filter((call) => call.ok)).toHaveLength(0);
  });
});

describe('/connect routes', () => {
  it('lists channel and people routes with Remove, which deletes once after confirmation', async () => {
    await start();
    const view = await openForm('<#C0OPSALERT|ops-alerts> sub-1');
    await h.slack.submitView(view, {}, h.actors.admin);
    await settled(view.id, 'Test through Novu');
    const identifier = routeIdentifier(team.id, 'slack-prod', 'slack_channel', 'sub-1', 'C0OPSALERT');

    const link = await h.openModal('/connect', 'link <@U0MEMBER|member> sub-2', 'routes.link');
    await h.slack.submitView(link, {}, h.actors.admin);
    await settled(link.id, 'as direct messages');

    const list = await h.slack.command('/connect', 'routes', h.actors.admin);
    const message = (await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').at(-1))).body;
    expect(JSON.stringify(message)).toContain('"confirm"');
    // Each route is a sentence with names; its endpoint id waits in the details line.
    const blocks = message.blocks as { type: string; text?: { text: string }; elements?: { text?: string; action_id?: string }[] }[];
    const sentences = blocks.filter((block) => block.type === 'section').map((block) => block.text?.text ?? '');
    expect(sentences).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^<#C0OPSALERT> receives Novu’s notifications for subscriber `sub-1`\.\nSet up by <@U0ADMIN> /),
        expect.stringMatching(/^<@U0MEMBER> is linked to subscriber `sub-2` and gets their notifications as direct messages\.\nSet up by <@U0ADMIN> /),
      ]),
    );
    for (const sentence of sentences) expect(sentence).not.toMatch(/←|slack-(channel|user)-[0-9a-f]{16}/);
    const details = blocks.filter((block) => block.type === 'context').map((block) => block.elements?.[0]?.text ?? '');
    expect(details).toContain(`Details: endpoint \`${identifier}\``);

    const row = blocks.findIndex((block) => (block.text?.text ?? '').startsWith('<#C0OPSALERT>'));
    const remove = blocks
      .slice(row)
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id?.startsWith('routes.remove'))?.action_id;
    if (!remove) throw new Error('no Remove button');
    await Promise.all([
      h.slack.clickButton({ message, responseUrl: list.responseUrl }, remove, h.actors.admin),
      h.slack.clickButton({ message, responseUrl: list.responseUrl }, remove, h.actors.admin),
    ]);
    const removed = await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').find((post) => JSON.stringify(post.body).includes('Removed.')));
    expect(JSON.stringify(removed.body)).toContain('<#C0OPSALERT> no longer receives Novu’s notifications for subscriber `sub-1`');
    expect(h.novu.requestsTo('DELETE', `/v1/channel-endpoints/${identifier}`)).toHaveLength(1);
    expect(await h.app.services.store.endpoints.find(identifier)).toBeUndefined();
    expect(connection()).toBeTruthy();
  });
});

describe('who may route but not test', () => {
  it('gets the route written, without Test through Novu in the result or in /connect routes', async () => {
    await start({ env: { PERMISSIONS: 'delivery.test=operators' } });
    const view = await openForm('<#C0OPSALERT|ops-alerts> sub-1');
    await h.slack.submitView(view, {}, h.actors.admin);
    const done = await settled(view.id, 'go to <#C0OPSALERT>');
    expect(JSON.stringify(done)).not.toContain('delivery.test');
    const list = await h.slack.command('/connect', 'routes', h.actors.admin);
    const message = (await eventually(() => h.emulator.responsesTo(list.responseUrl ?? '').at(-1))).body;
    expect(JSON.stringify(message)).toContain('routes.remove');
    expect(JSON.stringify(message)).not.toContain('delivery.test');
  });
});

describe('uninstall', () => {
  it('removes the workspace’s routes (channels and people) from Novu along with its connection', async () => {
    await start();
    const view = await openForm('<#C0OPSALERT|ops-alerts> sub-1');
    await h.slack.submitView(view, {}, h.actors.admin);
    await settled(view.id, 'Test through Novu');
    const link = await h.openModal('/connect', 'link <@U0MEMBER|member> sub-2', 'routes.link');
    await h.slack.submitView(link, {}, h.actors.admin);
    await settled(link.id, 'as direct messages');
    expect([...h.novu.endpoints.values()].map((endpoint) => endpoint.type).sort()).toEqual(['slack_channel', 'slack_user']);

    h.emulator.revokeWorkspace(team.id);
    await h.slack.event({ type: 'app_uninstalled' }, { teamId: team.id });
    await eventually(() => h.novu.endpoints.size === 0 && h.novu.connections.size === 0, { timeoutMs: 15_000, message: 'routes and connection deleted' });
    // Novu's delete answers before the job forgets its record: wait for the record to go too.
    const records = () => h.app.services.store.endpoints.page({ workspaceKey: teamKey(team.id), limit: 10 });
    await eventually(async () => (await records()).length === 0, { timeoutMs: 5_000, message: 'route records forgotten' });
  });
});
