/**
 * npm run bench — Switchboard against a bare Bolt app, on loopback, in one run.
 *
 * Both apps run as child processes on `node` (Switchboard from dist/, as `npm start` runs it);
 * the Slack emulator, the fake Novu and the load generator run here. Figures are medians of
 * interleaved rounds, each with its ratio to the bare app. Results: a table on stdout and
 * bench/results/latest.json.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { createLogger } from '../src/logging/logger.js';
import { botScopeNames } from '../src/slack/scopes.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { FakeNovu } from '../test/kit/backends/novu.js';
import { freePort } from '../test/kit/harness.js';
import { installThrough } from '../test/kit/oauth-flow.js';
import { SlackEmulator } from '../test/kit/slack-emulator.js';
import { startCommand } from '../test/kit/start-command.js';
import { storedThenToldFigures } from './ack-after-commit.js';
import { benchTeamId, installationFor, percentile, round } from './common.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 3;
const seconds = quick ? 2 : 4;
const installationCount = quick ? 5_000 : 100_000;
const logger = createLogger({ level: 'silent', format: 'json' });
const signingSecret = `bench-${randomBytes(16).toString('hex')}`;
const stateSecret = randomBytes(16).toString('hex');
const encryptionKey = randomBytes(32).toString('base64');
const workDirectory = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));

interface Figure {
  name: string;
  unit: string;
  switchboard: number;
  bare?: number;
  ratio?: number;
  goal: string;
  met?: boolean;
  note?: string;
}
const figures: Figure[] = [];
const charts: { ackLatency?: { points: string[]; switchboard: number[]; bare: number[] } } = {};

function record(figure: Omit<Figure, 'ratio'> & { higherIsBetter?: boolean }): void {
  const ratio = figure.bare ? round(figure.switchboard / figure.bare, 3) : undefined;
  const { higherIsBetter: _ignored, ...rest } = figure;
  figures.push({ ...rest, ratio });
  const compared = figure.bare !== undefined ? ` (bare ${figure.bare}, ratio ${ratio})` : '';
  console.log(`  ${figure.name}: ${figure.switchboard} ${figure.unit}${compared}${figure.note ? `; ${figure.note}` : ''}`);
}

// ── processes ────────────────────────────────────────────────────────────────────────────

interface RunningApp {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startApp(kind: 'switchboard' | 'bare', env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = kind === 'switchboard' ? startCommand() : [join('bench', 'bare-bolt.mjs')];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), PUBLIC_URL: url, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/${kind === 'switchboard' ? 'readyz' : 'slack/events'}`, { method: kind === 'switchboard' ? 'GET' : 'POST' })
      .then((response) => response.status < 500 || kind === 'bare')
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${kind} did not start`);
    await sleep(50);
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024, 1);
}

// ── Slack-side helpers ───────────────────────────────────────────────────────────────────

function signedCommand(text: string, teamId: string, userId: string, triggerId = `${Date.now()}.${randomBytes(4).toString('hex')}`) {
  const body = new URLSearchParams({
    token: 'x',
    team_id: teamId,
    team_domain: 'bench',
    channel_id: 'C0BENCH',
    channel_name: 'bench',
    user_id: userId,
    user_name: 'bench',
    command: '/phone',
    text,
    api_app_id: 'A0SWITCHBRD',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/response',
    trigger_id: triggerId,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
  };
}

async function install(emulator: SlackEmulator, appUrl: string, teamId: string): Promise<number> {
  const result = await installThrough(appUrl, emulator, { team: { id: teamId, name: `Bench ${teamId}` }, userId: 'U0BENCHADMIN' });
  if (result.status !== 200) throw new Error(`install answered ${result.status}`);
  return result.callbackMs;
}

// ── measurements ─────────────────────────────────────────────────────────────────────────

async function load(url: string, options: { rate?: number; connections: number; duration?: number; amount?: number; teams?: string[] }) {
  let next = 0;
  const result = await autocannon({
    url: `${url}/slack/events`,
    method: 'POST',
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        setupRequest: (request: autocannon.Request) => {
          const teams = options.teams ?? ['T0BENCH'];
          const signed = signedCommand('help', teams[next++ % teams.length] ?? 'T0BENCH', 'U0BENCHADMIN');
          return { ...request, method: 'POST', body: signed.body, headers: signed.headers };
        },
      },
    ],
  });
  const latency = result.latency as unknown as Record<string, number>;
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
    distribution: distributionPoints.map((point) => latency[point] ?? Number.NaN),
  };
}

/** autocannon's latency percentiles, drawn in the chart. */
const distributionPoints = ['p1', 'p10', 'p25', 'p50', 'p75', 'p90', 'p97_5', 'p99', 'p99_9'] as const;

