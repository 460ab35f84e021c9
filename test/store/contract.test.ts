import type { Installation } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import type { Store } from '../../src/store/types.js';
import { enterpriseKey, teamKey } from '../../src/store/workspace-key.js';
import { storePerTest } from '../kit/store-per-test.js';
import type { EngineKind, TestStore } from '../kit/stores.js';

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
  storePerTest(kind, logger, (opened) => {
    testStore = opened;
    store = opened.store;
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

    it('keeps a finished job’s follow-up pending with its outcome, leased to its worker, then to whoever claims it after the lease', async () => {
      const { job: queued } = await store.jobs.enqueue(job('follow-1'));
      await store.jobs.claimNext('a', 10_000);
      const now = Date.now();
      expect(await store.jobs.complete(queued.id, 'a', { made: 1 }, { leaseMs: 1_000 }, now)).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ status: 'done', result: { made: 1 }, followUp: 'pending', lockedBy: 'a' });
      expect(await store.jobs.claimFollowUp('b', 1_000, now + 500)).toBeUndefined();
      expect(await store.jobs.claimFollowUp('b', 1_000, now + 1_500)).toMatchObject({ id: queued.id, followUpAttempts: 0 });
      // The first worker is fenced out: its lease is gone.
      expect(await store.jobs.followUpDone(queued.id, 'a', now + 1_600)).toBe(false);
      expect(await store.jobs.followUpFailed(queued.id, 'b', 'Slack did not answer', now + 5_000, now + 1_600)).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ followUp: 'pending', followUpAttempts: 1 });
      expect(await store.jobs.claimFollowUp('c', 1_000, now + 4_000)).toBeUndefined();
      expect(await store.jobs.claimFollowUp('c', 1_000, now + 5_100)).toMatchObject({ id: queued.id });
      expect(await store.jobs.followUpDone(queued.id, 'c', now + 5_200)).toBe(true);
      expect(await store.jobs.get(queued.id)).toMatchObject({ followUp: 'done' });
      expect(await store.jobs.claimFollowUp('d', 1_000, now + 60_000)).toBeUndefined();
    });

    it('records each follow-up effect once per job', async () => {
      const { job: queued } = await store.jobs.enqueue(job('follow-2'));
      expect(await store.jobs.effectDone(queued.id, 'dm:U1')).toBe(false);
      await store.jobs.recordEffect(queued.id, 'dm:U1');
      await store.jobs.recordEffect(queued.id, 'dm:U1');
      expect(await store.jobs.effectDone(queued.id, 'dm:U1')).toBe(true);
      expect(await store.jobs.effectDone(queued.id, 'dm:U2')).toBe(false);
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
    const scope = {
      identifier: 'slack-t1-abc',
      integrationIdentifier: 'slack-prod',
      mode: 'shared' as const,
      context: { tenant: 'T1' },
      subscriberId: null,
    };

    it('starts a change per intent, records what Novu confirmed only for the latest intent, and keeps the creation time', async () => {
      const first = await store.connections.beginChange(teamKey('T1'), 'install:1', 'pending', scope, 1_000);
      expect(first).toMatchObject({ state: 'pending', intent: 'install:1', syncedAt: null, createdAt: 1_000 });
      expect(await store.connections.recordSynced(teamKey('T1'), 'install:1', { ...scope, identifier: 'slack-t1-adopted' }, 2_000)).toBe(true);
      expect(await store.connections.find(teamKey('T1'))).toMatchObject({ identifier: 'slack-t1-adopted', state: 'connected', syncedAt: 2_000 });

      // A newer intent keeps the recorded connection (it still exists in Novu) and supersedes the older one.
      await store.connections.beginChange(teamKey('T1'), 'setup:V2', 'pending', { ...scope, integrationIdentifier: 'other' }, 3_000);
      expect(await store.connections.recordSynced(teamKey('T1'), 'install:1', { ...scope, identifier: 'late' }, 4_000)).toBe(false);
      expect(await store.connections.markState(teamKey('T1'), 'failed', 'Novu answered 404', 'install:1')).toBe(false);
      expect(await store.connections.find(teamKey('T1'))).toMatchObject({
        identifier: 'slack-t1-adopted',
        integrationIdentifier: 'slack-prod',
        state: 'pending',
        intent: 'setup:V2',
        createdAt: 1_000,
      });
      expect(await store.connections.markState(teamKey('T1'), 'failed', 'Novu answered 404', 'setup:V2')).toBe(true);
      expect(await store.connections.find(teamKey('T1'))).toMatchObject({ state: 'failed', lastError: 'Novu answered 404' });
    });

    it('removes a record only for the intent that asked, so a reinstall keeps its own', async () => {
      await store.connections.beginChange(teamKey('T1'), 'install:1', 'pending', scope);
      await store.connections.beginChange(teamKey('T1'), 'uninstall:1', 'disconnecting', scope);
      await store.connections.beginChange(teamKey('T1'), 'install:2', 'pending', scope);
      expect(await store.connections.removeAt(teamKey('T1'), 'uninstall:1')).toBe(false);
      expect(await store.connections.find(teamKey('T1'))).toMatchObject({ intent: 'install:2' });
      expect(await store.connections.removeAt(teamKey('T1'), 'install:2')).toBe(true);
      expect(await store.connections.find(teamKey('T1'))).toBeUndefined();
    });

    it('lists every tenant’s connection by integration, and deletes', async () => {
      await store.connections.beginChange(teamKey('T1'), 'a', 'pending', scope);
      await store.connections.beginChange(teamKey('T2'), 'b', 'pending', { ...scope, identifier: 'slack-t2', context: { tenant: 'T2' } });
      await store.connections.beginChange(teamKey('T3'), 'c', 'pending', { ...scope, identifier: 'slack-t3', integrationIdentifier: 'slack-eu' });
      expect((await store.connections.list({ integrationIdentifier: 'slack-prod' })).map((record) => record.workspaceKey)).toEqual([
        teamKey('T1'),
        teamKey('T2'),
      ]);
      expect((await store.connections.delete(teamKey('T1')))?.identifier).toBe('slack-t1-abc');
      expect(await store.connections.delete(teamKey('T1'))).toBeUndefined();
    });
  });

  describe('tenants', () => {
    const install = (status: 'approved' | 'pending', installedBy = 'U1') => ({
      workspaceKey: teamKey('T7'),
      kind: 'team' as const,
      slackId: 'T7',
      name: 'Globex',
      installedBy,
      status,
      decidedBy: status === 'approved' ? 'open' : undefined,
    });

    it('waits for a decision, which is single-use', async () => {
      expect(await store.tenants.recordInstall(install('pending'), 1_000)).toMatchObject({ status: 'pending', decidedBy: null, installs: 1 });
      expect(await store.tenants.decide(teamKey('T7'), 'approved', 'U0OP', 2_000)).toMatchObject({ status: 'approved', decidedBy: 'U0OP', decidedAt: 2_000 });
      expect(await store.tenants.decide(teamKey('T7'), 'denied', 'U0OTHER')).toBeUndefined();
      expect(await store.tenants.find(teamKey('T7'))).toMatchObject({ status: 'approved', decidedBy: 'U0OP' });
    });

    it('keeps an approval across reinstalls, and asks again after a denial', async () => {
      await store.tenants.recordInstall(install('approved'));
      expect(await store.tenants.recordInstall(install('pending', 'U2'))).toMatchObject({
        status: 'approved',
        decidedBy: 'open',
        installedBy: 'U2',
        installs: 2,
      });
      await store.tenants.recordInstall({ ...install('pending'), workspaceKey: teamKey('T8'), slackId: 'T8' });
      await store.tenants.decide(teamKey('T8'), 'denied', 'U0OP');
      expect(await store.tenants.recordInstall({ ...install('pending'), workspaceKey: teamKey('T8'), slackId: 'T8' })).toMatchObject({
        status: 'pending',
        decidedBy: null,
      });
      expect((await store.tenants.list({ statuses: ['pending'], limit: 10 })).map((tenant) => tenant.slackId)).toEqual(['T8']);
    });
  });

  describe('what tenants own', () => {
    const endpoint = (identifier: string, workspaceKey: string, type: 'phone' | 'slack_channel' = 'phone') => ({
      identifier,
      workspaceKey,
      type,
      subscriberId: 'sub-1',
      integrationIdentifier: 'twilio-sms',
      connectionIdentifier: null,
      target: '+14155550100',
      createdBy: 'U1',
      contextKeys: ['tenant:T1'],
    });

    it('pages a tenant’s endpoints newest first, by type, with a cursor, and never another tenant’s', async () => {
      for (let index = 0; index < 5; index += 1) await store.endpoints.add(endpoint(`e${index}`, teamKey('T1')), 1_000 + index);
      await store.endpoints.add(endpoint('other', teamKey('T2')), 5_000);
      await store.endpoints.add(endpoint('chan', teamKey('T1'), 'slack_channel'), 6_000);
      const first = await store.endpoints.page({ workspaceKey: teamKey('T1'), types: ['phone'], limit: 2 });
      expect(first.map((row) => row.identifier)).toEqual(['e4', 'e3']);
      const last = first.at(-1);
      const second = await store.endpoints.page({ workspaceKey: teamKey('T1'), types: ['phone'], limit: 10, after: last });
      expect(second.map((row) => row.identifier)).toEqual(['e2', 'e1', 'e0']);
      expect((await store.endpoints.page({ limit: 10 })).length).toBe(7);
      // The first record of an identifier stands: a second tenant cannot take it over.
      await store.endpoints.add(endpoint('e0', teamKey('T2')));
      expect((await store.endpoints.find('e0'))?.workspaceKey).toBe(teamKey('T1'));
      expect(await store.endpoints.remove('e0')).toBe(true);
      expect(await store.endpoints.remove('e0')).toBe(false);
    });

    it('keeps numbers per tenant, refreshing what the vendor said without changing the owner', async () => {
      const number = {
        backend: 'vapi' as const,
        vendorId: 'v1',
        workspaceKey: teamKey('T1'),
        number: null,
        sipUri: 'sip:a@sip.vapi.ai',
        name: 'A',
        status: 'activating',
        createdBy: 'U1',
      };
      await store.numbers.add(number, 1_000);
      await store.numbers.add({ ...number, workspaceKey: teamKey('T2'), status: 'active' }, 2_000);
      expect(await store.numbers.find('vapi', 'v1')).toMatchObject({ workspaceKey: teamKey('T1'), status: 'active', createdAt: 1_000, updatedAt: 2_000 });
      expect(await store.numbers.list({ workspaceKey: teamKey('T2'), limit: 10 })).toEqual([]);
      expect(await store.numbers.claimRelease('vapi', 'v1', 'job-1')).toBe(true);
      expect(await store.numbers.claimRelease('vapi', 'v1', 'job-1')).toBe(true);
      expect(await store.numbers.claimRelease('vapi', 'v1', 'job-2')).toBe(false);
      await store.numbers.dropReleaseClaim('vapi', 'v1', 'job-2');
      expect(await store.numbers.claimRelease('vapi', 'v1', 'job-2')).toBe(false);
      await store.numbers.dropReleaseClaim('vapi', 'v1', 'job-1');
      expect(await store.numbers.claimRelease('vapi', 'v1', 'job-2')).toBe(true);
      expect(await store.numbers.claimRelease('vapi', 'missing', 'job-2')).toBe(false);
      expect(await store.numbers.setStatus('vapi', 'v1', 'blocked', 3_000)).toBe(true);
      expect(await store.numbers.find('vapi', 'v1')).toMatchObject({ workspaceKey: teamKey('T1'), status: 'blocked', updatedAt: 3_000 });
      expect(await store.numbers.remove('vapi', 'v1')).toBe(true);
      expect(await store.numbers.setStatus('vapi', 'v1', 'active')).toBe(false);
    });

    it("keeps a number's report channel, warns its setter once per channel, and keeps refused reports per tenant", async () => {
      const report = {
        backend: 'vapi' as const,
        vendorId: 'v1',
        workspaceKey: teamKey('T1'),
        channelId: 'C1',
        sealedSecret: 'sealed',
        credentialId: null,
        setBy: 'U1',
      };
      await store.numberReports.set(report, 1_000);
      await store.numberReports.set({ ...report, credentialId: 'cred-1', sealedSecret: null }, 2_000);
      expect(await store.numberReports.find('vapi', 'v1')).toMatchObject({
        channelId: 'C1',
        sealedSecret: 'sealed',
        credentialId: 'cred-1',
        setAt: 2_000,
        warnedAt: null,
      });
      expect(await store.numberReports.markWarned('vapi', 'v1', 3_000)).toBe(true);
      expect(await store.numberReports.markWarned('vapi', 'v1', 4_000)).toBe(false);
      await store.numberReports.set({ ...report, setBy: 'U2' });
      expect((await store.numberReports.find('vapi', 'v1'))?.warnedAt).toBe(3_000);
      await store.numberReports.set({ ...report, channelId: 'C2', sealedSecret: null });
      expect(await store.numberReports.find('vapi', 'v1')).toMatchObject({ channelId: 'C2', sealedSecret: 'sealed', warnedAt: null });
      expect(await store.numberReports.find('signalwire', 'v1')).toBeUndefined();
      await store.numberReports.set({ ...report, vendorId: 'v2', workspaceKey: teamKey('T2'), channelId: 'C9' });
      expect((await store.numberReports.list({ workspaceKey: teamKey('T1'), limit: 10 })).map((entry) => entry.vendorId)).toEqual(['v1']);
      expect((await store.numberReports.list({ limit: 10 })).map((entry) => entry.vendorId).sort()).toEqual(['v1', 'v2']);

      const kept = {
        workspaceKey: teamKey('T1'),
        backend: 'vapi' as const,
        vendorId: 'v1',
        channelId: 'C2',
        reason: 'is_archived',
        event: { kind: 'call', callId: 'c1' },
      };
      await store.numberReports.keepUnposted({ ...kept, eventKey: 'vapi:call:c1' }, 1_000);
      await store.numberReports.keepUnposted({ ...kept, eventKey: 'vapi:call:c1' }, 1_500);
      await store.numberReports.keepUnposted({ ...kept, eventKey: 'vapi:call:c2', event: { kind: 'call', callId: 'c2' } }, 2_000);
      await store.numberReports.keepUnposted({ ...kept, workspaceKey: teamKey('T2'), eventKey: 'vapi:call:c3' }, 3_000);
      expect(await store.numberReports.countUnposted(teamKey('T1'))).toBe(2);
      expect((await store.numberReports.unposted(teamKey('T1'), 10)).map((entry) => [entry.eventKey, entry.event.callId, entry.createdAt])).toEqual([
        ['vapi:call:c2', 'c2', 2_000],
        ['vapi:call:c1', 'c1', 1_000],
      ]);
      expect(await store.numberReports.remove('vapi', 'v1')).toBe(true);
      expect(await store.numberReports.find('vapi', 'v1')).toBeUndefined();
    });
  });

  describe('link runs', () => {
    it('moves through its states one step at a time, keeps the dry run per member, and settles each member once', async () => {
      const { run } = await store.linkRuns.create({ workspaceKey: teamKey('T1'), requestedBy: 'U1' }, 1_000);
      expect(run).toMatchObject({ status: 'planning', membersSeen: 0, channelId: null });
      expect(await store.linkRuns.transition(run.id, ['planned'], 'linking')).toBe(false);
      expect(await store.linkRuns.transition(run.id, ['planning'], 'planned')).toBe(true);
      const items = Array.from({ length: 450 }, (_, index) => ({
        userId: `U${String(index).padStart(4, '0')}`,
        subscriberId: index % 3 === 0 ? null : `sub-${index}`,
        state: index % 3 === 0 ? ('unmatched' as const) : ('matched' as const),
        detail: null,
      }));
      await store.linkRuns.saveItems(run.id, items);
      await store.linkRuns.saveItems(run.id, items);
      expect(await store.linkRuns.counts(run.id)).toMatchObject({ matched: 300, unmatched: 150, linked: 0 });
      const firstPage = await store.linkRuns.items(run.id, { states: ['matched'], limit: 100 });
      expect(firstPage).toHaveLength(100);
      const secondPage = await store.linkRuns.items(run.id, { states: ['matched'], after: firstPage.at(-1)?.userId, limit: 100 });
      expect(String(secondPage[0]?.userId) > String(firstPage.at(-1)?.userId)).toBe(true);
      expect(await store.linkRuns.settle(run.id, 'U0001', 'linked')).toBe(true);
      expect(await store.linkRuns.settle(run.id, 'U0001', 'failed', 'again')).toBe(false);
      expect(await store.linkRuns.settle(run.id, 'U0000', 'linked')).toBe(false);
      expect(await store.linkRuns.counts(run.id)).toMatchObject({ matched: 299, linked: 1 });
      expect((await store.linkRuns.latest(teamKey('T1')))?.id).toBe(run.id);
      expect(await store.linkRuns.latest(teamKey('T2'))).toBeUndefined();
    });

    it('hands out one progress report per interval', async () => {
      const { run } = await store.linkRuns.create({ workspaceKey: teamKey('T1'), requestedBy: 'U1' });
      const claims = await Promise.all([1, 2, 3].map(() => store.linkRuns.claimReport(run.id, 1_000, 10_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.linkRuns.claimReport(run.id, 1_000, 10_500)).toBe(false);
      expect(await store.linkRuns.claimReport(run.id, 1_000, 11_000)).toBe(true);
    });
  });

  describe('link requests', () => {
    it('keeps one pending request per person and subscriber, decided once, per tenant', async () => {
      const first = await store.linkRequests.ask({ workspaceKey: teamKey('T1'), userId: 'U1', subscriberId: 'sub-1' }, 1_000);
      const again = await store.linkRequests.ask({ workspaceKey: teamKey('T1'), userId: 'U1', subscriberId: 'sub-1' }, 2_000);
      expect(again.id).toBe(first.id);
      await store.linkRequests.ask({ workspaceKey: teamKey('T2'), userId: 'U9', subscriberId: 'sub-9' });
      expect((await store.linkRequests.pending(teamKey('T1'), 10)).map((request) => request.id)).toEqual([first.id]);
      expect(await store.linkRequests.decide(first.id, 'approved', 'UADMIN')).toMatchObject({ status: 'approved', decidedBy: 'UADMIN' });
      expect(await store.linkRequests.decide(first.id, 'denied', 'UADMIN')).toBeUndefined();
      expect(await store.linkRequests.pending(teamKey('T1'), 10)).toEqual([]);
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
