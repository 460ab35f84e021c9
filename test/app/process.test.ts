import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildManifest } from '../../manifest/build.js';
import { eventually, freePort } from '../kit/harness.js';
import { SlackEmulator } from '../kit/slack-emulator.js';
import { startCommand } from '../kit/start-command.js';

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
  const child = spawn(process.execPath, startCommand(), { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('a newcomer start (the four Slack values, PUBLIC_URL, ENCRYPTION_KEY): no warning, and the install link sends Slack the manifest’s redirect URL', async () => {
    const port = await freePort();
    const publicUrl = 'https://switchboard.example.test';
    const app = run(workspace(), { ...slackValues, PORT: String(port), PUBLIC_URL: publicUrl, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });
    await eventually(() => app.output().stdout.includes('Switchboard is running'), { timeoutMs: 15_000, message: 'the app to start' });
    const page = await (await fetch(`http://127.0.0.1:${port}/slack/install`)).text();
    const authorize = /href="([^"]*oauth\/v2\/authorize[^"]*)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(authorize, page).toBeDefined();
    const manifest = buildManifest({ publicUrl, socketMode: false, tokenRotation: false }) as { oauth_config: { redirect_urls: string[] } };
    expect(new URL(authorize ?? '').searchParams.get('redirect_uri')).toBe(manifest.oauth_config.redirect_urls[0]);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const lines = app
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.filter((line) => line.level >= 40).map((line) => line.msg)).toEqual([]);
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

  it('in Socket Mode: connects over the WebSocket, serves health on HTTP, answers a command, and stops cleanly', async () => {
    const emulator = await new SlackEmulator().start();
    try {
      const port = await freePort();
      const app = run(workspace(), {
        ...slackValues,
        PORT: String(port),
        SLACK_APP_TOKEN: emulator.appToken,
        SLACK_API_URL: emulator.apiUrl,
        SLACK_CLIENT_ID: emulator.clientId,
        SLACK_CLIENT_SECRET: emulator.clientSecret,
      });
      await eventually(() => emulator.socketMode.connected, { timeoutMs: 15_000, message: 'the socket connection' });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const answer = await emulator.socketMode.deliver('slash_commands', {
        command: '/connect',
        text: 'status',
        team_id: 'T0NOBODY',
        user_id: 'U0NOBODY',
        channel_id: 'C0GENERAL',
        response_url: emulator.newResponseUrl('C0GENERAL'),
        trigger_id: emulator.newTrigger(),
        api_app_id: emulator.appId,
        is_enterprise_install: 'false',
      });
      expect(answer.acked).toBe(true);
      expect(String(answer.payload?.text)).toContain('not installed in this workspace');
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
    } finally {
      await emulator.stop();
    }
  });
});

describe('Socket Mode that cannot connect', () => {
  it('with a refused app token: not ready while it tries again, then exits non-zero saying what to fix', async () => {
    const emulator = await new SlackEmulator().start();
    try {
      const port = await freePort();
      const app = run(workspace(), {
        ...slackValues,
        PORT: String(port),
        SLACK_APP_TOKEN: 'xapp-1-A0WRONG-1-0123456789abcdef',
        SLACK_API_URL: emulator.apiUrl,
      });
      const readiness: number[] = [];
      let exited: number | null | undefined;
      void app.exited.then((code) => (exited = code));
      while (exited === undefined) {
        const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        if (status) readiness.push(status);
        await new Promise((done) => setTimeout(done, 100));
      }
      expect(exited).toBe(1);
      expect(readiness.length).toBeGreaterThan(0);
      expect(readiness.every((status) => status === 503)).toBe(true);
      const { stdout } = app.output();
      expect(stdout).toContain('Socket Mode could not connect to Slack; trying again');
      expect(stdout).toContain('Slack refused SLACK_APP_TOKEN (invalid_auth)');
      expect(emulator.calls.filter((call) => call.method === 'apps.connections.open')).toHaveLength(3);
    } finally {
      await emulator.stop();
    }
  });
});

describe('a failure nothing waits for', () => {
  it('is logged and the process keeps running', async () => {
    const guards = pathToFileURL(resolve('dist/src/app/process-guards.js')).href;
    const logging = pathToFileURL(resolve('dist/src/logging/logger.js')).href;
    const script = `
      const { keepRunningOnUnhandledRejection } = await import(${JSON.stringify(guards)});
      const { createLogger } = await import(${JSON.stringify(logging)});
      keepRunningOnUnhandledRejection(createLogger({ level: 'info', format: 'json', secrets: [] }));
      Promise.reject(new Error('nobody handles this'));
      setTimeout(() => process.stdout.write('still running\\n'), 200);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(0);
    expect(stdout).toContain('nobody handles this');
    expect(stdout).toContain('still running');
  });
});
