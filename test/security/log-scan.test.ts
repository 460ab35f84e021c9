import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness } from '../kit/harness.js';
import { openVapiForm } from '../kit/vapi-form.js';

/**
 * Runs the app's flows with debug logging on (Bolt, the OAuth installer and the Web API client
 * included), then checks that no log line holds a token or secret this run handed out.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ vapi: true, signalwire: true, logLevel: 'trace' });
});
afterAll(() => harness.stop());

describe('logs', () => {
  it('never contain a token or a secret, after the flows ran', async () => {
    await harness.install({ rotation: { expiresIn: 43_200 } });
    await harness.install();
    const start = await harness.startInstall();
    await harness.finishInstall(`${harness.url}/slack/oauth_redirect?code=bogus&state=${start.state}`, start.cookie);
    for (const text of ['help', 'status', 'setup', 'regster', 'register +14155550100 sub-1', 'list', 'numbers', 'sip', 'import +14155550100']) {
      await harness.slack.command(text.startsWith('s') || text === 'help' ? '/connect' : '/phone', text, harness.actors.admin);
      await harness.slack.command('/phone', text, harness.actors.operator);
    }
    const sipPassword = `sip-pw-${randomBytes(12).toString('hex')}`;
    const sipView = await openVapiForm(harness, harness.actors.operator, { kind: 'sip', login: true, answeredBy: 'workflow' });
    await harness.slack.submitView(
      sipView,
      { name: 'Scan', sip_user: 'scan', workflow: 'wf-1', sip_username: 'user-name-long-enough-1', sip_password: sipPassword },
      harness.actors.operator,
    );
    await eventually(() => harness.vapi.numbers.size > 0);
    await harness.slack.post('token=xoxb-fake', 'application/x-www-form-urlencoded', { secret: 'wrong' });
    await fetch(`${harness.url}/slack/oauth_redirect?error=access_denied&state=x`);
    await harness.app.services.audit.flush();

    const secrets = [...harness.secrets(), sipPassword].filter((secret) => secret.length >= 8);
    expect(secrets.length).toBeGreaterThan(8);
    expect(harness.logs.lines.length).toBeGreaterThan(50);
    const leaks = harness.logs.lines.flatMap((line, index) =>
      secrets.filter((secret) => line.includes(secret)).map((secret) => `line ${index}: …${secret.slice(0, 6)}…`),
    );
    expect(leaks).toEqual([]);
    expect(harness.logs.lines.some((line) => /\bxox[bpe]-/.test(line))).toBe(false);
  });

  it('carry a request id on lines written while handling a Slack request', async () => {
    await harness.slack.command('/phone', 'zzz', harness.actors.member);
    const lines = harness.logs.entries().filter((entry) => entry.component === 'slack-sdk' || entry.requestId);
    expect(lines.some((entry) => typeof entry.requestId === 'string')).toBe(true);
  });
});
