import { afterEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';

/**
 * Socket Mode end to end: the app opens a connection with its app-level token
 * (`apps.connections.open`), Slack's requests arrive as envelopes over the emulator's WebSocket
 * and are answered by acknowledgements, while install pages and health checks stay on HTTP.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const errorLogged = (message: string) => h.logs.entries().some((entry) => entry.level === 50 && entry.msg === message);

describe('Socket Mode', () => {
  it('connects with the app token; install pages and health answer over HTTP, and Slack requests never do', async () => {
    h = await startHarness({ socketMode: true });
    expect(h.emulator.socketMode.connected).toBe(true);
    expect(h.emulator.callsTo('apps.connections.open')).toHaveLength(1);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${h.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);

    const page = await h.install();
    expect(page.html).toContain('Connected to Novu');
    expect(await h.app.services.store.installations.find(teamKey(team.id))).toBeDefined();
  });

  it('commands, modals, option lists and events travel over the socket', async () => {
    h = await startHarness({ socketMode: true });
    await h.install();

    const status = await h.slack.command('/connect', 'status', h.actors.admin);
    expect(status.status).toBe(200);
    const card = await eventually(() => h.emulator.responsesTo(status.responseUrl ?? '').at(-1), { message: 'the status card' });
    expect(JSON.stringify(card.body)).toContain('slack-prod');

    const view = await h.openModal('/phone', 'register +14155550100 sub-1', 'phone.register');
    const options = await h.slack.suggest(view, 'phone.integration', 'twilio', h.actors.admin);
    expect(JSON.stringify(options.json?.options ?? options.json?.option_groups)).toContain('twilio-sms');
    const refused = await h.slack.submitView(view, { number: 'not a number', 'phone.integration': 'twilio-sms' }, h.actors.admin);
    expect(refused.json?.response_action).toBe('errors');
    await h.slack.submitView(view, { 'phone.integration': 'twilio-sms' }, h.actors.admin);
    await eventually(() => JSON.stringify(h.emulator.views.get(view.id)).includes('Registered'), { message: 'the registration' });

    await h.slack.event({ type: 'app_home_opened', user: h.actors.admin.userId, tab: 'home', channel: 'D0HOME' }, { teamId: team.id });
    await eventually(() => h.emulator.homeViews.get(h.actors.admin.userId), { message: 'the App Home' });

    await h.slack.event({ type: 'app_uninstalled' }, { teamId: team.id });
    await eventually(async () => (await h.app.services.store.installations.find(teamKey(team.id))) === undefined, { message: 'the uninstall' });
    const later = await h.slack.command('/connect', 'status', h.actors.admin);
    expect(later.json?.text).toContain('not installed in this workspace');
  });

  it('a failing listener is a logged failure: the request is acknowledged and the app keeps serving', async () => {
    h = await startHarness({ socketMode: true });
    await h.install();
    h.emulator.failNext('views.publish', 'internal_error');
    const failed = await h.slack.event({ type: 'app_home_opened', user: h.actors.admin.userId, tab: 'home', channel: 'D0HOME' }, { teamId: team.id });
    expect(failed.status).toBe(200);
    await eventually(() => errorLogged('unhandled error in a Slack listener'), { message: 'the logged failure' });

    await h.slack.event({ type: 'app_home_opened', user: h.actors.admin.userId, tab: 'home', channel: 'D0HOME' }, { teamId: team.id });
    await eventually(() => h.emulator.homeViews.get(h.actors.admin.userId), { message: 'the App Home after the failure' });
  });

  it('reconnects when Slack asks, and requests keep arriving', async () => {
    h = await startHarness({ socketMode: true });
    await h.install();
    h.emulator.socketMode.askToReconnect();
    await eventually(() => h.emulator.socketMode.connectionsOpened === 2 && h.emulator.socketMode.connected, {
      timeoutMs: 15_000,
      message: 'a new connection',
    });
    const status = await h.slack.command('/connect', 'status', h.actors.admin);
    expect(status.status).toBe(200);
  });

  it('an install page that fails (the store is gone) is a logged 500 page, not a crash', async () => {
    h = await startHarness({ socketMode: true });
    await h.app.services.store.close();
    const page = await fetch(`${h.url}/slack/install`);
    expect(page.status).toBe(500);
    expect(await page.text()).not.toMatch(/\bat [\w.]+ \(/);
    expect(errorLogged('request failed')).toBe(true);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
  });
});
