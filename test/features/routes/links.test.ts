import { afterEach, describe, expect, it } from 'vitest';
import { routeIdentifier } from '../../../src/features/routes/route-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';

/**
 * People linked to Novu subscribers (`slack_user` endpoints): by an admin, by themselves when the
 * subscriber's email is their Slack email, or by themselves with an admin's approval.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const endpointPosts = () => h.novu.requestsTo('POST', '/v1/channel-endpoints');

async function start() {
  h = await startHarness();
  await h.install();
  return h;
}

async function home(actor: Actor): Promise<EmulatedView> {
  const before = h.emulator.homeViews.get(actor.userId)?.hash;
  await h.slack.event({ type: 'app_home_opened', user: actor.userId, tab: 'home', channel: 'D0HOME' }, { teamId: team.id });
  return eventually(() => {
    const view = h.emulator.homeViews.get(actor.userId);
    return view && view.hash !== before ? view : undefined;
  });
}

async function fromHome(actor: Actor, actionId: string, callbackId: string): Promise<EmulatedView> {
  const before = new Set(h.emulator.views.keys());
  await h.slack.clickButton({ view: await home(actor) }, actionId, actor);
  return eventually(() => [...h.emulator.views.values()].find((view) => !before.has(view.id) && view.callback_id === callbackId), { message: callbackId });
}

const settled = (id: string, marker: string) =>
  eventually(() => (JSON.stringify(h.emulator.views.get(id)).includes(marker) ? h.emulator.views.get(id) : undefined), { message: marker });

function setEmail(userId: string, email: string) {
  const user = h.emulator.users.get(userId);
  if (user) user.email = email;
}

describe('/connect link', () => {
  it('an admin links a member: one slack_user endpoint on the workspace’s connection, valid per Novu’s spec', async () => {
    await start();
    const view = await h.openModal('/connect', 'link <@U0MEMBER|member> sub-1', 'routes.link');
    expect(JSON.stringify(view.blocks)).toContain('"initial_user":"U0MEMBER"');
    await h.slack.submitView(view, {}, h.actors.admin);
    await settled(view.id, 'as direct messages');
    const identifier = routeIdentifier(team.id, 'slack-prod', 'slack_user', 'sub-1', 'U0MEMBER');
    expect(endpointPosts()[0]?.problems).toEqual([]);
    expect(endpointPosts()[0]?.body).toMatchObject({
      identifier,
      type: 'slack_user',
      subscriberId: 'sub-1',
      endpoint: { userId: 'U0MEMBER' },
      context: { tenant: team.id },
    });
    expect(await h.app.services.store.endpoints.find(identifier)).toMatchObject({ type: 'slack_user', target: 'U0MEMBER', createdBy: 'U0ADMIN' });
  });

  it('a bot, or someone who is not in the workspace, cannot be linked', async () => {
    await start();
    h.emulator.addUser({ id: 'U0SOMEBOT1', teamId: team.id, isBot: true });
    h.emulator.addUser({ id: 'U0ELSEWHR1', teamId: 'T0ELSEWHRE' });
    for (const userId of ['U0SOMEBOT1', 'U0ELSEWHR1']) {
      const view = await h.openModal('/connect', 'link', 'routes.link');
      await h.slack.submitView(view, { 'routes.link.user': userId, subscriber: 'sub-1' }, h.actors.admin);
      await settled(view.id, 'not an active member of this workspace');
    }
    expect(endpointPosts()).toHaveLength(0);
  });
});

describe('Link my Slack account', () => {
  it('links a member at once when the subscriber’s email is theirs, whatever the case', async () => {
    await start();
    setEmail('U0MEMBER', 'Sub-1@Example.com');
    const view = await fromHome(h.actors.member, 'routes.link.self.open', 'routes.link.self');
    expect(JSON.stringify(view)).toContain('Sub-1@Example.com');
    await h.slack.submitView(view, { subscriber: 'sub-1' }, h.actors.member);
    await settled(view.id, 'as direct messages');
    expect(endpointPosts()[0]?.body).toMatchObject({ type: 'slack_user', endpoint: { userId: 'U0MEMBER' }, subscriberId: 'sub-1' });
    expect(JSON.stringify(await home(h.actors.member))).toContain('Your Slack account is linked to');
  });

  it('with another email: nothing is linked; asking an admin puts it on their Home, and Approve links it and tells the member', async () => {
    await start();
    setEmail('U0MEMBER', 'someone.else@example.com');
    const view = await fromHome(h.actors.member, 'routes.link.self.open', 'routes.link.self');
    await h.slack.submitView(view, { subscriber: 'sub-2' }, h.actors.member);
    const mismatch = await settled(view.id, 'Ask an admin');
    expect(JSON.stringify(mismatch)).toContain('is not a Novu subscriber with your Slack email');
    expect(endpointPosts()).toHaveLength(0);
    await h.slack.clickButton({ view: mismatch }, 'routes.link.ask', h.actors.member);
    await settled(view.id, 'admins see your request');

    const memberHome = await home(h.actors.member);
    expect(JSON.stringify(memberHome)).not.toContain('routes.request.approve');
    const adminHome = await home(h.actors.admin);
    const approve = JSON.stringify(adminHome).match(/routes\.request\.approve:[\w.-]+/)?.[0] ?? '';
    expect(approve).not.toBe('');
    // A member cannot approve their own request, even with the button in hand.
    await h.slack.clickButton({ view: adminHome }, approve, h.actors.member);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(endpointPosts()).toHaveLength(0);

    await h.slack.clickButton({ view: adminHome }, approve, h.actors.admin);
    await eventually(() => endpointPosts().length === 1, { message: 'the link written' });
    expect(endpointPosts()[0]?.body).toMatchObject({ type: 'slack_user', endpoint: { userId: 'U0MEMBER' }, subscriberId: 'sub-2' });
    const dm = await eventually(() =>
      h.emulator.callsTo('chat.postMessage').find((call) => call.ok && String(call.args.text).includes('approved') && call.args.channel === 'D0MEMBER'),
    );
    expect(String(dm.args.text)).toContain('sub-2');
    await h.slack.clickButton({ view: adminHome }, approve, h.actors.admin);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(endpointPosts()).toHaveLength(1);
    expect(await h.app.services.store.linkRequests.pending(teamKey(team.id), 10)).toEqual([]);
  });

  it('a subscriber Novu does not have gets the same words as one with another email: nothing tells which subscribers exist', async () => {
    await start();
    setEmail('U0MEMBER', 'sub-1@example.com');
    const answers: string[] = [];
    for (const subscriber of ['nobody-here', 'sub-2']) {
      const view = await fromHome(h.actors.member, 'routes.link.self.open', 'routes.link.self');
      await h.slack.submitView(view, { subscriber }, h.actors.member);
      const shown = await settled(view.id, 'is not a Novu subscriber with your Slack email');
      answers.push(JSON.stringify(shown.blocks).replaceAll(subscriber, 'X'));
    }
    expect(answers[0]).toBe(answers[1]);
    expect(endpointPosts()).toHaveLength(0);
  });
});
