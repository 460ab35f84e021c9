import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOutageAnswer } from '../../src/app/slack-app.js';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPostgresEngine } from '../../src/store/engines/postgres.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { AppProcess, appEnvironment } from '../kit/app-process.js';
import { FakeNovu } from '../kit/backends/novu.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';
import { installThrough } from '../kit/oauth-flow.js';
import { type EmulatedView, SlackEmulator } from '../kit/slack-emulator.js';
import { type SentResponse, SlackSender } from '../kit/slack-sender.js';
import { freshPostgresSchema, postgresTarget } from '../kit/stores.js';
import { TcpProxy } from '../kit/tcp-proxy.js';

/**
 * Switchboard on PostgreSQL behind a proxy that stalls, resets and drops the database connection,
 * as a network fault or a failover does. Needs a PostgreSQL server (CI has one): the embedded
 * PGlite has no connection to break, so where none runs these tests are skipped, and say why.
 */
const where = await postgresTarget();
const serverUrl = where.kind === 'server' ? where.url : '';
const silent = createLogger({ level: 'silent', format: 'json' });

describe('the store’s answer when a request cannot be looked up', () => {
  it('a command hears "try again"; a form keeps what was typed, the sentence under its first field; anything else is refused with 503', () => {
    const command = storeOutageAnswer({ command: '/phone', text: 'list' }, silent);
    expect(command).toMatchObject({ status: 200, body: { response_type: 'ephemeral', text: expect.stringContaining('cannot reach its database') } });
    const form = storeOutageAnswer(
      { type: 'view_submission', view: { blocks: [{ type: 'section' }, { type: 'input', block_id: 'subscriber' }, { type: 'input', block_id: 'number' }] } },
      silent,
    );
    expect(form).toEqual({ status: 200, body: { response_action: 'errors', errors: { subscriber: expect.stringContaining('Try again') } } });
    expect(storeOutageAnswer({ type: 'view_submission', view: { blocks: [{ type: 'section' }] } }, silent).status).toBe(503);
    expect(storeOutageAnswer({ type: 'block_actions' }, silent).status).toBe(503);
    expect(storeOutageAnswer({ type: 'event_callback' }, silent).status).toBe(503);
  });
});

describe.skipIf(where.kind !== 'server')(
  `PostgreSQL that goes away${where.kind === 'server' ? '' : ` (skipped: ${where.kind === 'pglite' ? where.reason : ''})`}`,
  () => {
    let proxy: TcpProxy;
    let h: Harness;
    beforeAll(async () => {
      const target = new URL(serverUrl);
      proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
      h = await startHarness({ store: 'postgres', databaseVia: (url) => proxy.rewrite(url) });
      await h.install();
    });
    afterAll(async () => {
      proxy.up();
      await h?.stop();
      await proxy?.stop();
    });

    it('a connection reset during a query fails that query, not the process; the next query works', async () => {
      const engine = openPostgresEngine(proxy.rewrite(serverUrl), silent);
      try {
        await sql`select 1`.execute(engine.db);
        const slow = sql`select pg_sleep(5)`.execute(engine.db);
        await sleep(300);
        proxy.reset();
        await expect(slow).rejects.toThrow();
        const { rows } = await sql<{ answer: number }>`select 41 + 1 as answer`.execute(engine.db);
        expect(rows[0]?.answer).toBe(42);
      } finally {
        await engine.close();
      }
    });

    it('down: /readyz says not ready, known workspaces are still served, a form is told plainly it was not saved; ready again after', async () => {
      // Known before the outage: the workspace's installation and standing are in the caches.
      expect((await h.slack.command('/phone', 'help', h.actors.admin)).status).toBe(200);
      const view = await h.openModal('/phone', 'register', 'phone.register', h.actors.admin);
      h.novu.subscribers.set('sub-outage', { subscriberId: 'sub-outage' });

      proxy.down();
      // The replica hears no other replica's changes now, so its caches hold only what may be stale.
      await eventually(() => h.logs.lines.some((line) => line.includes('installation change listener lost its connection')), {
        message: 'the change listener to notice',
      });
      await eventually(async () => (await fetch(`${h.url}/readyz`)).status === 503, { timeoutMs: 10_000, message: '/readyz not ready' });
      const help = await h.slack.command('/phone', 'help', h.actors.admin);
      expect(help.status).toBe(200);
      expect(JSON.stringify(help.json ?? {})).toContain('/phone register');
      // A workspace this replica never looked up cannot be told apart from one never installed: it hears "try again", not "not installed".
      const stranger = await h.slack.command('/phone', 'help', { userId: 'U0STRANGER', teamId: 'T0NEVERSEEN' });
      expect(stranger.status).toBe(200);
      expect(JSON.stringify(stranger.json)).toContain('cannot reach its database');
      const answer = await h.slack.submitView(
        view,
        { 'phone.integration': 'whatsapp-business', subscriber: 'sub-outage', number: '+12125550199' },
        h.actors.admin,
      );
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ response_action: 'errors' });
      expect(JSON.stringify(answer.json)).toMatch(/could not save this in time|cannot reach its database/);
      expect([...h.novu.endpoints.values()].some((endpoint) => endpoint.subscriberId === 'sub-outage')).toBe(false);

      proxy.up();
      await eventually(async () => (await fetch(`${h.url}/readyz`)).status === 200, { timeoutMs: 15_000, message: '/readyz ready again' });
      const again = await h.slack.submitView(
        view,
        { 'phone.integration': 'whatsapp-business', subscriber: 'sub-outage', number: '+12125550199' },
        h.actors.admin,
      );
      expect(JSON.stringify(again.json)).not.toContain('could not save');
      await eventually(() => [...h.novu.endpoints.values()].filter((endpoint) => endpoint.subscriberId === 'sub-outage').length === 1, {
        timeoutMs: 15_000,
        message: 'the endpoint, registered once',
      });
    }, 60_000);

    it('stalled: a form is answered within the acknowledgement budget; the request stored late runs once, and its person is told', async () => {
      const view = await h.openModal('/phone', 'register', 'phone.register', h.actors.admin);
      h.novu.subscribers.set('sub-stall', { subscriberId: 'sub-stall' });
      proxy.stall();
      const started = Date.now();
      const answer = await h.slack.submitView(
        view,
        { 'phone.integration': 'whatsapp-business', subscriber: 'sub-stall', number: '+12125550188' },
        h.actors.admin,
      );
      const took = Date.now() - started;
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.json)).toContain('could not save this in time');
      // Slack waits three seconds for the answer.
      expect(took).toBeLessThan(3_000);
      await sleep(1_000);
      proxy.up();
      // The write that was on its way when the answer went out lands, and the job runs once; the person hears by DM.
      await eventually(() => [...h.novu.endpoints.values()].filter((endpoint) => endpoint.subscriberId === 'sub-stall').length === 1, {
        timeoutMs: 30_000,
        message: 'the late request, run',
      });
      await eventually(
        () =>
          h.emulator
            .callsTo('chat.postMessage')
            .some((call) => call.ok && String(call.args.text).includes('sub-stall') && String(call.args.text).includes('is registered')),
        { timeoutMs: 15_000, message: 'the direct message' },
      );
      const jobs = await h.app.services.store.jobs.list({ workspaceKey: teamKey(team.id), kinds: ['novu.endpoint.register'], limit: 50 });
      expect(jobs.filter((job) => JSON.stringify(job.payload).includes('sub-stall'))).toHaveLength(1);
    }, 60_000);
  },
);

