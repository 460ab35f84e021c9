import { afterEach, describe, expect, it } from 'vitest';
import { routeIdentifier } from '../../../src/features/routes/route-jobs.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { PostedMessage } from '../../kit/slack-emulator.js';

/**
 * "Link everyone by email" for a workspace of 500 people: a dry run (matched, without a
 * subscriber, conflicts, already linked), then one durable job per member with the progress
 * message kept up to date, a restart in the middle, and a second run that links nobody twice.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const userId = (index: number) => `U1${String(index).padStart(6, '0')}`;
const slackEmail = (index: number) => (index % 10 === 0 ? `Person${index}@Example.com` : `person${index}@example.com`);

/**
 * Members 0–(matched-1) have a subscriber with their email (every tenth written differently in
 * Slack); then `unmatched` members without one, `conflicts` members whose email two subscribers
 * share, and `linked` members linked already. A deactivated member and a bot have matching emails
 * and must be left out.
 */
function populate(counts: { matched: number; unmatched: number; conflicts: number; linked: number }) {
  const total = counts.matched + counts.unmatched + counts.conflicts + counts.linked;
  for (let index = 0; index < total; index += 1) {
    h.emulator.addUser({ id: userId(index), teamId: team.id, name: `Person ${index}`, email: slackEmail(index) });
    const email = `person${index}@example.com`;
    if (index < counts.matched) h.novu.subscribers.set(`person-${index}`, { subscriberId: `person-${index}`, email });
    else if (index < counts.matched + counts.unmatched) continue;
    else if (index < counts.matched + counts.unmatched + counts.conflicts) {
      h.novu.subscribers.set(`person-${index}-a`, { subscriberId: `person-${index}-a`, email });
      h.novu.subscribers.set(`person-${index}-b`, { subscriberId: `person-${index}-b`, email });
    } else h.novu.subscribers.set(`person-${index}`, { subscriberId: `person-${index}`, email });
  }
  h.emulator.addUser({ id: 'U0GONE0001', teamId: team.id, email: 'person0@example.com', deleted: true });
  h.emulator.addUser({ id: 'U0ABOT0001', teamId: team.id, email: 'person1@example.com', isBot: true });
  return total;
}

async function preLink(from: number, to: number) {
  for (let index = from; index < to; index += 1) {
    const identifier = routeIdentifier(team.id, 'slack-prod', 'slack_user', `person-${index}`, userId(index));
    await h.app.services.store.endpoints.add({
      identifier,
      workspaceKey: teamKey(team.id),
      type: 'slack_user',
      subscriberId: `person-${index}`,
      integrationIdentifier: 'slack-prod',
      connectionIdentifier: null,
      target: userId(index),
      createdBy: 'U0ADMIN',
      contextKeys: [`tenant:${team.id}`],
    });
  }
}

/** The run's message in the admin's DM with the app. */
const runMessage = (): PostedMessage | undefined => [...h.emulator.messages.values()].filter((message) => message.channel === 'D0ADMIN').at(-1);
/** A copy of the message once it says `text` (chat.update changes the emulator's own in place). */
const messageSays = (text: string) =>
  eventually(() => (runMessage()?.text.includes(text) ? structuredClone(runMessage()) : undefined), { timeoutMs: 60_000, intervalMs: 100, message: text });
const slackUserPosts = () => h.novu.requestsTo('POST', '/v1/channel-endpoints').filter((request) => (request.body as { type?: string }).type === 'slack_user');

async function startRun() {
  const command = await h.slack.command('/connect', 'link-all', h.actors.admin);
  const started = await eventually(() => h.emulator.responsesTo(command.responseUrl ?? '').at(-1));
  expect(JSON.stringify(started.body)).toContain('Nothing is linked until you confirm');
}

async function confirm(message: PostedMessage) {
  await h.slack.clickButton({ message: { blocks: message.blocks }, responseUrl: h.emulator.newResponseUrl('D0ADMIN') }, 'routes.linkall.apply', h.actors.admin);
}

