import { afterEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { endpointIdentifier } from '../../src/features/phone/endpoint-jobs.js';
import type { Fault } from '../kit/backends/fake-backend.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';
import type { EmulatedView } from '../kit/slack-emulator.js';

/**
 * Every Novu write, against a Novu that stores answers per Idempotency-Key (errors included) and
 * a Slack that retries: after a 500, after an answer that came too late, and submitted twice,
 * there is exactly one resource in Novu, and the person is told what happened.
 */
let h: Harness;
afterEach(() => h?.stop());

const connectionsPath = '/v1/channel-connections';
const endpointsPath = '/v1/channel-endpoints';
const identifier = connectionIdentifier('slack-prod', team.id);
/** Longer than BACKEND_TIMEOUT_SECONDS (2 s in the harness): Novu does the work, the answer comes too late. */
const late = 2_600;

type Trouble = 'a 500 (stored under its key), then Novu recovers' | 'an answer after the timeout' | 'a double submission';
const troubles: Trouble[] = ['a 500 (stored under its key), then Novu recovers', 'an answer after the timeout', 'a double submission'];

function fault(trouble: Trouble, match: string): Fault | undefined {
  if (trouble === 'a double submission') return undefined;
  return trouble === 'an answer after the timeout' ? { match, delayMs: late } : { match, reply: h.novu.internalError() };
}

const dmTexts = () => h.emulator.callsTo('chat.postMessage').map((call) => String(call.args.text));
const responses = (url: string | undefined) => h.emulator.responsesTo(url ?? '').map((post) => JSON.stringify(post.body));

async function start(): Promise<Harness> {
  h = await startHarness();
  return h;
}

async function settledView(viewId: string, working: RegExp): Promise<string> {
  return eventually(
    () => {
      const text = JSON.stringify(h.emulator.views.get(viewId));
      return working.test(text) ? undefined : text;
    },
    { timeoutMs: 20_000, message: 'the form’s result' },
  );
}

describe.each(troubles)('with %s', (trouble) => {
  it('connection create (install): one connection, and the installer is told it is connected', async () => {
    await start();
    const injected = fault(trouble, `POST ${connectionsPath}`);
    if (injected) h.novu.inject(injected);
    if (trouble === 'a double submission') {
      await h.install();
      // The same setup form submitted twice: one intent, one write.
      const view = await h.openModal('/connect', 'setup', 'connect.setup');
      await Promise.all([
        h.slack.submitView(view, { integration: 'slack-staging' }, h.actors.admin),
        h.slack.submitView(view, { integration: 'slack-staging' }, h.actors.admin),
      ]);
      expect(await settledView(view.id, /Writing the connection/)).toContain('(created)');
      await eventually(() => !h.novu.connections.has(identifier), { message: 'the replaced connection deleted' });
      expect(h.novu.requestsTo('POST', connectionsPath)).toHaveLength(2);
      expect(h.novu.connections.size).toBe(1);
      return;
    }
    const page = await h.install();
    expect(page.html).toContain('being completed in the background');
    await eventually(() => dmTexts().some((text) => text.includes('connected to Novu')), { timeoutMs: 20_000, message: 'the DM' });
    expect(h.novu.connections.size).toBe(1);
    expect(h.novu.connections.get(identifier)?.auth.accessToken).toBe(h.emulator.latestBotToken(team.id));
    expect(h.novu.invalidRequests()).toEqual([]);
  });

  it('connection update (Reconnect): Novu holds the current token, and the admin is told it is updated', async () => {
    await start();
    await h.install();
    const injected = fault(trouble, `PATCH ${connectionsPath}/${identifier}`);
    if (injected) h.novu.inject(injected);
    await h.slack.event({ type: 'app_home_opened', user: h.actors.admin.userId, tab: 'home' }, { teamId: team.id });
    const home = await eventually(() => h.emulator.homeViews.get(h.actors.admin.userId));
    const clicks = trouble === 'a double submission' ? 2 : 1;
    await Promise.all(Array.from({ length: clicks }, () => h.slack.clickButton({ view: home }, 'connect.reconnect', h.actors.admin)));
    await eventually(
      async () => (await h.app.services.store.audit.list({ actions: ['connection.reconnect'], limit: 5 })).some((entry) => entry.outcome === 'ok'),
      {
        timeoutMs: 20_000,
        message: 'the reconnect audited ok',
      },
    );
    if (trouble === 'a double submission') expect(h.novu.requestsTo('PATCH', `${connectionsPath}/${identifier}`)).toHaveLength(1);
    expect(h.novu.connections.size).toBe(1);
    expect(h.novu.connections.get(identifier)?.auth.accessToken).toBe(h.emulator.latestBotToken(team.id));
  });

  it('connection delete (Disconnect): it is gone, and the admin is told “Disconnected”', async () => {
    await start();
    await h.install();
    const injected = fault(trouble, `DELETE ${connectionsPath}/${identifier}`);
    if (injected) h.novu.inject(injected);
    const prompt = await h.slack.command('/connect', 'disconnect', h.actors.admin);
    const message = (await eventually(() => h.emulator.responsesTo(prompt.responseUrl ?? '').at(-1))).body;
    const clicks = trouble === 'a double submission' ? 2 : 1;
    await Promise.all(
      Array.from({ length: clicks }, () => h.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'connect.disconnect', h.actors.admin)),
    );
    const told = await eventually(() => responses(prompt.responseUrl).find((text) => text.includes('Disconnected') || text.includes('already gone')), {
      timeoutMs: 20_000,
    });
    expect(told).toContain('Disconnected');
    expect(h.novu.connections.size).toBe(0);
    expect(await h.app.services.store.connections.find(`team:${team.id}`)).toBeUndefined();
  });

  it('endpoint create (/phone register): one endpoint, and the form says Registered', async () => {
    await start();
    await h.install();
    const injected = fault(trouble, `POST ${endpointsPath}`);
    if (injected) h.novu.inject(injected);
    const view: EmulatedView = await h.openModal('/phone', 'register +14155550100 sub-1', 'phone.register');
    const values = { 'phone.integration': 'whatsapp-business' };
    const submits = trouble === 'a double submission' ? 2 : 1;
    await Promise.all(Array.from({ length: submits }, () => h.slack.submitView(view, values, h.actors.admin)));
    const result = await settledView(view.id, /Registering the phone endpoint/);
    expect(result).toContain('Registered');
    expect(result).not.toContain('already registered');
    await new Promise((resolve) => setTimeout(resolve, late - 1_000));
    expect(h.novu.endpoints.size).toBe(1);
    expect(h.novu.endpoints.has(endpointIdentifier(team.id, 'whatsapp-business', 'sub-1', '+14155550100'))).toBe(true);
    if (trouble === 'a double submission') expect(h.novu.requestsTo('POST', endpointsPath)).toHaveLength(1);
  });

  it('endpoint delete (Remove): it is gone, and the admin is told “Removed”', async () => {
    await start();
    await h.install();
    const view = await h.openModal('/phone', 'register +14155550100 sub-1', 'phone.register');
    await h.slack.submitView(view, { 'phone.integration': 'whatsapp-business' }, h.actors.admin);
    await settledView(view.id, /Registering the phone endpoint/);
    const endpoint = endpointIdentifier(team.id, 'whatsapp-business', 'sub-1', '+14155550100');
    const injected = fault(trouble, `DELETE ${endpointsPath}/${endpoint}`);
    if (injected) h.novu.inject(injected);
    const prompt = await h.slack.command('/phone', `remove ${endpoint}`, h.actors.admin);
    const message = (await eventually(() => h.emulator.responsesTo(prompt.responseUrl ?? '').at(-1))).body;
    const clicks = trouble === 'a double submission' ? 2 : 1;
    await Promise.all(Array.from({ length: clicks }, () => h.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'phone.remove', h.actors.admin)));
    const told = await eventually(() => responses(prompt.responseUrl).find((text) => /Removed|There is no phone endpoint/.test(text)), { timeoutMs: 20_000 });
    expect(told).toContain('Removed');
    expect(h.novu.endpoints.size).toBe(0);
    expect(await h.app.services.store.endpoints.find(endpoint)).toBeUndefined();
  });
});