/** Each command's modal must open: a failed views.open on either side makes the figure meaningless. */
async function viewsOpenLatency(emulator: SlackEmulator, url: string, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const trigger = emulator.newTrigger();
    const signed = signedCommand('register +14155550100 sub-1', 'T0BENCH', 'U0BENCHADMIN', trigger);
    const began = Date.now();
    const sent = performance.now();
    await fetch(`${url}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const call = emulator.callsTo('views.open').find((candidate) => candidate.args.trigger_id === trigger);
      if (call && !call.ok) throw new Error(`views.open failed for ${url}: ${call.error}`);
      if (call) {
        latencies.push(Math.max(0, call.at - began) || performance.now() - sent);
        break;
      }
      if (Date.now() > deadline) throw new Error(`views.open never arrived (${url}, request ${index})`);
      await sleep(2);
    }
    await sleep(50);
  }
  return latencies;
}

/** Installed and approved workspaces, as many OAuth installs would leave them. */
async function seed(store: Store, count: number): Promise<void> {
  const batch = 200;
  const one = async (index: number) => {
    const installation = installationFor(index);
    await store.installations.save(installation);
    const teamId = installation.team?.id ?? '';
    await store.tenants.recordInstall({
      workspaceKey: `team:${teamId}`,
      kind: 'team',
      slackId: teamId,
      name: null,
      installedBy: 'U0BENCHADMIN',
      status: 'approved',
      decidedBy: 'open',
    });
  };
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, offset) => one(start + offset)));
  }
}

/** Lookups measured by bench/lookup.ts in a process of its own, on a store seeded here. */
async function lookupFigures(label: string, location: string): Promise<void> {
  const output = execFileSync(process.execPath, ['--import', 'tsx', join('bench', 'lookup.ts'), location, String(installationCount), encryptionKey], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { cold, warm, bare }: Record<'cold' | 'warm' | 'bare', { p50: number; p99: number }> = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
  record({
    name: `authorize lookup p99, ${label}, warm cache`,
    unit: 'ms',
    switchboard: warm.p99,
    bare: bare.p99,
    goal: '< 1 ms',
    met: warm.p99 < 1,
  });
  const embedded = label === 'embedded store';
  record({
    name: `authorize lookup p99, ${label}, cold`,
    unit: 'ms',
    switchboard: cold.p99,
    bare: bare.p99,
    goal: embedded ? '< 0.1 ms' : 'reported',
    ...(embedded ? { met: cold.p99 < 0.1 } : {}),
  });
}

async function postgresUrl(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    await client.query(`create schema ${schema}`);
    const withSchema = new URL(url);
    withSchema.searchParams.set('options', `-c search_path=${schema}`);
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    });
    return withSchema.toString();
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

const cleanups: (() => Promise<void>)[] = [];

// ── the run ──────────────────────────────────────────────────────────────────────────────

/** Ack times of modal commands from people whose role is not known yet, five at a time; and how many of their forms were shown. */
async function ackLatencyWithSlowSlack(emulator: SlackEmulator, url: string, count: number): Promise<{ acks: number[]; formsShown: number }> {
  const forms = () => [...emulator.views.values()].filter((view) => view.callback_id === 'phone.register').length;
  const formsBefore = forms();
  const acks: number[] = [];
  const one = async (index: number) => {
    const userId = `U0SLOW${index}`;
    emulator.addUser({ id: userId, teamId: 'T0BENCH', isAdmin: true });
    const signed = signedCommand('register +14155550100 sub-1', 'T0BENCH', userId, emulator.newTrigger());
    const sent = performance.now();
    await fetch(`${url}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
    acks.push(performance.now() - sent);
  };
  for (let index = 0; index < count; index += 5) {
    await Promise.all([0, 1, 2, 3, 4].filter((offset) => index + offset < count).map((offset) => one(index + offset)));
  }
  await sleep(3_000);
  return { acks, formsShown: forms() - formsBefore };
}

let sectionBegan = Date.now();

/** Prints a section's title, with how long the one before it took. */
function section(title: string): void {
  console.log(`  (${Math.round((Date.now() - sectionBegan) / 1000)} s)\n${title}`);
  sectionBegan = Date.now();
}

