import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, freePort } from '../kit/harness.js';

const main = resolve('dist/src/main.js');
const running: ChildProcess[] = [];
const directories: string[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function workspace(): string {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-process-'));
  directories.push(directory);
  return directory;
}

function run(cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [main], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, () => probe.close(() => done(true)));
  });
}

const slackValues = {
  SLACK_SIGNING_SECRET: 'sig-secret-value',
  SLACK_CLIENT_ID: '123.456',
  SLACK_CLIENT_SECRET: 'client-secret-value',
  SLACK_STATE_SECRET: 'state-secret-value',
};

describe('the app as a process', () => {
  it('with nothing configured: exits non-zero with one message listing what is missing, and the first-run guide', async () => {
    const app = run(workspace(), {});
    expect(await app.exited).toBe(1);
    const { stderr, stdout } = app.output();
    expect(stdout).toBe('');
    expect(stderr.match(/Switchboard cannot start/g)).toHaveLength(1);
    for (const name of Object.keys(slackValues)) expect(stderr).toContain(`${name}: missing`);
    expect(stderr).toContain('Create New App → From a manifest');
  });

  it('with the four Slack values: starts on the embedded store, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const cwd = workspace();
    const port = (await portIsFree(3000)) ? 3000 : await freePort();
    const app = run(cwd, { ...slackValues, ...(port === 3000 ? {} : { PORT: String(port) }) });
    const health = await eventually(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`)
          .then((response) => response.status)
          .catch(() => 0),
      { timeoutMs: 15_000, message: 'the app to listen' },
    );
    expect(health).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'sqlite' });
    expect(existsSync(join(cwd, 'data', 'switchboard.db'))).toBe(true);
    expect(existsSync(join(cwd, 'data', 'encryption.key'))).toBe(true);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const { stdout } = app.output();
    expect(stdout).toContain('DEVELOPMENT ONLY');
    expect(stdout).toContain('"msg":"stopped"');
    for (const secret of Object.values(slackValues).filter((value) => value.includes('secret'))) expect(stdout).not.toContain(secret);
  });

  it('reads a .env file, with the real environment taking precedence', async () => {
    const cwd = workspace();
    const port = await freePort();
    writeFileSync(
      join(cwd, '.env'),
      `${Object.entries(slackValues)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n')}\nPORT=1\n`,
    );
    const app = run(cwd, { PORT: String(port) });
    const health = await eventually(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`)
          .then((response) => response.status)
          .catch(() => 0),
      { timeoutMs: 15_000, message: 'the app to listen' },
    );
    expect(health).toBe(200);
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
  });

  it('refuses to start in production without ENCRYPTION_KEY', async () => {
    const app = run(workspace(), { ...slackValues, NODE_ENV: 'production' });
    expect(await app.exited).toBe(1);
    expect(app.output().stderr).toContain('ENCRYPTION_KEY: missing (required when NODE_ENV=production)');
    expect(app.output().stderr).not.toContain('First time?');
  });
});
