import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { AppProcess, appEnvironment } from '../kit/app-process.js';
import { FakeNovu } from '../kit/backends/novu.js';
import { eventually, freePort } from '../kit/harness.js';
import { installThrough } from '../kit/oauth-flow.js';
import { type PostedMessage, SlackEmulator } from '../kit/slack-emulator.js';
import { SlackSender } from '../kit/slack-sender.js';
import { startCommand } from '../kit/start-command.js';
import { freshPostgresSchema, postgresTarget } from '../kit/stores.js';

/** The built app as a process, killed with SIGKILL while writes wait in the queue, then restarted. */
const emulator = new SlackEmulator();
const novu = new FakeNovu();
const directory = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
let port = 0;
let child: ChildProcess | undefined;

function environment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    INSTALL_POLICY: 'open',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SLACK_SIGNING_SECRET: 'crash-signing-secret-0123456789',
    SLACK_CLIENT_ID: emulator.clientId,
    SLACK_CLIENT_SECRET: emulator.clientSecret,
    SLACK_STATE_SECRET: 'crash-state-secret-0123456789',
    SLACK_API_URL: emulator.apiUrl,
    SLACK_AUTHORIZE_URL: emulator.authorizeUrl,
    DATABASE_URL: `file:${join(directory, 'switchboard.db')}`,
    ENCRYPTION_KEY: encryptionKey,
    NOVU_SECRET_KEY: novu.secretKey,
    NOVU_API_URL: novu.url,
    NOVU_INTEGRATION_IDENTIFIER: 'slack-prod',
    JOB_RETRY_BASE_SECONDS: '0.2',
    JOB_LEASE_SECONDS: '2',
    LOG_LEVEL: 'warn',
  };
}
const encryptionKey = randomBytes(32).toString('base64');

async function startApp(): Promise<void> {
  child = spawn(process.execPath, startCommand(), { env: environment(), stdio: 'ignore' });
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, {
    timeoutMs: 15_000,
    message: 'the app to start',
  });
}

