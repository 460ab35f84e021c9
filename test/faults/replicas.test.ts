import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, startReplica, team } from '../kit/harness.js';

/**
 * Two replicas of Switchboard on one PostgreSQL database (a real server in CI), sharing nothing
 * in memory: OAuth across them, one claim per job, and caches that follow each other's changes.
 */
let a: Harness;
let b: Harness;
beforeAll(async () => {
  a = await startHarness({ store: 'postgres' });
  b = await startReplica(a);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe('two replicas on one PostgreSQL database', () => {
  it('an install started on replica A finishes on replica B', async () => {
    const start = await a.startInstall();
    const consent = await (await fetch(start.authorizeUrl)).text();
    const allow = /id="allow" href="([^"]+)"/.exec(consent)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const callback = new URL((await fetch(new URL(allow, a.emulator.url), { redirect: 'manual' })).headers.get('location') ?? '');
    const onB = `${b.url}${callback.pathname}${callback.search}`;
    const page = await b.finishInstall(onB, start.cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Switchboard is installed in Acme Ops');
    expect(await a.app.services.store.installations.find(teamKey(team.id))).toBeDefined();
    await eventually(() => a.novu.connections.size === 1);
  });

  it('each queued job is claimed by exactly one replica', async () => {
    const runs = new Map<string, string[]>();
    for (const replica of [a, b]) {
      replica.app.services.queue.define<{ n: number }, number>({
        kind: 'test.replica-claim',
        run: async (payload, context) => {
          runs.set(String(payload.n), [...(runs.get(String(payload.n)) ?? []), context.job.lockedBy ?? '?']);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return payload.n;
        },
      });
    }
    for (let n = 0; n < 40; n += 1) {
      const queue = n % 2 ? a.app.services.queue : b.app.services.queue;
      await queue.enqueue('test.replica-claim', { n }, { dedupeKey: `replica-claim:${n}` });
    }
    await eventually(async () => (await a.app.services.store.jobs.list({ kinds: ['test.replica-claim'], statuses: ['done'], limit: 100 })).length === 40, {
      timeoutMs: 20_000,
      message: 'all 40 jobs done',
    });
    expect([...runs.values()].every((workers) => workers.length === 1)).toBe(true);
    expect(runs.size).toBe(40);
  });

  it("a change on replica B reaches replica A's cache", async () => {
    const key = teamKey(team.id);
    expect(await a.app.services.installations.find(key)).toBeDefined();
    await b.slack.event({ type: 'app_uninstalled' }, { teamId: team.id });
    await eventually(async () => (await a.app.services.installations.find(key)) === undefined, {
      timeoutMs: 5_000,
      message: "A's cache to drop the uninstalled workspace",
    });
  });
});
