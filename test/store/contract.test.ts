import type { Installation } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import type { Store } from '../../src/store/types.js';
import { enterpriseKey, teamKey } from '../../src/store/workspace-key.js';
import { type EngineKind, openTestStore, type TestStore } from '../kit/stores.js';

/**
 * One contract, two engines: the embedded file store and PostgreSQL (a real server in CI; an
 * embedded PGlite where none is running, which the run reports).
 */
const logger = createLogger({ level: 'silent', format: 'json' });

function teamInstallation(teamId: string, overrides: Partial<Installation> = {}): Installation {
  return {
    team: { id: teamId, name: `Team ${teamId}` },
    enterprise: undefined,
    user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
    bot: { token: `xoxb-${teamId}-secret-bot-token`, scopes: ['commands'], id: 'B1', userId: 'U0BOT' },
    isEnterpriseInstall: false,
    appId: 'A1',
    authVersion: 'v2',
    ...overrides,
  } as Installation;
}

function orgInstallation(enterpriseId: string): Installation {
  return {
    team: undefined,
    enterprise: { id: enterpriseId, name: 'Acme Grid' },
    user: { id: 'U0ORGADMIN', token: undefined, scopes: undefined },
    bot: { token: `xoxb-${enterpriseId}-org-bot-token`, scopes: ['commands'], id: 'B2', userId: 'U0ORGBOT' },
    isEnterpriseInstall: true,
    enterpriseUrl: 'https://acme-grid.enterprise.slack.com/',
    appId: 'A1',
    authVersion: 'v2',
  } as Installation;
}