async function main(): Promise<void> {
  const began = Date.now();
  console.log('Building dist/ …');
  execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

  const emulator = await new SlackEmulator().start();
  emulator.addUser({ id: 'U0BENCHADMIN', teamId: 'T0BENCH', isAdmin: true });
  const novu = await new FakeNovu().start();
  cleanups.push(
    () => emulator.stop(),
    () => novu.stop(),
  );
  const slackEnv = {
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_CLIENT_ID: emulator.clientId,
    SLACK_CLIENT_SECRET: emulator.clientSecret,
    SLACK_STATE_SECRET: stateSecret,
    SLACK_API_URL: emulator.apiUrl,
    SLACK_AUTHORIZE_URL: emulator.authorizeUrl,
  };
  const switchboardEnv = (database: string) => ({
    ...slackEnv,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: `file:${database}`,
    ENCRYPTION_KEY: encryptionKey,
    NOVU_SECRET_KEY: novu.secretKey,
    NOVU_API_URL: novu.url,
    NOVU_INTEGRATION_IDENTIFIER: 'slack-prod',
    // The benchmark's workspaces are approved as they install (the approval flow has tests of its own).
    INSTALL_POLICY: 'open',
  });

  const switchboard = await startApp('switchboard', switchboardEnv(join(workDirectory, 'main.db')));
  const bareToken = emulator.issueBotToken({ team: { id: 'T0BENCH', name: 'Bench' }, userId: 'U0BENCHADMIN', scopes: botScopeNames });
  const bare = await startApp('bare', { ...slackEnv, BARE_BOT_TOKEN: bareToken });
  cleanups.push(
    () => switchboard.stop(),
    () => bare.stop(),
  );
  await sleep(2_000);
  const idle = { switchboard: rssMb(switchboard.child), bare: rssMb(bare.child) };
  await install(emulator, switchboard.url, 'T0BENCH');
  await sleep(1_000);

  section('1. Slash command → ack');
  const fixed: Record<'switchboard' | 'bare', { p50: number[]; p99: number[]; distribution: number[][] }> = {
    switchboard: { p50: [], p99: [], distribution: [] },
    bare: { p50: [], p99: [], distribution: [] },
  };
  const max: Record<'switchboard' | 'bare', number[]> = { switchboard: [], bare: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, app] of [
      ['bare', bare],
      ['switchboard', switchboard],
    ] as const) {
      const atRate = await load(app.url, { rate: 200, connections: 10, duration: seconds });
      fixed[name].p50.push(atRate.p50);
      fixed[name].p99.push(atRate.p99);
      fixed[name].distribution.push(atRate.distribution);
      const flat = await load(app.url, { connections: 20, duration: seconds });
      max[name].push(flat.rps);
      if (atRate.errors + flat.errors > 0) throw new Error(`${name} answered ${atRate.errors + flat.errors} requests with an error`);
    }
  }
  record({ name: 'ack p50 at 200 req/s', unit: 'ms', switchboard: median(fixed.switchboard.p50), bare: median(fixed.bare.p50), goal: 'reported' });
  const p99 = { switchboard: median(fixed.switchboard.p99), bare: median(fixed.bare.p99) };
  record({ name: 'ack p99 at 200 req/s', unit: 'ms', ...p99, goal: 'ratio ≤ 1.10', met: p99.switchboard / p99.bare <= 1.1 });
  const distribution = {
    points: [...distributionPoints],
    switchboard: distributionPoints.map((_, index) => median(fixed.switchboard.distribution.map((run) => run[index] ?? Number.NaN))),
    bare: distributionPoints.map((_, index) => median(fixed.bare.distribution.map((run) => run[index] ?? Number.NaN))),
  };
  charts.ackLatency = distribution;
  const rps = { switchboard: round(median(max.switchboard), 0), bare: round(median(max.bare), 0) };
  record({ name: 'max sustained rate', unit: 'req/s', ...rps, goal: 'ratio ≥ 0.90', met: rps.switchboard / rps.bare >= 0.9 });

  section('2. Slash command → views.open, every backend answering after 2 s');
  novu.latencyMs = 2_000;
  const viewsSwitchboard: number[] = [];
  const viewsBare: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    viewsBare.push(...(await viewsOpenLatency(emulator, bare.url, quick ? 10 : 20)));
    viewsSwitchboard.push(...(await viewsOpenLatency(emulator, switchboard.url, quick ? 10 : 20)));
  }
  novu.latencyMs = 0;
  const viewsP99 = { switchboard: percentile(viewsSwitchboard, 99), bare: percentile(viewsBare, 99) };
  record({
    name: 'command → views.open p99, backends 2 s slow',
    unit: 'ms',
    ...viewsP99,
    goal: 'ratio ≤ 1.10, every call succeeds',
    met: viewsP99.switchboard / viewsP99.bare <= 1.1,
  });

  section('2b. Slash command → ack while users.info answers after 2.5 s (every person new, so no role is cached)');
  emulator.setLatency('users.info', 2_500);
  const slowAcks = await ackLatencyWithSlowSlack(emulator, switchboard.url, quick ? 20 : 60);
  emulator.setLatency('users.info', 0);
  const slowP99 = percentile(slowAcks.acks, 99);
  record({ name: 'command ack p99, users.info after 2.5 s', unit: 'ms', switchboard: slowP99, goal: '< 3000 ms', met: slowP99 < 3_000 });
  record({
    name: 'forms shown in those runs (trigger held)',
    unit: `of ${slowAcks.acks.length}`,
    switchboard: slowAcks.formsShown,
    goal: 'all',
    met: slowAcks.formsShown === slowAcks.acks.length,
  });

  section('2c. Stored, then told: a form that queues work, acknowledged after its job is committed; a job’s follow-up');
  const key = Buffer.from(encryptionKey, 'base64');
  await storedThenToldFigures({
    ...{ emulator, novu, signingSecret, logger, quick, rounds, record },
    sqlite: { url: switchboard.url, actor: { userId: 'U0BENCHADMIN', teamId: 'T0BENCH' } },
    bare,
    sqliteStore: () => openStore({ kind: 'sqlite', path: join(workDirectory, 'queue.db') }, key, logger),
    // PostgreSQL even in a quick run: these figures are about the store's round trip.
    postgres: async () => {
      const [appDatabase, queueDatabase] = [await postgresUrl(), await postgresUrl()];
      if (!appDatabase || !queueDatabase) return undefined;
      const onPostgres = await startApp('switchboard', { ...switchboardEnv(''), DATABASE_URL: appDatabase });
      cleanups.push(() => onPostgres.stop());
      emulator.addUser({ id: 'U0BENCHPGADM', teamId: 'T0BENCHPG', isAdmin: true });
      await installThrough(onPostgres.url, emulator, { team: { id: 'T0BENCHPG', name: 'Bench PostgreSQL' }, userId: 'U0BENCHPGADM' });
      const target = { url: onPostgres.url, actor: { userId: 'U0BENCHPGADM', teamId: 'T0BENCHPG' } };
      return { target, store: () => openStore({ kind: 'postgres', url: queueDatabase }, key, logger) };
    },
  });

  section(`3. Installation lookup with ${installationCount.toLocaleString('en')} installations`);
  // Seeded once: the memory figure (5.) starts Switchboard on the same file.
  const seededDb = join(workDirectory, 'seeded.db');
  const sqlite = await openStore({ kind: 'sqlite', path: seededDb }, Buffer.from(encryptionKey, 'base64'), logger);
  await seed(sqlite, installationCount);
  await sqlite.close();
  await lookupFigures('embedded store', `file:${seededDb}`);
  const postgresAt = quick ? undefined : await postgresUrl();
  if (postgresAt) {
    const postgres = await openStore({ kind: 'postgres', url: postgresAt }, Buffer.from(encryptionKey, 'base64'), logger);
    await seed(postgres, installationCount);
    await postgres.close();
    await lookupFigures('PostgreSQL', postgresAt);
  } else {
    const why = quick ? 'skipped in a quick run' : 'skipped: no PostgreSQL server answered';
    figures.push({ name: 'authorize lookup, PostgreSQL', unit: 'ms', switchboard: Number.NaN, goal: '< 1 ms', note: why });
    console.log(`  PostgreSQL: ${quick ? 'skipped in a quick run' : 'skipped (no server at TEST_DATABASE_URL or 127.0.0.1:5432)'}`);
  }

  section('4. OAuth callback → success page');
  const bareOAuth = await startApp('bare', { ...slackEnv, BARE_OAUTH: 'true' });
  cleanups.push(() => bareOAuth.stop());
  const installs = quick ? 5 : 20;
  const callbackUp: number[] = [];
  const callbackDown: number[] = [];
  const callbackBare: number[] = [];
  for (let index = 0; index < installs; index += 1) callbackBare.push(await install(emulator, bareOAuth.url, `T0BARE${index}`));
  for (let index = 0; index < installs; index += 1) callbackUp.push(await install(emulator, switchboard.url, `T0UP${index}`));
  await novu.goDown();
  for (let index = 0; index < installs; index += 1) callbackDown.push(await install(emulator, switchboard.url, `T0DOWN${index}`));
  await novu.comeBack();
  const up = percentile(callbackUp, 99);
  const down = percentile(callbackDown, 99);
  record({ name: 'OAuth callback p99, Novu up', unit: 'ms', switchboard: up, bare: percentile(callbackBare, 99), goal: 'reported' });
  record({
    name: 'OAuth callback p99, Novu down',
    unit: 'ms',
    switchboard: down,
    bare: percentile(callbackBare, 99),
    goal: 'unaffected (≈ Novu up)',
    met: down <= up * 1.5 + 20,
  });

  section('5. Memory');
  record({ name: 'RSS idle, after start', unit: 'MB', ...idle, goal: 'ratio ≤ 1.15', met: idle.switchboard / idle.bare <= 1.15 });
  await sleep(2_000);
  record({ name: 'RSS after the runs above', unit: 'MB', switchboard: rssMb(switchboard.child), bare: rssMb(bare.child), goal: 'reported' });
  await switchboard.stop();
  const loaded = await startApp('switchboard', switchboardEnv(seededDb));
  cleanups.push(() => loaded.stop());
  // Every one of 20,000 workspaces sends commands, twice over; the bare app gets the same requests.
  const teams = Array.from({ length: Math.min(20_000, installationCount) }, (_, index) => benchTeamId(index));
  for (const app of [loaded, bare]) {
    const served = await load(app.url, { connections: 20, amount: teams.length * 2, teams });
    if (served.errors > 0) throw new Error(`${app === bare ? 'bare' : 'switchboard'} answered ${served.errors} requests with an error`);
  }
  await sleep(1_000);
  const loadedRss = { switchboard: rssMb(loaded.child), bare: rssMb(bare.child) };
  record({
    name: `RSS, ${installationCount.toLocaleString('en')} installations stored, ${teams.length.toLocaleString('en')} workspaces served`,
    unit: 'MB',
    ...loadedRss,
    goal: '≤ 160 MB and ≤ bare',
    met: loadedRss.switchboard <= 160 && loadedRss.switchboard <= loadedRss.bare,
  });

  const report = {
    at: new Date().toISOString(),
    node: process.version,
    quick,
    rounds,
    secondsPerRun: seconds,
    installations: installationCount,
    durationSeconds: Math.round((Date.now() - began) / 1000),
    figures,
    charts,
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  section('');
  console.log('| figure | Switchboard | bare Bolt | ratio | goal | met |\n|---|---|---|---|---|---|');
  for (const figure of figures) {
    console.log(
      `| ${figure.name} | ${figure.switchboard} ${figure.unit} | ${figure.bare ?? '—'} | ${figure.ratio ?? '—'} | ${figure.goal} | ${figure.met === undefined ? '—' : figure.met ? 'yes' : 'NO'} |`,
    );
  }
  if (charts.ackLatency) console.log(`\n${latencyChart(charts.ackLatency)}`);
  console.log(`\nWritten to bench/results/latest.json (${report.durationSeconds} s).`);
}

/** The ack latency distribution of both apps at 200 req/s, one bar per percentile, on one scale. */
function latencyChart(chart: { points: string[]; switchboard: number[]; bare: number[] }): string {
  const width = 40;
  const largest = Math.max(...chart.switchboard, ...chart.bare, 1);
  const bar = (value: number, glyph: string) => glyph.repeat(Math.max(1, Math.round((value / largest) * width)));
  const lines = ['Ack latency at 200 req/s (ms), Switchboard █ and bare Bolt ░, by percentile'];
  chart.points.forEach((point, index) => {
    const label = point.replace('_', '.').padStart(6);
    const ours = chart.switchboard[index] ?? 0;
    const theirs = chart.bare[index] ?? 0;
    lines.push(`${label} ${bar(ours, '█').padEnd(width)} ${String(ours).padStart(5)}`);
    lines.push(`${' '.repeat(6)} ${bar(theirs, '░').padEnd(width)} ${String(theirs).padStart(5)}`);
  });
  return lines.join('\n');
}

function median(values: number[]): number {
  return percentile(values, 50);
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(workDirectory, { recursive: true, force: true });
}