describe('/connect link-all', () => {
  it('500 members: a dry run first, then one link per matched member with progress; a second run links nobody', async () => {
    h = await startHarness();
    await h.install();
    populate({ matched: 440, unmatched: 30, conflicts: 10, linked: 20 });
    await preLink(480, 500);

    await startRun();
    // The harness's own four people have no email in Slack.
    const plan = await messageSays('Dry run: 440 to link, 34 without a subscriber, 10 conflicts, 20 already linked');
    expect(JSON.stringify(plan.blocks)).toContain('Link 440 members');
    expect(slackUserPosts()).toHaveLength(0);

    await Promise.all([confirm(plan), confirm(plan)]);
    const done = await messageSays('440 of 440 members linked');
    const progress = h.emulator.callsTo('chat.update').map((call) => String(call.args.text));
    expect(progress.some((text) => /Linking… \d+ of 440/.test(text) && !text.includes('440 of 440'))).toBe(true);
    // Every turn of state shows (planned, linking, done); how many throttled progress updates fall
    // in between depends on the machine's speed, so only the turns are counted.
    expect(done?.updates).toBeGreaterThanOrEqual(3);
    expect(slackUserPosts()).toHaveLength(440);
    expect(slackUserPosts().every((request) => request.problems.length === 0)).toBe(true);
    const linked = new Set(slackUserPosts().map((request) => (request.body as { endpoint: { userId: string } }).endpoint.userId));
    expect(linked.size).toBe(440);
    expect(linked.has('U0GONE0001') || linked.has('U0ABOT0001')).toBe(false);
    expect(slackUserPosts().find((request) => (request.body as { endpoint: { userId: string } }).endpoint.userId === userId(10))?.body).toMatchObject({
      subscriberId: 'person-10',
    });

    await startRun();
    await messageSays('Dry run: 0 to link, 34 without a subscriber, 10 conflicts, 460 already linked');
    expect(JSON.stringify(runMessage()?.blocks)).toContain('Nothing to link');
    expect(slackUserPosts()).toHaveLength(440);
  }, 120_000);

  it('a restart in the middle: the queued links carry on, the message catches up, and each member is linked once', async () => {
    h = await startHarness();
    await h.install();
    populate({ matched: 60, unmatched: 0, conflicts: 0, linked: 0 });
    await startRun();
    const plan = await messageSays('Dry run: 60 to link');
    h.novu.latencyMs = 150;
    await confirm(plan);
    await eventually(() => slackUserPosts().length >= 10, { timeoutMs: 30_000, message: 'some links written' });
    await h.restart();
    // Whatever the stopped process did not finish, the restarted one did.
    const beforeRestart = (await h.app.services.store.endpoints.page({ workspaceKey: teamKey(team.id), types: ['slack_user'], limit: 100 })).length;
    expect(beforeRestart).toBeLessThan(60);
    h.novu.latencyMs = 0;
    await messageSays('60 of 60 members linked');
    const identifiers = [...h.novu.endpoints.values()].filter((endpoint) => endpoint.type === 'slack_user').map((endpoint) => endpoint.identifier);
    expect(identifiers).toHaveLength(60);
    expect(new Set(identifiers).size).toBe(60);
    const records = await h.app.services.store.endpoints.page({ workspaceKey: teamKey(team.id), types: ['slack_user'], limit: 100 });
    expect(records).toHaveLength(60);
  }, 120_000);

  it('cancel after the dry run links nobody; a run cannot be started twice at once', async () => {
    h = await startHarness();
    await h.install();
    populate({ matched: 5, unmatched: 0, conflicts: 0, linked: 0 });
    await startRun();
    const plan = await messageSays('Dry run: 5 to link');
    await h.slack.clickButton({ message: { blocks: plan.blocks }, responseUrl: h.emulator.newResponseUrl('D0ADMIN') }, 'routes.linkall.cancel', h.actors.admin);
    await messageSays('cancelled; nothing was linked');
    await confirm(plan);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slackUserPosts()).toHaveLength(0);

    h.novu.latencyMs = 300;
    const first = await h.slack.command('/connect', 'link-all', h.actors.admin);
    const second = await h.slack.command('/connect', 'link-all', h.actors.admin);
    const secondReply = await eventually(() => h.emulator.responsesTo(second.responseUrl ?? '').at(-1));
    expect(JSON.stringify(secondReply.body)).toContain('is still checking');
    expect(first.status).toBe(200);
  }, 60_000);

  it('the process stops after the last member is linked, before the run is marked done: the follow-up runs again and finishes the run', async () => {
    h = await startHarness();
    await h.install();
    populate({ matched: 3, unmatched: 0, conflicts: 0, linked: 0 });
    await startRun();
    const plan = await messageSays('Dry run: 3 to link');
    // The run's turn to done fails once, as if the process died right after the last member was settled.
    const records = h.app.services.store.linkRuns;
    const transition = records.transition.bind(records);
    let cut = 0;
    records.transition = async (runId, from, to, error) => {
      if (to === 'done' && cut === 0) {
        cut += 1;
        throw new Error('the process stopped here');
      }
      return transition(runId, from, to, error);
    };
    await confirm(plan);
    await messageSays('3 of 3 members linked');
    expect(cut).toBe(1);
    expect((await records.latest(teamKey(team.id)))?.status).toBe('done');
    expect(slackUserPosts()).toHaveLength(3);
  }, 60_000);

  it('a run whose dry run job was never stored (the process stopped first) is started by the next /connect link-all, not left checking', async () => {
    h = await startHarness();
    await h.install();
    populate({ matched: 2, unmatched: 0, conflicts: 0, linked: 0 });
    const { run: orphan } = await h.app.services.store.linkRuns.create({ workspaceKey: teamKey(team.id), requestedBy: h.actors.admin.userId });
    expect(await h.app.services.store.jobs.findByDedupeKey(`slack.links.plan:${orphan.id}`)).toBeUndefined();
    const command = await h.slack.command('/connect', 'link-all', h.actors.admin);
    const reply = await eventually(() => h.emulator.responsesTo(command.responseUrl ?? '').at(-1));
    expect(JSON.stringify(reply.body)).toContain('is still checking');
    await eventually(async () => (await h.app.services.store.linkRuns.get(orphan.id))?.status === 'planned', { timeoutMs: 20_000, message: 'the dry run' });
  }, 60_000);

  it('an org-wide install reads the people of every workspace of the org', async () => {
    h = await startHarness();
    const grid = { id: 'E0GRID0001', name: 'Acme Grid' };
    h.emulator.addUser({ id: 'U0ORGADMIN', teamId: 'T0GRIDONE1', enterprise: { id: grid.id, isAdmin: true } });
    for (const [index, teamId] of ['T0GRIDONE1', 'T0GRIDTWO2'].entries()) {
      h.emulator.addUser({ id: `U0GRIDP${index}00`, teamId, enterprise: { id: grid.id }, email: `grid${index}@example.com` });
      h.novu.subscribers.set(`grid-${index}`, { subscriberId: `grid-${index}`, email: `grid${index}@example.com` });
    }
    await h.install({ team: undefined, enterprise: grid, isEnterpriseInstall: true, userId: 'U0ORGADMIN' });
    const admin = { userId: 'U0ORGADMIN', teamId: 'T0GRIDONE1', enterpriseId: grid.id, isEnterpriseInstall: true };
    const command = await h.slack.command('/connect', 'link-all', admin);
    await eventually(() => h.emulator.responsesTo(command.responseUrl ?? '').at(-1));
    const dm = () => [...h.emulator.messages.values()].find((message) => message.channel === 'D0ORGADMIN');
    await eventually(() => dm()?.text.includes('Dry run: 2 to link'), { message: 'the dry run over both workspaces' });
    expect(
      h.emulator
        .callsTo('users.list')
        .map((call) => call.args.team_id)
        .sort(),
    ).toEqual(['T0GRIDONE1', 'T0GRIDTWO2']);
  });
});