/**
 * A process of its own on PostgreSQL behind the proxy, for what only a real process shows: a
 * registration submitted while the database stalls, the process SIGKILLed right after the answer;
 * and every database session of the process terminated while the registration's job INSERT is in
 * flight. Whatever the person was told holds after the restart: "not saved" with nothing written
 * (or, written late, done once and told), "Registering…" with the endpoint in Novu once and its
 * person told; the process outlives its sessions.
 */
describe.skipIf(where.kind !== 'server')(`a process on PostgreSQL, killed or cut off mid-submission${where.kind === 'server' ? '' : ' (skipped)'}`, () => {
  const emulator = new SlackEmulator();
  const novu = new FakeNovu();
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-db-process-'));
  const signingSecret = 'db-process-signing-secret-0123456789';
  const applicationName = `switchboard-db-faults-${randomBytes(3).toString('hex')}`;
  const admin = { userId: 'U0DBADMIN1', teamId: 'T0DBFAULT1' };
  let proxy: TcpProxy;
  let replica: AppProcess;
  let sender: SlackSender;
  let books: pg.Client;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    await Promise.all([emulator.start(), novu.start()]);
    const target = new URL(serverUrl);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const schema = await freshPostgresSchema(serverUrl);
    dropSchema = schema.drop;
    const databaseUrl = new URL(proxy.rewrite(schema.url));
    databaseUrl.searchParams.set('application_name', applicationName);
    const parts = { emulator, novu, databaseUrl: databaseUrl.toString(), signingSecret, encryptionKey: randomBytes(32).toString('base64') };
    replica = new AppProcess(appEnvironment(parts, { LOG_LEVEL: 'warn' }), join(directory, 'replica.log'));
    expect(await replica.start()).toBe(true);
    sender = new SlackSender(replica.url, signingSecret, emulator);
    books = new pg.Client({ connectionString: schema.url });
    await books.connect();
    emulator.addUser({ id: admin.userId, teamId: admin.teamId, isAdmin: true });
    await installThrough(replica.url, emulator, { team: { id: admin.teamId, name: 'Database Faults' }, userId: admin.userId });
    await eventually(() => novu.connections.has(connectionIdentifier('slack-prod', admin.teamId)), { timeoutMs: 15_000, message: 'the connection' });
  }, 60_000);
  afterAll(async () => {
    proxy?.up();
    await replica?.stop();
    await books?.end();
    await dropSchema?.();
    await proxy?.stop();
    await Promise.all([emulator.stop(), novu.stop()]);
    rmSync(directory, { recursive: true, force: true });
  });

  async function openForm(subscriberId: string): Promise<EmulatedView> {
    novu.subscribers.set(subscriberId, { subscriberId });
    const sent = await sender.command('/phone', 'register', admin);
    return eventually(() => emulator.viewOpenedBy(sent.triggerId), { message: 'the form' });
  }
  const submit = (view: EmulatedView, subscriberId: string, number: string) =>
    sender.submitView(view, { 'phone.integration': 'whatsapp-business', subscriber: subscriberId, number }, admin);
  const told = (answer: SentResponse | undefined) =>
    JSON.stringify(answer?.json ?? '').includes('could not save this in time') ? 'not saved' : (answer?.json as { response_action?: string })?.response_action;

  /** After the queue settles: the person's answer holds — a stored job was done once in Novu and its person told; nothing stored, nothing written. */
  async function settledAsTold(subscriberId: string, view: EmulatedView, answer: 'not saved' | 'update' | undefined): Promise<void> {
    const open = async () =>
      (await books.query<{ open: number }>("select count(*)::int as open from jobs where status in ('pending', 'running') or follow_up = 'pending'")).rows[0]
        ?.open;
    await eventually(async () => (await open()) === 0, { timeoutMs: 30_000, intervalMs: 200, message: 'the queue to settle' });
    const jobs = (await books.query('select id from jobs where kind = $1 and payload like $2', ['novu.endpoint.register', `%"${subscriberId}"%`])).rows;
    const endpoints = () => [...novu.endpoints.values()].filter((endpoint) => endpoint.type === 'phone' && endpoint.subscriberId === subscriberId);
    if (answer === 'update') expect(jobs).toHaveLength(1);
    expect(jobs.length).toBeLessThanOrEqual(1);
    expect(endpoints()).toHaveLength(jobs.length);
    if (jobs.length === 0) return;
    const inForm = () => JSON.stringify(emulator.views.get(view.id) ?? {}).includes('Registered');
    const byDm = () =>
      emulator
        .callsTo('chat.postMessage')
        .some((call) => call.ok && String(call.args.text).includes(subscriberId) && String(call.args.text).includes('is registered'));
    await eventually(() => inForm() || byDm(), { timeoutMs: 15_000, message: 'the person told' });
  }

  it('stalled, then SIGKILLed right after the answer: "not saved" leaves nothing or one endpoint, told; "Registering…" is done once and told', async () => {
    const cases = [
      { subscriberId: 'sub-stall-kill-1', number: '+12125550141', stallMs: 4_000, expected: 'not saved' },
      { subscriberId: 'sub-stall-kill-2', number: '+12125550142', stallMs: 400, expected: 'update' },
    ] as const;
    for (const { subscriberId, number, stallMs, expected } of cases) {
      const view = await openForm(subscriberId);
      proxy.stall();
      const healed = sleep(stallMs).then(() => proxy.up());
      const answer = await submit(view, subscriberId, number);
      await replica.kill();
      await healed;
      expect(told(answer)).toBe(expected);
      expect(await replica.start()).toBe(true);
      await settledAsTold(subscriberId, view, expected);
    }
  }, 120_000);

  it('every session terminated while the job INSERT is in flight: the form hears "not saved" or is stored, the process lives on, nothing is lost', async () => {
    const subscriberId = 'sub-terminated';
    const view = await openForm(subscriberId);
    const holdKey = 724_202;
    await books.query(`create or replace function hold_job_insert() returns trigger language plpgsql as $$
      begin perform pg_advisory_lock(${holdKey}); perform pg_advisory_unlock(${holdKey}); return new; end $$`);
    await books.query(`create trigger hold_job_insert before insert on jobs for each row
      when (new.kind = 'novu.endpoint.register') execute function hold_job_insert()`);
    await books.query('select pg_advisory_lock($1)', [holdKey]);
    let answering: Promise<SentResponse> | undefined;
    try {
      answering = submit(view, subscriberId, '+12125550143');
      const inFlight = "select pid from pg_stat_activity where application_name = $1 and wait_event = 'advisory' and query ilike 'insert into \"jobs\"%'";
      await eventually(async () => (await books.query(inFlight, [applicationName])).rows.length === 1, { message: 'the INSERT in flight' });
      // Every session of this process (other test files share the database, so only this process's), the pool's and the change listener's.
      const terminated = await books.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1',
        [applicationName],
      );
      expect(terminated.rows.length).toBeGreaterThanOrEqual(2);
    } finally {
      await books.query('drop trigger if exists hold_job_insert on jobs');
      await books.query('select pg_advisory_unlock($1)', [holdKey]);
    }
    const answer = await answering;
    expect(['not saved', 'update']).toContain(told(answer));
    await sleep(500);
    expect(replica.running).toBe(true);
    await eventually(() => replica.ready(), { timeoutMs: 15_000, message: '/readyz ready again' });
    await settledAsTold(subscriberId, view, told(answer) as 'not saved' | 'update');
    // Nothing lost: the same form sent again is registered, once.
    const again = await submit(view, subscriberId, '+12125550143');
    expect(told(again)).toBe('update');
    await settledAsTold(subscriberId, view, 'update');
  }, 90_000);
});