beforeAll(async () => {
  await emulator.start();
  await novu.start();
  port = await freePort();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all([emulator.stop(), novu.stop()]);
  rmSync(directory, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('writes queued when the process is SIGKILLed all complete after the restart, each exactly once', async () => {
    await startApp();
    await novu.goDown();
    const teams = ['T0CRASH01', 'T0CRASH02', 'T0CRASH03'];
    for (const id of teams) {
      const page = await installThrough(`http://127.0.0.1:${port}`, emulator, { team: { id, name: id }, userId: 'U0INSTALLER' });
      expect(page.html).toContain('being completed in the background');
    }
    child?.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));

    await novu.comeBack();
    await startApp();
    await eventually(() => novu.connections.size === teams.length, { timeoutMs: 30_000, message: 'every connection after the restart' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const id of teams) {
      const identifier = connectionIdentifier('slack-prod', id);
      expect(novu.connections.has(identifier)).toBe(true);
      const created = novu
        .requestsTo('POST', '/v1/channel-connections')
        .filter((request) => (request.body as { identifier?: string }).identifier === identifier);
      expect(created).toHaveLength(1);
      expect(created[0]?.problems).toEqual([]);
    }
    expect(novu.connections.size).toBe(teams.length);
    expect(novu.requests.filter((request) => request.method === 'PATCH')).toHaveLength(0);
  });

  it('a follow-up cut off by SIGKILL (the job done, its direct message in flight) is delivered after the restart, once', async () => {
    child?.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    await startApp();
    await novu.goDown();
    const teamId = 'T0CRASH09';
    const installer = 'U0INSTALL09';
    const page = await installThrough(`http://127.0.0.1:${port}`, emulator, { team: { id: teamId, name: 'Crash Nine' }, userId: installer });
    expect(page.html).toContain('being completed in the background');
    const connectedDm = (args: Record<string, unknown>) => args.channel === `D${installer.slice(1)}` && String(args.text).includes('connected to Novu');
    const held = emulator.hold('chat.postMessage', connectedDm);
    await novu.comeBack();
    // The job is done and its follow-up stored; the direct message is on its way when the process dies.
    await held.reached;
    expect(novu.connections.has(connectionIdentifier('slack-prod', teamId))).toBe(true);
    child?.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    held.drop();
    const delivered = () => emulator.callsTo('chat.postMessage').filter((call) => call.ok && connectedDm(call.args));
    expect(delivered()).toHaveLength(0);

    await startApp();
    await eventually(() => delivered().length === 1, { timeoutMs: 30_000, message: 'the direct message, from the restarted process' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(delivered()).toHaveLength(1);
    const created = novu
      .requestsTo('POST', '/v1/channel-connections')
      .filter((request) => (request.body as { identifier?: string }).identifier === connectionIdentifier('slack-prod', teamId));
    expect(created).toHaveLength(1);
  });

  it('a form’s result cut off by SIGKILL (the job done, the form update in flight) reaches its person by direct message after the restart, once', async () => {
    const admin = { userId: 'U0CRASHADM', teamId: 'T0CRASH10' };
    emulator.addUser({ id: admin.userId, teamId: admin.teamId, isAdmin: true });
    await installThrough(`http://127.0.0.1:${port}`, emulator, { team: { id: admin.teamId, name: 'Crash Ten' }, userId: admin.userId });
    await eventually(() => novu.connections.has(connectionIdentifier('slack-prod', admin.teamId)), { timeoutMs: 15_000, message: 'the connection' });
    const sender = new SlackSender(`http://127.0.0.1:${port}`, environment().SLACK_SIGNING_SECRET ?? '', emulator);
    const opened = await sender.command('/phone', 'register', admin);
    const form = await eventually(() => emulator.viewOpenedBy(opened.triggerId), { message: 'the form' });
    novu.subscribers.set('sub-crash-form', { subscriberId: 'sub-crash-form' });
    // The person waits in the form: the job is done, its follow-up recorded, the form's update on its way when the process dies.
    const shown = emulator.hold('views.update', (args) => JSON.stringify(args).includes('sub-crash-form'));
    const answer = await sender.submitView(form, { 'phone.integration': 'whatsapp-business', subscriber: 'sub-crash-form', number: '+12125550177' }, admin);
    expect((answer.json as { response_action?: string } | undefined)?.response_action).toBe('update');
    await shown.reached;
    child?.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    shown.drop();
    const endpoints = () => [...novu.endpoints.values()].filter((endpoint) => endpoint.subscriberId === 'sub-crash-form');
    expect(endpoints()).toHaveLength(1);
    const told = () =>
      emulator
        .callsTo('chat.postMessage')
        .filter((call) => call.ok && String(call.args.text).includes('sub-crash-form') && String(call.args.text).includes('is registered'));
    expect(told()).toHaveLength(0);

    await startApp();
    await eventually(() => told().length === 1, { timeoutMs: 30_000, message: 'the direct message, from the restarted process' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(told()).toHaveLength(1);
    expect(endpoints()).toHaveLength(1);
  });
});

/**
 * "Link everyone" in a process on PostgreSQL, SIGKILLed at the three moments a run can be cut:
 * while its members' links are being written; after the last member is linked, before the run is
 * marked done (the turn to done is held in the database by a trigger); and after the run is done,
 * before its message says so. Each time the restarted process finishes the run: done, every
 * member linked once in Novu, the message saying N of N. Needs a PostgreSQL server; skipped, with
 * the reason, where none runs.
 */
const where = await postgresTarget();
const serverUrl = where.kind === 'server' ? where.url : '';
const holdKey = 724_201;

describe.skipIf(where.kind !== 'server')(`Link everyone, SIGKILLed${where.kind === 'server' ? '' : ` (skipped: ${where.reason})`}`, () => {
  const signingSecret = 'link-all-signing-secret-0123456789';
  const applicationName = `switchboard-link-all-${randomBytes(3).toString('hex')}`;
  let replica: AppProcess;
  let sender: SlackSender;
  let books: pg.Client;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const schema = await freshPostgresSchema(serverUrl);
    dropSchema = schema.drop;
    const databaseUrl = new URL(schema.url);
    databaseUrl.searchParams.set('application_name', applicationName);
    const parts = { emulator, novu, databaseUrl: databaseUrl.toString(), signingSecret, encryptionKey };
    replica = new AppProcess(appEnvironment(parts, { LOG_LEVEL: 'warn' }), join(directory, 'link-all.log'));
    expect(await replica.start()).toBe(true);
    sender = new SlackSender(replica.url, signingSecret, emulator);
    books = new pg.Client({ connectionString: schema.url });
    await books.connect();
  });
  afterAll(async () => {
    await replica?.stop();
    await books?.end();
    await dropSchema?.();
  });

  /** A workspace of `members` people, each with a Novu subscriber of their email, and its dry run. */
  async function dryRun(index: number, members: number) {
    const teamId = `T0LINKALL${index}`;
    const admin = { userId: `U0LINKADM${index}`, teamId };
    emulator.addUser({ id: admin.userId, teamId, isAdmin: true });
    await installThrough(replica.url, emulator, { team: { id: teamId, name: `Link ${index}` }, userId: admin.userId });
    await eventually(() => novu.connections.has(connectionIdentifier('slack-prod', teamId)), { timeoutMs: 15_000, message: 'the connection' });
    for (let member = 0; member < members; member += 1) {
      const email = `link${index}.member${member}@example.com`;
      emulator.addUser({ id: `U0L${index}M${String(member).padStart(5, '0')}`, teamId, email });
      novu.subscribers.set(`link${index}-${member}`, { subscriberId: `link${index}-${member}`, email });
    }
    const dm = `D${admin.userId.slice(1)}`;
    const runMessage = (): PostedMessage | undefined => [...emulator.messages.values()].filter((message) => message.channel === dm).at(-1);
    const says = (text: string) =>
      eventually(() => (runMessage()?.text.includes(text) ? structuredClone(runMessage()) : undefined), { timeoutMs: 60_000, intervalMs: 100, message: text });
    await sender.command('/connect', 'link-all', admin);
    const plan = await says(`Dry run: ${members} to link`);
    const confirm = () => sender.clickButton({ message: { blocks: plan?.blocks }, responseUrl: emulator.newResponseUrl(dm) }, 'routes.linkall.apply', admin);
    const linked = () =>
      [...novu.endpoints.values()]
        .filter((endpoint) => endpoint.type === 'slack_user')
        .map((endpoint) => (endpoint.endpoint as { userId?: string }).userId ?? '')
        .filter((userId) => userId.startsWith(`U0L${index}M`));
    const status = async () =>
      (await books.query<{ status: string }>('select status from bulk_runs where workspace_key = $1 order by created_at desc limit 1', [teamKey(teamId)]))
        .rows[0]?.status;
    return { confirm, says, linked, status };
  }

  /** After the restart: the run is done, the message says N of N, and each member is linked once in Novu. */
  async function finishedOnce(run: Awaited<ReturnType<typeof dryRun>>, members: number): Promise<void> {
    await run.says(`${members} of ${members} members linked`);
    expect(await run.status()).toBe('done');
    const linked = run.linked();
    expect(linked).toHaveLength(members);
    expect(new Set(linked).size).toBe(members);
  }

  it('killed while the links are being written: the restarted process links the rest, each member once', async () => {
    const run = await dryRun(1, 40);
    novu.latencyMs = 400;
    await run.confirm();
    await eventually(() => run.linked().length >= 8, { timeoutMs: 30_000, message: 'some links written' });
    await replica.kill();
    expect(run.linked().length).toBeLessThan(40);
    novu.latencyMs = 0;
    expect(await replica.start()).toBe(true);
    await finishedOnce(run, 40);
  }, 120_000);

  it('killed after the last member is linked, before the run is marked done: the restarted process finishes it', async () => {
    const run = await dryRun(2, 6);
    // The run's turn to done waits in the database until the test lets it go.
    await books.query(`create or replace function hold_run_done() returns trigger language plpgsql as $$
      begin perform pg_advisory_lock(${holdKey}); perform pg_advisory_unlock(${holdKey}); return new; end $$`);
    await books.query(`create trigger hold_run_done before update on bulk_runs for each row
      when (new.status = 'done' and old.status <> 'done') execute function hold_run_done()`);
    await books.query('select pg_advisory_lock($1)', [holdKey]);
    try {
      await run.confirm();
      const waiting = async () =>
        (
          await books.query<{ pid: number }>(
            `select pid from pg_stat_activity where application_name = $1 and wait_event = 'advisory' and query ilike 'update "bulk_runs"%'`,
            [applicationName],
          )
        ).rows;
      await eventually(async () => (await waiting()).length === 1, { timeoutMs: 30_000, message: 'the turn to done, held' });
      expect(run.linked()).toHaveLength(6);
      await replica.kill();
      // The killed process's statement dies with it, as a crash leaves it.
      await books.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [applicationName]);
    } finally {
      await books.query('drop trigger if exists hold_run_done on bulk_runs');
      await books.query('select pg_advisory_unlock($1)', [holdKey]);
    }
    expect(await run.status()).toBe('linking');
    expect(await replica.start()).toBe(true);
    await finishedOnce(run, 6);
  }, 120_000);

  it('killed after the run is marked done, before its message says so: the restarted process brings the message up to date', async () => {
    const run = await dryRun(3, 5);
    const final = emulator.hold('chat.update', (args) => String(args.text).includes('5 of 5 members linked'));
    await run.confirm();
    await final.reached;
    expect(await run.status()).toBe('done');
    await replica.kill();
    final.drop();
    expect(await replica.start()).toBe(true);
    await finishedOnce(run, 5);
  }, 120_000);
});
