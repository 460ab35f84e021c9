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
import { type Installation, MemoryInstallationStore } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import autocannon from 'autocannon';
import pg from 'pg';
import { boltInstallationStore, OAuthInstalls } from '../src/installations/bolt-store.js';
import { Installations } from '../src/installations/installations.js';
import { TokenRefresher } from '../src/installations/token-refresher.js';
import { createLogger } from '../src/logging/logger.js';
import { botScopeNames } from '../src/slack/scopes.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { FakeNovu } from '../test/kit/backends/novu.js';
import { freePort } from '../test/kit/harness.js';
import { installThrough } from '../test/kit/oauth-flow.js';
import { SlackEmulator } from '../test/kit/slack-emulator.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 3;
const seconds = quick ? 2 : 4;
const installationCount = quick ? 10_000 : 100_000;
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

function record(figure: Omit<Figure, 'ratio'> & { higherIsBetter?: boolean }): void {
  const ratio = figure.bare ? round(figure.switchboard / figure.bare, 3) : undefined;
  const { higherIsBetter: _ignored, ...rest } = figure;
  figures.push({ ...rest, ratio });
  console.log(`  ${figure.name}: ${figure.switchboard} ${figure.unit}${figure.bare !== undefined ? ` (bare ${figure.bare}, ratio ${ratio})` : ''}`);
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
  const script = kind === 'switchboard' ? join('dist', 'src', 'main.js') : join('bench', 'bare-bolt.mjs');
  const child = spawn(process.execPath, [script], {
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

async function load(url: string, options: { rate?: number; connections: number; duration: number; teams?: string[] }) {
  let next = 0;
  const result = await autocannon({
    url: `${url}/slack/events`,
    method: 'POST',
    connections: options.connections,
    duration: options.duration,
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
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: result.errors + result.non2xx };
}

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

function installationFor(index: number): Installation {
  const teamId = `T${String(index).padStart(9, '0')}`;
  return {
    team: { id: teamId, name: `Team ${index}` },
    enterprise: undefined,
    user: { id: 'U0BENCHADMIN', token: undefined, scopes: undefined },
    bot: { token: `xoxb-${teamId}-${randomBytes(12).toString('hex')}`, scopes: ['commands'], id: 'B1', userId: 'U0BOT' },
    isEnterpriseInstall: false,
    appId: 'A0SWITCHBRD',
    authVersion: 'v2',
  } as Installation;
}

async function seed(store: Store, count: number): Promise<void> {
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, offset) => store.installations.save(installationFor(start + offset))));
  }
}

