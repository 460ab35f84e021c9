import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningSwitchboard, startSwitchboard } from '../../src/app/start.js';
import { type Config, loadConfig } from '../../src/config/load.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { FakeNovu } from './backends/novu.js';
import { PhoneNetwork } from './backends/phones.js';
import { FakeSignalWire } from './backends/signalwire.js';
import { FakeVapi } from './backends/vapi.js';
import { installThrough } from './oauth-flow.js';
import { type EmulatedView, type InstallTarget, SlackEmulator } from './slack-emulator.js';
import { type Actor, SlackSender } from './slack-sender.js';
import { freshPostgresSchema, postgresTarget } from './stores.js';

/** Every log line written by apps started through the harness, for the log-scan test. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  constructor(private readonly file?: string) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    const text = chunk.toString('utf8');
    for (const line of text.split('\n')) if (line.trim()) this.lines.push(line);
    if (this.file) appendFileSync(this.file, text);
    done();
  }
  /** Parsed JSON log entries (pino). */
  entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface HarnessOptions {
  novu?: boolean;
  vapi?: boolean;
  signalwire?: boolean;
  store?: 'sqlite' | 'postgres';
  /** Rewrites the database URL the app is given (e.g. through a proxy that breaks the connection on cue). */
  databaseVia?: (url: string) => string;
  env?: Record<string, string | undefined>;
  logLevel?: string;
  /** Socket Mode: the app connects to the emulator's WebSocket, and requests travel over it. */
  socketMode?: boolean;
}

/** A second app on the same database, Slack emulator, vendors and secrets: another replica. */
export async function startReplica(of: Harness): Promise<Harness> {
  const replica = new Harness({ replicaOf: of });
  await replica.startReplica(of);
  return replica;
}

