import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../kit/harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  await harness.install();
});
afterAll(() => harness.stop());

describe('request signatures', () => {
  it('acknowledges a correctly signed, form-encoded slash command', async () => {
    const before = await harness.handledRequests('command');
    const response = await harness.slack.command('/connect', 'help', harness.actors.member);
    expect(response.status).toBe(200);
    expect(response.json?.response_type).toBe('ephemeral');
    expect(response.json?.text).toContain('/connect');
    expect(await harness.handledRequests('command')).toBe(before + 1);
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-signing-secret' }],
    ['no signature at all', { omitSignature: true }],
    ['a stale timestamp (6 minutes old)', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
  ])('refuses %s with 401 and runs no handler', async (_label, options) => {
    const before = await harness.handledRequests();
    const { body } = harness.slack.commandBody('/connect', 'help', harness.actors.member);
    const response = await harness.slack.post(body, 'application/x-www-form-urlencoded', options);
    expect(response.status).toBe(401);
    expect(response.text).toBe('');
    expect(await harness.handledRequests()).toBe(before);
  });

  it('refuses a body changed after signing', async () => {
    const before = await harness.handledRequests();
    const { body } = harness.slack.commandBody('/connect', 'help', harness.actors.member);
    const timestamp = Math.floor(Date.now() / 1000);
    const { signature } = await import('../kit/slack-sender.js');
    const response = await fetch(`${harness.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(harness.signingSecret, timestamp, body),
      },
      body: body.replace('help', 'setup'),
    });
    expect(response.status).toBe(401);
    expect(await harness.handledRequests()).toBe(before);
  });
});
