import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { FakeNovu } from '../kit/backends/novu.js';
import { eventually, freePort } from '../kit/harness.js';
import { installThrough } from '../kit/oauth-flow.js';
import { SlackEmulator } from '../kit/slack-emulator.js';
import { startCommand } from '../kit/start-command.js';

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
});
