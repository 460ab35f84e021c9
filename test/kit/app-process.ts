import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FakeNovu } from './backends/novu.js';
import { freePort } from './harness.js';
import type { SlackEmulator } from './slack-emulator.js';
import { startCommand } from './start-command.js';

/** What a Switchboard process is pointed at: the test kit's Slack and Novu, a database, its secrets. */
export interface AppParts {
  emulator: SlackEmulator;
  novu: FakeNovu;
  databaseUrl: string;
  signingSecret: string;
  encryptionKey: string;
}

/**
 * The environment of a Switchboard process against the kit (quick retries and a short lease, so a
 * job left behind by a killed process is taken over within seconds); `extra` adds or overrides.
 */
export function appEnvironment(parts: AppParts, extra: NodeJS.ProcessEnv = {}): (port: number) => NodeJS.ProcessEnv {
  const { emulator, novu } = parts;
  return (port) => ({
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    INSTALL_POLICY: 'open',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SLACK_SIGNING_SECRET: parts.signingSecret,
    SLACK_CLIENT_ID: emulator.clientId,
    SLACK_CLIENT_SECRET: emulator.clientSecret,
    SLACK_STATE_SECRET: 'process-state-secret-0123456789',
    SLACK_API_URL: emulator.apiUrl,
    SLACK_AUTHORIZE_URL: emulator.authorizeUrl,
    DATABASE_URL: parts.databaseUrl,
    ENCRYPTION_KEY: parts.encryptionKey,
    NOVU_SECRET_KEY: novu.secretKey,
    NOVU_API_URL: novu.url,
    NOVU_INTEGRATION_IDENTIFIER: 'slack-prod',
    JOB_RETRY_BASE_SECONDS: '0.2',
    JOB_LEASE_SECONDS: '2',
    LOG_LEVEL: 'info',
    ...extra,
  });
}

/**
 * The built app as a process of its own (as `npm start` runs it), to be SIGKILLed and started
 * again on the same port. Its log lines go to `logFile`.
 */
export class AppProcess {
  port = 0;
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  starts = 0;

  constructor(
    private readonly environment: (port: number) => NodeJS.ProcessEnv,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it (again) and waits until it answers `/healthz`; false when it exited or did not answer in time. */
  async start(timeoutMs = 15_000): Promise<boolean> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(process.execPath, startCommand(), { env: this.environment(this.port), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    this.starts += 1;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) return false;
      const answer = await fetch(`${this.url}/healthz`).catch(() => undefined);
      if (answer?.status === 200) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  /** True when it answers `/readyz` with 200 (its store reachable, Slack connected). */
  async ready(): Promise<boolean> {
    return (await fetch(`${this.url}/readyz`).catch(() => undefined))?.status === 200;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    this.log.end();
  }
}
