import { afterEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';

/**
 * Slack drops an acknowledgement that comes after 3 seconds (the person sees an error) and a
 * trigger id used after 3 seconds; the sender and the emulator do the same. Whatever Slack or a
 * vendor does, every command, submission and option list is acknowledged in time, and what was
 * not known then follows through response_url or views.update.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const slowUsersInfoMs = 2_600;

describe('the 3-second window', () => {
  it('a modal command while users.info takes 2.6 s: acknowledged in time, the trigger held by a "checking" modal that becomes the form', async () => {
    h = await startHarness();
    await h.install();
    h.emulator.setLatency('users.info', slowUsersInfoMs);
    const command = await h.slack.command('/phone', 'register +14155550100 sub-1', h.actors.admin);
    expect(command.status).toBe(200);
    const form = await eventually(() => h.latestView('phone.register'), { message: 'the form in the held modal' });
    expect(h.emulator.callsTo('views.open').filter((call) => call.ok)).toHaveLength(1);
    expect(h.emulator.callsTo('views.update').some((call) => call.ok && call.args.view_id === form.id)).toBe(true);
    expect(JSON.stringify(form)).toContain('+14155550100');
  });

  it('a command that answers in a message while users.info takes 2.6 s: acknowledged in time, answered through response_url', async () => {
    h = await startHarness();
    await h.install();
    h.emulator.setLatency('users.info', slowUsersInfoMs);
    const command = await h.slack.command('/connect', 'disconnect', h.actors.admin);
    expect(command.status).toBe(200);
    const answer = await eventually(() => h.emulator.responsesTo(command.responseUrl ?? '').at(-1), { message: 'the answer' });
    expect(JSON.stringify(answer.body)).toContain('connect.disconnect');
  });

  it('a member refused while users.info is slow is told through the held modal', async () => {
    h = await startHarness();
    await h.install();
    h.emulator.setLatency('users.info', slowUsersInfoMs);
    const command = await h.slack.command('/connect', 'setup', h.actors.member);
    expect(command.status).toBe(200);
    await eventually(() => [...h.emulator.views.values()].some((view) => JSON.stringify(view).includes('Not allowed')), { message: 'the refusal' });
    expect(h.latestView('connect.setup')).toBeUndefined();
  });

  it('a rate-limited users.info does not refuse a real admin: Retry-After is honoured and the form opens', async () => {
    h = await startHarness();
    await h.install();
    h.emulator.failNext('users.info', 'ratelimited', { status: 429, retryAfter: 1 });
    const command = await h.slack.command('/phone', 'register +14155550100 sub-1', h.actors.admin);
    expect(command.status).toBe(200);
    await eventually(() => h.latestView('phone.register'), { message: 'the form' });
    const refusals = (await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 20 })).filter((entry) => entry.outcome === 'refused');
    expect(refusals).toEqual([]);
  });

  it('when Slack never says who someone is, the answer says so instead of calling an admin a member', async () => {
    h = await startHarness();
    await h.install();
    h.emulator.failNext('users.info', 'ratelimited', { status: 429, retryAfter: 1, times: 5 });
    const command = await h.slack.command('/connect', 'disconnect', h.actors.admin);
    expect(command.status).toBe(200);
    const answer = await eventually(() => h.emulator.responsesTo(command.responseUrl ?? '').at(-1), { timeoutMs: 10_000, message: 'the answer' });
    expect(JSON.stringify(answer.body)).toContain('Slack did not say in time');
    expect(JSON.stringify(answer.body)).not.toContain('Only workspace admins');
  });

  it('the integration picker answers in time while Novu takes 5 s, and has the list once Novu answered', async () => {
    h = await startHarness();
    await h.install();
    const view = await h.openModal('/phone', 'register +14155550100 sub-1', 'phone.register');
    h.novu.inject({ match: 'GET /v1/integrations/active', delayMs: 5_000 });
    const slow = await h.slack.suggest(view, 'phone.integration', '', h.actors.admin);
    expect(slow.status).toBe(200);
    expect(slow.json).toEqual({ options: [] });
    const later = await eventually(
      async () => {
        const answer = await h.slack.suggest(view, 'phone.integration', '', h.actors.admin);
        return JSON.stringify(answer.json).includes('twilio-sms') ? answer : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 500, message: 'the list once Novu answered' },
    );
    expect(later.status).toBe(200);
  });

  it('a submission while users.info is slow keeps the form and says to submit again', async () => {
    h = await startHarness();
    await h.install();
    const view = await h.openModal('/phone', 'register +14155550100 sub-1', 'phone.register', h.actors.admin);
    // The opener's role was looked up when the form opened; another admin's is not known yet.
    h.emulator.setLatency('users.info', slowUsersInfoMs);
    const other = { ...h.actors.admin, userId: 'U0NEWADMIN' };
    h.emulator.addUser({ id: other.userId, teamId: team.id, isAdmin: true });
    const answer = await h.slack.submitView(view, { 'phone.integration': 'twilio-sms' }, other);
    expect(answer.status).toBe(200);
    expect(answer.json?.response_action).toBe('errors');
    expect(JSON.stringify(answer.json?.errors)).toContain('Submit again');
  });
});
