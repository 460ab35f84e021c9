import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { freePort } from './harness.js';
import { startCommand } from './start-command.js';

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