describe.each<EngineKind>(['sqlite', 'postgres'])('store contract on %s', (kind) => {
  let testStore: TestStore;
  let store: Store;

  beforeEach(async () => {
    testStore = await openTestStore(kind, logger);
    store = testStore.store;
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  describe('installations', () => {
    it('stores, fetches and deletes a workspace install', async () => {
      await store.installations.save(teamInstallation('T100'));
      const found = await store.installations.find(teamKey('T100'));
      expect(found?.installation.bot?.token).toBe('xoxb-T100-secret-bot-token');
      expect(found?.installation.team?.name).toBe('Team T100');
      expect(await store.installations.count()).toBe(1);
      expect(await store.installations.delete(teamKey('T100'))).toBe(true);
      expect(await store.installations.find(teamKey('T100'))).toBeUndefined();
      expect(await store.installations.delete(teamKey('T100'))).toBe(false);
    });

    it('keys org-wide installs by enterprise, apart from a workspace of the same org', async () => {
      await store.installations.save(orgInstallation('E900'));
      await store.installations.save(teamInstallation('T900', { enterprise: { id: 'E900', name: 'Acme Grid' } }));
      expect((await store.installations.find(enterpriseKey('E900')))?.installation.bot?.token).toBe('xoxb-E900-org-bot-token');
      expect((await store.installations.find(teamKey('T900')))?.installation.bot?.token).toBe('xoxb-T900-secret-bot-token');
    });

    it('upserts on reinstall instead of adding a row', async () => {
      await store.installations.save(teamInstallation('T101'));
      await store.installations.save(teamInstallation('T101', { bot: { token: 'xoxb-T101-new-token', scopes: ['commands'], id: 'B1', userId: 'U0BOT' } }));
      expect(await store.installations.count()).toBe(1);
      expect((await store.installations.find(teamKey('T101')))?.installation.bot?.token).toBe('xoxb-T101-new-token');
    });

    it('keeps each installing user’s token apart and never hands one user another’s', async () => {
      await store.installations.save(teamInstallation('T102', { user: { id: 'U1', token: 'xoxp-user-one', scopes: ['identify'] } }));
      await store.installations.save(teamInstallation('T102', { user: { id: 'U2', token: 'xoxp-user-two', scopes: ['identify'] } }));
      expect((await store.installations.find(teamKey('T102'), 'U1'))?.installation.user.token).toBe('xoxp-user-one');
      expect((await store.installations.find(teamKey('T102'), 'U2'))?.installation.user.token).toBe('xoxp-user-two');
      const stranger = await store.installations.find(teamKey('T102'), 'U3');
      expect(stranger?.installation.user.token).toBeUndefined();
      expect(stranger?.installation.bot?.token).toBe('xoxb-T102-secret-bot-token');
    });

    it('never lets an older rotated token overwrite a newer one', async () => {
      const later = Math.floor(Date.now() / 1000) + 43_200;
      const newer = teamInstallation('T103', { bot: { token: 'xoxb-newer', refreshToken: 'xoxe-2', expiresAt: later, scopes: [], id: 'B', userId: 'U' } });
      const older = teamInstallation('T103', {
        bot: { token: 'xoxb-older', refreshToken: 'xoxe-1', expiresAt: later - 600, scopes: [], id: 'B', userId: 'U' },
      });
      await store.installations.save(newer);
      await store.installations.save(older);
      expect((await store.installations.find(teamKey('T103')))?.installation.bot?.token).toBe('xoxb-newer');
      expect(await store.installations.expiringBefore(later * 1000 + 1, 10)).toEqual([teamKey('T103')]);
    });

    it('encrypts tokens at rest: the raw tables hold no token text', async () => {
      await store.installations.save(teamInstallation('T104', { user: { id: 'U1', token: 'xoxp-raw-user-token', scopes: [] } }));
      const rows = await testStore.raw<Record<string, unknown>>('select * from installations');
      const userRows = await testStore.raw<Record<string, unknown>>('select * from user_installations');
      const dump = JSON.stringify([rows, userRows]);
      expect(rows).toHaveLength(1);
      expect(dump).not.toContain('xoxb-T104-secret-bot-token');
      expect(dump).not.toContain('xoxp-raw-user-token');
      expect(String(rows[0]?.secret)).toMatch(/^v1\.[0-9a-f]{8}\./);
    });

    it('tells subscribers about changes', async () => {
      const seen: string[] = [];
      const unsubscribe = store.onInstallationChanged((key) => seen.push(key));
      await store.installations.save(teamInstallation('T105'));
      await store.installations.delete(teamKey('T105'));
      unsubscribe();
      expect(seen).toEqual([teamKey('T105'), teamKey('T105')]);
    });
  });

  describe('OAuth state', () => {
    it('is single-use', async () => {
      await store.oauthStates.create('hash-1', '{"scopes":["commands"]}', Date.now() + 600_000);
      expect(await store.oauthStates.consume('hash-1')).toMatchObject({ installOptions: '{"scopes":["commands"]}' });
      expect(await store.oauthStates.consume('hash-1')).toBeUndefined();
    });

    it('reports the expiry so a late state can be refused, and prunes old ones', async () => {
      await store.oauthStates.create('hash-old', '{}', Date.now() - 1);
      await store.oauthStates.create('hash-new', '{}', Date.now() + 600_000);
      expect(await store.oauthStates.pruneExpired(Date.now())).toBe(1);
      expect(await store.oauthStates.consume('hash-old')).toBeUndefined();
      const fresh = await store.oauthStates.consume('hash-new');
      expect(fresh?.expiresAt).toBeGreaterThan(Date.now());
    });
  });

  describe('job queue', () => {
    const job = (dedupeKey: string, extra = {}) => ({ kind: 'test.write', dedupeKey, payload: { n: 1 }, maxAttempts: 3, ...extra });

    it('enqueues once per dedupe key', async () => {
      const first = await store.jobs.enqueue(job('intent-1'));
      const second = await store.jobs.enqueue(job('intent-1'));
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.job.id).toBe(first.job.id);
    });

    it('claims, completes, and keeps the result', async () => {
      const { job: queued } = await store.jobs.enqueue(job('intent-2'));
      const claimed = await store.jobs.claimNext('worker-a', 10_000);
      expect(claimed).toMatchObject({ id: queued.id, status: 'running', attempts: 1, lockedBy: 'worker-a' });
      expect(await store.jobs.claimNext('worker-b', 10_000)).toBeUndefined();
      expect(await store.jobs.complete(queued.id, 'worker-a', { identifier: 'x' })).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ status: 'done', result: { identifier: 'x' }, lockedBy: null });
    });

    it('schedules a retry, then marks the job dead, then revives it by hand', async () => {
      const { job: queued } = await store.jobs.enqueue(job('intent-3'));
      await store.jobs.claimNext('w', 10_000);
      expect(await store.jobs.fail(queued.id, 'w', 'Novu answered 503', Date.now() + 60_000)).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ status: 'pending', lastError: 'Novu answered 503' });
      expect(await store.jobs.claimNext('w', 10_000)).toBeUndefined();
      expect(await store.jobs.claimNext('w', 10_000, Date.now() + 61_000)).toMatchObject({ id: queued.id, attempts: 2 });
      expect(await store.jobs.fail(queued.id, 'w', 'Novu answered 404', undefined)).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ status: 'dead', lastError: 'Novu answered 404' });
      expect(await store.jobs.countByStatus()).toMatchObject({ dead: 1, pending: 0 });
      expect(await store.jobs.revive(queued.id)).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await store.jobs.revive(queued.id)).toBe(false);
    });

    it('takes a job back from a worker whose lease ran out, and fences the old worker', async () => {
      const { job: queued } = await store.jobs.enqueue(job('intent-4'));
      await store.jobs.claimNext('slow', 1_000);
      const now = Date.now() + 2_000;
      expect(await store.jobs.claimNext('fast', 1_000, now)).toMatchObject({ id: queued.id, lockedBy: 'fast' });
      expect(await store.jobs.complete(queued.id, 'slow', { late: true })).toBe(false);
      expect(await store.jobs.complete(queued.id, 'fast', { ok: true })).toBe(true);
    });

    it('claims a specific job only if nobody holds it', async () => {
      const { job: queued } = await store.jobs.enqueue(job('intent-5', { runAt: Date.now() + 60_000 }));
      expect(await store.jobs.claim(queued.id, 'inline', 5_000)).toMatchObject({ status: 'running' });
      expect(await store.jobs.claim(queued.id, 'other', 5_000)).toBeUndefined();
      expect(await store.jobs.extendLease(queued.id, 'inline', 5_000)).toBe(true);
      expect(await store.jobs.extendLease(queued.id, 'other', 5_000)).toBe(false);
    });

    it('never gives the same job to two concurrent claimers', async () => {
      for (let i = 0; i < 20; i += 1) await store.jobs.enqueue(job(`bulk-${i}`));
      const other = await testStore.openAnother();
      const claimers = Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? store : other));
      const claimed: string[] = [];
      await Promise.all(
        claimers.map(async (claimer, index) => {
          for (;;) {
            const next = await claimer.jobs.claimNext(`worker-${index}`, 60_000);
            if (!next) return;
            claimed.push(next.id);
          }
        }),
      );
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed).size).toBe(20);
    });

    it('lists by state and workspace, newest first', async () => {
      await store.jobs.enqueue(job('list-1', { workspaceKey: teamKey('T1') }), 1_000);
      await store.jobs.enqueue(job('list-2', { workspaceKey: teamKey('T1') }), 2_000);
      await store.jobs.enqueue(job('list-3', { workspaceKey: teamKey('T2') }), 3_000);
      const listed = await store.jobs.list({ workspaceKey: teamKey('T1'), statuses: ['pending'], limit: 10 });
      expect(listed.map((item) => item.dedupeKey)).toEqual(['list-2', 'list-1']);
      expect(await store.jobs.nextRunAt()).toBe(1_000);
    });
  });

  describe('audit log', () => {
    it('appends and lists newest first, per workspace, and prunes by age', async () => {
      await store.audit.append(
        {
          action: 'connection.create',
          outcome: 'ok',
          workspaceKey: teamKey('T1'),
          userId: 'U1',
          backend: 'novu',
          backendId: 'conn-1',
          detail: { mode: 'shared' },
        },
        1_000,
      );
      await store.audit.append({ action: 'endpoints.register', outcome: 'refused', workspaceKey: teamKey('T1'), userId: 'U2', error: 'not an admin' }, 2_000);
      await store.audit.append({ action: 'connection.create', outcome: 'failed', workspaceKey: teamKey('T2') }, 3_000);
      const entries = await store.audit.list({ workspaceKey: teamKey('T1'), limit: 10 });
      expect(entries.map((entry) => entry.outcome)).toEqual(['refused', 'ok']);
      expect(entries[1]).toMatchObject({ backendId: 'conn-1', detail: { mode: 'shared' }, at: 1_000 });
      expect(await store.audit.pruneBefore(2_500)).toBe(2);
      expect((await store.audit.list({ limit: 10 })).map((entry) => entry.workspaceKey)).toEqual([teamKey('T2')]);
    });
  });

  describe('Novu connections', () => {
    const connection = {
      workspaceKey: teamKey('T1'),
      identifier: 'slack-t1-abc',
      integrationIdentifier: 'slack-prod',
      mode: 'shared' as const,
      context: { tenant: 'T1' },
      subscriberId: null,
      state: 'pending' as const,
      lastError: null,
      syncedAt: null,
    };

    it('saves, updates in place keeping the creation time, records sync state, and deletes', async () => {
      await store.connections.save(connection, 1_000);
      const updated = await store.connections.save(
        { ...connection, integrationIdentifier: 'slack-eu', state: 'failed', lastError: 'Novu answered 404' },
        2_000,
      );
      expect(updated).toMatchObject({ integrationIdentifier: 'slack-eu', state: 'failed', lastError: 'Novu answered 404', createdAt: 1_000, updatedAt: 2_000 });
      await store.connections.markState(teamKey('T1'), 'connected', null, 3_000);
      expect(await store.connections.find(teamKey('T1'))).toMatchObject({ state: 'connected', lastError: null, syncedAt: 3_000, context: { tenant: 'T1' } });
      expect(await store.connections.find(teamKey('T2'))).toBeUndefined();
      expect((await store.connections.delete(teamKey('T1')))?.identifier).toBe('slack-t1-abc');
      expect(await store.connections.delete(teamKey('T1'))).toBeUndefined();
    });
  });

  describe('event de-duplication', () => {
    it('recognises a redelivered event', async () => {
      expect(await store.events.markFirstDelivery('Ev1')).toBe(true);
      expect(await store.events.markFirstDelivery('Ev1')).toBe(false);
      expect(await store.events.markFirstDelivery('Ev2')).toBe(true);
    });
  });

  describe('locks', () => {
    it('runs holders of the same lock one at a time', async () => {
      const other = await testStore.openAnother();
      const order: string[] = [];
      const hold = (label: string, target: Store) =>
        target.withLock('refresh:T1', async () => {
          order.push(`${label}:in`);
          await new Promise((resolve) => setTimeout(resolve, 50));
          order.push(`${label}:out`);
        });
      await Promise.all([hold('a', store), hold('b', other)]);
      expect([order.slice(0, 2), order.slice(2)]).toEqual(
        order[0] === 'a:in'
          ? [
              ['a:in', 'a:out'],
              ['b:in', 'b:out'],
            ]
          : [
              ['b:in', 'b:out'],
              ['a:in', 'a:out'],
            ],
      );
    });
  });
});
