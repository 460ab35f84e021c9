import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';
import { signature } from '../kit/slack-sender.js';

/** Forged and replayed requests, duplicated deliveries, a burst of commands, and a token rotation race. */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  await harness.install({ rotation: { expiresIn: 43_200 } });
});
afterAll(() => harness.stop());

function commandBody(text: string): string {
  return new URLSearchParams({
    team_id: team.id,
    user_id: harness.actors.member.userId,
    command: '/phone',
    text,
    channel_id: 'C0GENERAL',
    response_url: harness.emulator.newResponseUrl(),
    trigger_id: harness.emulator.newTrigger(),
    api_app_id: harness.emulator.appId,
  }).toString();
}

async function send(body: string, timestamp: string, signed: string): Promise<number> {
  const response = await fetch(`${harness.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signed },
    body,
  });
  await response.text();
  return response.status;
}

describe('signatures (property-based)', () => {
  it('a wrong secret, a stale or future timestamp, a truncated signature or a changed body: 401 and no handler', async () => {
    const before = await harness.handledRequests();
    const now = () => Math.floor(Date.now() / 1000);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.oneof(
          fc.record({ kind: fc.constant('secret' as const), secret: fc.string({ minLength: 1, maxLength: 64 }) }),
          fc.record({ kind: fc.constant('stale' as const), skew: fc.integer({ min: 301, max: 10_000_000 }), sign: fc.constantFrom(-1, 1) }),
          fc.record({ kind: fc.constant('truncated' as const), keep: fc.integer({ min: 0, max: 66 }) }),
          fc.record({ kind: fc.constant('changed' as const), extra: fc.string({ minLength: 1, maxLength: 20 }) }),
        ),
        async (text, attack) => {
          const body = commandBody(text);
          let timestamp = String(now());
          let signed = signature(harness.signingSecret, timestamp, body);
          let sent = body;
          if (attack.kind === 'secret') {
            if (attack.secret === harness.signingSecret) return;
            signed = signature(attack.secret, timestamp, body);
          } else if (attack.kind === 'stale') {
            timestamp = String(now() + attack.sign * attack.skew);
            signed = signature(harness.signingSecret, timestamp, body);
          } else if (attack.kind === 'truncated') {
            signed = signed.slice(0, attack.keep);
          } else {
            sent = `${body}&text=${encodeURIComponent(attack.extra)}`;
          }
          expect(await send(sent, timestamp, signed)).toBe(401);
        },
      ),
      { numRuns: 60 },
    );
    expect(await harness.handledRequests()).toBe(before);
  });
});

describe('duplicates', () => {
  it('the same event delivered three times (x-slack-retry-num) makes one write', async () => {
    await harness.install({ team: { id: 'T0DUPES', name: 'Dupes' } });
    const deletes = () => harness.novu.requests.filter((request) => request.method === 'DELETE').length;
    const before = deletes();
    const eventId = 'Ev0DUPLICATE1';
    for (const retryNum of [0, 1, 2]) {
      const response = await harness.slack.event({ type: 'app_uninstalled' }, { teamId: 'T0DUPES' }, { eventId, retryNum });
      expect(response.status).toBe(200);
    }
    await eventually(() => deletes() === before + 1, { message: 'one DELETE' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deletes()).toBe(before + 1);
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey('T0DUPES'), actions: ['workspace.uninstall'], limit: 5 });
    expect(audit).toHaveLength(1);
  });
});

describe('load', () => {
  it('1,000 concurrent signed slash commands are all acknowledged, without an error', async () => {
    const bodies = Array.from({ length: 1_000 }, () => {
      const body = commandBody('help');
      const timestamp = String(Math.floor(Date.now() / 1000));
      return { body, timestamp, signed: signature(harness.signingSecret, timestamp, body) };
    });
    const statuses = await Promise.all(bodies.map(({ body, timestamp, signed }) => send(body, timestamp, signed)));
    // Bolt answers a request not acknowledged within 3 s itself, with an error status: all 200 means all acked in time.
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const errors = harness.logs.entries().filter((entry) => Number(entry.level) >= 50);
    expect(errors).toEqual([]);
  });
});

describe('token rotation race', () => {
  it('concurrent requests for a workspace whose token is about to expire make one refresh, and the stored token works', async () => {
    // The installed token has an hour left; a refreshed one, as at Slack, twelve.
    await harness.install({ team: { id: 'T0ROTATE', name: 'Rotate' }, rotation: { expiresIn: 3_600, refreshedExpiresIn: 43_200 } });
    const refreshes = harness.emulator.refreshCount();
    const actor = { userId: 'U0MEMBER', teamId: 'T0ROTATE' };
    await Promise.all(Array.from({ length: 25 }, () => harness.slack.command('/connect', 'status', actor)));
    expect(harness.emulator.refreshCount()).toBe(refreshes + 1);
    const stored = await harness.app.services.store.installations.find(teamKey('T0ROTATE'));
    expect(harness.emulator.isTokenValid(stored?.installation.bot?.token ?? '')).toBe(true);
  });
});