export const team = { id: 'T0TEAM0001', name: 'Acme Ops' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A running Switchboard wired to loopback Slack and vendor servers over real HTTP, with users:
 * an installer and an admin (workspace admins), a member, and an operator.
 */
export class Harness {
  emulator = new SlackEmulator();
  novu = new FakeNovu();
  /** Where SMS and WhatsApp messages Novu sends arrive. */
  phones = new PhoneNetwork();
  vapi = new FakeVapi();
  signalwire = new FakeSignalWire();
  readonly logs: LogCapture;
  readonly actors = {
    installer: { userId: 'U0INSTALLER', teamId: team.id } as Actor,
    admin: { userId: 'U0ADMIN', teamId: team.id } as Actor,
    member: { userId: 'U0MEMBER', teamId: team.id } as Actor,
    operator: { userId: 'U0OPERATOR', teamId: team.id } as Actor,
  };
  signingSecret = `signing-${randomBytes(16).toString('hex')}`;
  stateSecret = `state-${randomBytes(16).toString('hex')}`;
  encryptionKey = randomBytes(32).toString('base64');
  private replica = false;
  slack!: SlackSender;
  app!: RunningSwitchboard;
  config!: Config;
  logger!: Logger;
  private dataDirectory = '';
  private dropSchema: (() => Promise<void>) | undefined;
  private environment: Record<string, string | undefined> = {};

  constructor(private readonly options: HarnessOptions & { replicaOf?: Harness } = {}) {
    const directory = process.env.SWITCHBOARD_TEST_LOG_DIR;
    if (directory) mkdirSync(directory, { recursive: true });
    this.logs = new LogCapture(directory ? join(directory, `harness-${process.pid}.log`) : undefined);
  }

  get url(): string {
    return `http://127.0.0.1:${this.app.port}`;
  }

  async start(): Promise<this> {
    await this.emulator.start();
    for (const actor of Object.values(this.actors)) {
      this.emulator.addUser({ id: actor.userId, teamId: team.id, isAdmin: actor === this.actors.admin || actor === this.actors.installer });
    }
    this.emulator.nextInstall = { team, userId: this.actors.installer.userId };
    if (this.options.novu !== false) {
      await Promise.all([this.novu.start(), this.phones.start()]);
      // Novu's Slack provider posts to Slack's Web API, here the emulator; its SMS and WhatsApp providers to the phone network.
      this.novu.slackApiUrl = this.emulator.apiUrl;
      this.novu.phoneNetworkUrl = `${this.phones.url}/messages`;
    }
    if (this.options.vapi) await this.vapi.start();
    if (this.options.signalwire) await this.signalwire.start();
    this.dataDirectory = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    let databaseUrl = `file:${join(this.dataDirectory, 'switchboard.db')}`;
    if (this.options.store === 'postgres') {
      const where = await postgresTarget();
      if (where.kind !== 'server') throw new Error(`PostgreSQL server needed: ${where.reason}`);
      const schema = await freshPostgresSchema(where.url);
      databaseUrl = schema.url;
      this.dropSchema = schema.drop;
    }
    if (this.options.databaseVia) databaseUrl = this.options.databaseVia(databaseUrl);
    const port = await freePort();
    this.environment = {
      NODE_ENV: 'test',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SLACK_SIGNING_SECRET: this.signingSecret,
      SLACK_CLIENT_ID: this.emulator.clientId,
      SLACK_CLIENT_SECRET: this.emulator.clientSecret,
      SLACK_STATE_SECRET: this.stateSecret,
      SLACK_API_URL: this.emulator.apiUrl,
      SLACK_AUTHORIZE_URL: this.emulator.authorizeUrl,
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: this.encryptionKey,
      OPERATORS: this.actors.operator.userId,
      LOG_LEVEL: this.options.logLevel ?? 'debug',
      LOG_FORMAT: 'json',
      BACKEND_TIMEOUT_SECONDS: '2',
      INLINE_WAIT_SECONDS: '6',
      JOB_RETRY_BASE_SECONDS: '0.2',
      JOB_LEASE_SECONDS: '5',
      // Most tests install as a workspace admin who is not an operator; the install policies have tests of their own.
      INSTALL_POLICY: 'open',
      ...(this.options.socketMode ? { SLACK_APP_TOKEN: this.emulator.appToken } : {}),
      ...(this.options.novu !== false ? { NOVU_SECRET_KEY: this.novu.secretKey, NOVU_API_URL: this.novu.url, NOVU_INTEGRATION_IDENTIFIER: 'slack-prod' } : {}),
      ...(this.options.vapi ? { VAPI_API_KEY: this.vapi.apiKey, VAPI_API_URL: this.vapi.url } : {}),
      ...(this.options.signalwire
        ? {
            SIGNALWIRE_PROJECT_ID: this.signalwire.projectId,
            SIGNALWIRE_API_TOKEN: this.signalwire.apiToken,
            SIGNALWIRE_SPACE_URL: this.signalwire.url,
            SIGNALWIRE_SIGNING_KEY: this.signalwire.signingKey,
          }
        : {}),
      ...this.options.env,
    };
    await this.boot();
    return this;
  }

  /** Joins `primary`'s world: its emulator, vendors, secrets and database, on a port of its own. */
  async startReplica(primary: Harness): Promise<void> {
    this.replica = true;
    this.emulator = primary.emulator;
    this.novu = primary.novu;
    this.phones = primary.phones;
    this.vapi = primary.vapi;
    this.signalwire = primary.signalwire;
    this.signingSecret = primary.signingSecret;
    this.stateSecret = primary.stateSecret;
    this.encryptionKey = primary.encryptionKey;
    const port = await freePort();
    // Replicas sit behind one public URL, as behind a load balancer.
    this.environment = { ...primary.env, PORT: String(port) };
    await this.boot();
  }

  /** The environment the app was started with (the same values `npm start` would read). */
  get env(): Record<string, string | undefined> {
    return { ...this.environment };
  }

  private async boot(): Promise<void> {
    this.config = loadConfig(this.environment);
    this.logger = createLogger({ level: this.config.log.level, format: 'json', secrets: this.config.secrets, destination: this.logs });
    this.app = await startSwitchboard(this.config, { logger: this.logger, metrics: new Metrics(), maintenanceIntervalMs: 3_600_000 });
    this.slack = new SlackSender(this.url, this.signingSecret, this.emulator, this.environment.SLACK_APP_TOKEN ? 'socket' : 'http');
  }

  /** Stops and starts the app on the same data, as a process restart does. */
  async restart(): Promise<void> {
    await this.app.stop();
    await this.boot();
  }

  /** Set to false by a test that makes Slack refuse something on purpose. */
  strictSlack = true;

  async stop(): Promise<void> {
    await this.app?.stop().catch(() => {});
    if (this.replica) return;
    const problems = this.strictSlack ? [...this.emulator.problems] : [];
    await Promise.all([this.emulator.stop(), this.novu.stop(), this.phones.stop(), this.vapi.stop(), this.signalwire.stop()]);

    await this.dropSchema?.().catch(() => {});
    rmSync(this.dataDirectory, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`Slack refused what the app sent:\n${problems.slice(0, 10).join('\n')}`);
    if (this.novu.worker.problems.length > 0) throw new Error(`The test kit's Novu could not deliver as Novu would:\n${this.novu.worker.problems.join('\n')}`);
  }

  /** Secret values this run handed out; none may appear in a log line. */
  secrets(): string[] {
    return [
      this.signingSecret,
      this.stateSecret,
      this.encryptionKey,
      this.novu.secretKey,
      this.vapi.apiKey,
      this.signalwire.apiToken,
      this.signalwire.signingKey,
      ...[...this.vapi.credentials.values()].map((credential) => String(credential.authenticationPlan?.token ?? '')).filter(Boolean),
      ...this.emulator.issuedSecrets(),
    ];
  }

  /**
   * Installs the app the way a browser does: the install page (and its cookie), Slack's consent
   * page, then the callback with the cookie. Returns the final page.
   */
  async install(target?: Partial<InstallTarget>, options: { cancel?: boolean } = {}): Promise<{ status: number; html: string }> {
    const { status, html } = await installThrough(this.url, this.emulator, target, options.cancel ? 'cancel' : 'allow');
    return { status, html };
  }

  /** Runs a slash command and returns the modal it opened (the first new view with that callback id). */
  async openModal(command: string, text: string, callbackId: string, actor: Actor = this.actors.admin): Promise<EmulatedView> {
    const before = new Set(this.emulator.views.keys());
    const response = await this.slack.command(command, text, actor);
    if (response.status !== 200) throw new Error(`${command} ${text} answered ${response.status}`);
    return eventually(() => [...this.emulator.views.values()].find((view) => !before.has(view.id) && view.callback_id === callbackId), {
      message: `the ${callbackId} modal`,
    });
  }

  async startInstall(): Promise<{ authorizeUrl: string; cookie: string; state: string }> {
    const response = await fetch(`${this.url}/slack/install`, { redirect: 'manual' });
    const html = await response.text();
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const href = /id="add-to-slack" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    if (!href) throw new Error(`The install page has no Add to Slack link: ${html.slice(0, 200)}`);
    return { authorizeUrl: href, cookie, state: new URL(href).searchParams.get('state') ?? '' };
  }

  async finishInstall(callbackUrl: string, cookie: string | undefined): Promise<{ status: number; html: string }> {
    const response = await fetch(callbackUrl, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    return { status: response.status, html: await response.text() };
  }

  /** How many Slack requests reached the listeners (they pass signature checks and authorization first). */
  async handledRequests(kind?: string): Promise<number> {
    const metric = await this.app.services.metrics.slackRequests.get();
    return metric.values.filter((value) => !kind || value.labels.kind === kind).reduce((sum, value) => sum + value.value, 0);
  }

  /** The latest view the app opened or updated for a trigger-driven modal. */
  latestView(callbackId?: string) {
    const views = [...this.emulator.views.values()].filter((view) => !callbackId || view.callback_id === callbackId);
    return views.at(-1);
  }
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  return new Harness(options).start();
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, { timeoutMs = 5_000, intervalMs = 25, message = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${message}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