async function lookupPercentiles(fetchOne: (teamId: string) => Promise<unknown>, teams: string[]): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (const teamId of teams) {
    const began = performance.now();
    await fetchOne(teamId);
    samples.push(performance.now() - began);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function lookupFigures(label: string, store: Store): Promise<void> {
  const installations = new Installations(store, { ttlMs: 300_000, maxEntries: 20_000 });
  const refresher = new TokenRefresher(store, installations, new WebClient(), { clientId: 'x', clientSecret: 'y' }, logger);
  const bolt = boltInstallationStore(installations, refresher, { oauthInstalls: new OAuthInstalls(), novuRefreshes: false });
  const sample = Array.from({ length: 2_000 }, () => `T${String(Math.floor(Math.random() * installationCount)).padStart(9, '0')}`);
  const fetchOne = (teamId: string) => bolt.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
  const cold = await lookupPercentiles(fetchOne, sample);
  const warm = await lookupPercentiles(fetchOne, sample);
  installations.close();

  const memory = new MemoryInstallationStore();
  for (let index = 0; index < installationCount; index += 1) await memory.storeInstallation(installationFor(index));
  const bare = await lookupPercentiles((teamId) => memory.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false }), sample);
  record({
    name: `authorize lookup p99, ${label}, warm cache`,
    unit: 'ms',
    switchboard: round(warm.p99, 4),
    bare: round(bare.p99, 4),
    goal: '< 1 ms',
    met: warm.p99 < 1,
  });
  record({ name: `authorize lookup p99, ${label}, cold`, unit: 'ms', switchboard: round(cold.p99, 3), bare: round(bare.p99, 4), goal: 'reported' });
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

  console.log('\n1. Slash command → ack');
  const fixed: Record<'switchboard' | 'bare', { p50: number[]; p99: number[] }> = { switchboard: { p50: [], p99: [] }, bare: { p50: [], p99: [] } };
  const max: Record<'switchboard' | 'bare', number[]> = { switchboard: [], bare: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, app] of [
      ['bare', bare],
      ['switchboard', switchboard],
    ] as const) {
      const atRate = await load(app.url, { rate: 200, connections: 10, duration: seconds });
      fixed[name].p50.push(atRate.p50);
      fixed[name].p99.push(atRate.p99);
      const flat = await load(app.url, { connections: 20, duration: seconds });
      max[name].push(flat.rps);
      if (atRate.errors + flat.errors > 0) console.log(`  ${name}: ${atRate.errors + flat.errors} errors`);
    }
  }
  record({ name: 'ack p50 at 200 req/s', unit: 'ms', switchboard: median(fixed.switchboard.p50), bare: median(fixed.bare.p50), goal: 'reported' });
  const p99 = { switchboard: median(fixed.switchboard.p99), bare: median(fixed.bare.p99) };
  record({ name: 'ack p99 at 200 req/s', unit: 'ms', ...p99, goal: 'ratio ≤ 1.10', met: p99.switchboard / p99.bare <= 1.1 });
  const rps = { switchboard: round(median(max.switchboard), 0), bare: round(median(max.bare), 0) };
  record({ name: 'max sustained rate', unit: 'req/s', ...rps, goal: 'ratio ≥ 0.90', met: rps.switchboard / rps.bare >= 0.9 });

  console.log('\n2. Slash command → views.open, every backend answering after 2 s');
  novu.latencyMs = 2_000;
  const viewsSwitchboard: number[] = [];
  const viewsBare: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    viewsBare.push(...(await viewsOpenLatency(emulator, bare.url, quick ? 10 : 20)));
    viewsSwitchboard.push(...(await viewsOpenLatency(emulator, switchboard.url, quick ? 10 : 20)));
  }
  novu.latencyMs = 0;
  const viewsP99 = { switchboard: percentile(viewsSwitchboard, 99), bare: percentile(viewsBare, 99) };
  record({ name: 'command → views.open p99', unit: 'ms', ...viewsP99, goal: '< 50 ms', met: viewsP99.switchboard < 50 });

  console.log('\n2b. Slash command → ack while users.info answers after 2.5 s (every person new, so no role is cached)');
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

  console.log(`\n3. Installation lookup with ${installationCount.toLocaleString('en')} installations`);
  const sqlite = await openStore({ kind: 'sqlite', path: join(workDirectory, 'lookup.db') }, Buffer.from(encryptionKey, 'base64'), logger);
  await seed(sqlite, installationCount);
  await lookupFigures('embedded store', sqlite);
  await sqlite.close();
  const postgresAt = await postgresUrl();
  if (postgresAt) {
    const postgres = await openStore({ kind: 'postgres', url: postgresAt }, Buffer.from(encryptionKey, 'base64'), logger);
    await seed(postgres, installationCount);
    await lookupFigures('PostgreSQL', postgres);
    await postgres.close();
  } else {
    figures.push({ name: 'authorize lookup, PostgreSQL', unit: 'ms', switchboard: Number.NaN, goal: '< 1 ms', note: 'skipped: no PostgreSQL server answered' });
    console.log('  PostgreSQL: skipped (no server at TEST_DATABASE_URL or 127.0.0.1:5432)');
  }

  console.log('\n4. OAuth callback → success page');
  const bareOAuth = await startApp('bare', { ...slackEnv, BARE_OAUTH: 'true' });
  cleanups.push(() => bareOAuth.stop());
  const installs = quick ? 8 : 20;
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

  console.log('\n5. Memory');
  record({ name: 'RSS idle, after start', unit: 'MB', ...idle, goal: '≤ 90 MB', met: idle.switchboard <= 90 });
  await sleep(2_000);
  record({ name: 'RSS after the runs above', unit: 'MB', switchboard: rssMb(switchboard.child), bare: rssMb(bare.child), goal: 'reported' });
  await switchboard.stop();
  const loadedDb = join(workDirectory, 'loaded.db');
  const loadedStore = await openStore({ kind: 'sqlite', path: loadedDb }, Buffer.from(encryptionKey, 'base64'), logger);
  await seed(loadedStore, installationCount);
  await loadedStore.close();
  const loaded = await startApp('switchboard', switchboardEnv(loadedDb));
  cleanups.push(() => loaded.stop());
  const teams = Array.from({ length: Math.min(20_000, installationCount) }, (_, index) => `T${String(index).padStart(9, '0')}`);
  await load(loaded.url, { connections: 20, duration: quick ? 5 : 12, teams });
  await sleep(1_000);
  const loadedRss = rssMb(loaded.child);
  record({
    name: `RSS with ${installationCount.toLocaleString('en')} installations, cache full`,
    unit: 'MB',
    switchboard: loadedRss,
    goal: '≤ 160 MB',
    met: loadedRss <= 160,
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
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\n| figure | Switchboard | bare Bolt | ratio | goal | met |\n|---|---|---|---|---|---|');
  for (const figure of figures) {
    console.log(
      `| ${figure.name} | ${figure.switchboard} ${figure.unit} | ${figure.bare ?? '—'} | ${figure.ratio ?? '—'} | ${figure.goal} | ${figure.met === undefined ? '—' : figure.met ? 'yes' : 'NO'} |`,
    );
  }
  console.log(`\nWritten to bench/results/latest.json (${report.durationSeconds} s).`);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN, 3);
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(workDirectory, { recursive: true, force: true });
}
