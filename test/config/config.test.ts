import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { settings } from '../../src/config/settings.js';

const required = {
  SLACK_SIGNING_SECRET: 'signing',
  SLACK_CLIENT_ID: '123.456',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: 'state-secret',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.name}: ${problem.problem}`);
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('starts with only the four Slack values, on port 3000 and the embedded store', () => {
    const config = loadConfig(required);
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'sqlite', path: './data/switchboard.db' });
    expect(config.mode).toBe('development');
    expect(config.encryptionKey).toBeUndefined();
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
  });

  it('lists every missing value in one message, each with where to get it', () => {
    let error: unknown;
    try {
      loadConfig({});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.split('\n')[0]).toBe('Switchboard cannot start: 4 settings need attention.');
    expect(message).toContain('SLACK_SIGNING_SECRET: missing — Slack app settings → Basic Information → App Credentials → Signing Secret');
    for (const name of Object.keys(required)) expect(message).toContain(`${name}: missing`);
  });

  it('explains invalid values next to the missing ones', () => {
    const problems = problemsOf({
      SLACK_CLIENT_ID: '1',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      SLACK_APP_TOKEN: 'xoxb-1',
      OPERATORS: 'bob',
      AUDIT_RETENTION_DAYS: '0',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'SLACK_SIGNING_SECRET: missing',
        'PORT: must be a port number',
        'DATABASE_URL: must be file:<path> or postgres://…',
        'SLACK_APP_TOKEN: must be an app-level token starting with xapp-',
        'OPERATORS: must be Slack user IDs such as U012ABCDEF, separated by commas',
        'AUDIT_RETENTION_DAYS: must be at least 1',
      ]),
    );
  });

  it('bounds the installation cache at 5,000 workspaces unless told otherwise, 0 turning it off', () => {
    expect(loadConfig(required).tuning.installationCacheSize).toBe(5_000);
    expect(loadConfig({ ...required, INSTALLATION_CACHE_SIZE: '0' }).tuning.installationCacheSize).toBe(0);
    expect(loadConfig({ ...required, INSTALLATION_CACHE_SIZE: ' 20000 ' }).tuning.installationCacheSize).toBe(20_000);
    expect(problemsOf({ ...required, INSTALLATION_CACHE_SIZE: '-1' })).toEqual([expect.stringMatching(/^INSTALLATION_CACHE_SIZE: /)]);
    expect(problemsOf({ ...required, INSTALLATION_CACHE_SIZE: 'lots' })).toEqual([expect.stringMatching(/^INSTALLATION_CACHE_SIZE: /)]);
  });

  it('checks DEFAULT_PHONE_REGION against the regions the phone number library knows', () => {
    expect(loadConfig(required).defaultPhoneRegion).toBe('US');
    expect(loadConfig({ ...required, DEFAULT_PHONE_REGION: 'gb' }).defaultPhoneRegion).toBe('GB');
    expect(problemsOf({ ...required, DEFAULT_PHONE_REGION: 'XY' })).toEqual(['DEFAULT_PHONE_REGION: must be a two-letter region such as US or GB']);
  });

  it('requires ENCRYPTION_KEY in production, and a 32-byte key when given', () => {
    expect(problemsOf({ ...required, NODE_ENV: 'production' })).toEqual(['ENCRYPTION_KEY: missing (required when NODE_ENV=production)']);
    expect(problemsOf({ ...required, ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).toEqual(['ENCRYPTION_KEY: must be base64 of exactly 32 bytes']);
    const config = loadConfig({ ...required, NODE_ENV: 'production', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(config.encryptionKey?.length).toBe(32);
  });

  it('switches a backend off when its keys are absent, and on when they are present', () => {
    const off = loadConfig(required);
    expect([off.novu, off.vapi, off.signalwire]).toEqual([null, null, null]);
    const on = loadConfig({
      ...required,
      NOVU_SECRET_KEY: 'n',
      VAPI_API_KEY: 'v',
      SIGNALWIRE_PROJECT_ID: 'p',
      SIGNALWIRE_API_TOKEN: 't',
      SIGNALWIRE_SPACE_URL: 'acme.signalwire.com',
    });
    expect(on.novu?.apiUrl).toBe('https://api.novu.co');
    expect(on.vapi?.apiUrl).toBe('https://api.vapi.ai');
    expect(on.signalwire?.spaceUrl).toBe('https://acme.signalwire.com');
  });

  it('wants all three SignalWire values or none, and metrics on a port other than PORT', () => {
    expect(problemsOf({ ...required, SIGNALWIRE_PROJECT_ID: 'p' })).toEqual([
      'SIGNALWIRE_API_TOKEN: missing (SignalWire needs all three values)',
      'SIGNALWIRE_SPACE_URL: missing (SignalWire needs all three values)',
    ]);
    expect(problemsOf({ ...required, PORT: '3000', METRICS_PORT: '3000' })).toEqual(['METRICS_PORT: must differ from PORT (metrics get a port of their own)']);
  });

  it('gives each workspace its own subscriber in subscriber mode unless a fixed one is set', () => {
    const novu = (extra: Record<string, string>) => loadConfig({ ...required, NOVU_SECRET_KEY: 'n', NOVU_CONNECTION_MODE: 'subscriber', ...extra }).novu;
    expect(novu({})?.subscriberTemplate).toBe('slack-{tenant}');
    expect(novu({ NOVU_SUBSCRIBER_ID: 'ops-{team}' })?.subscriberTemplate).toBe('ops-{team}');
    expect(problemsOf({ ...required, NOVU_SUBSCRIBER_ID: 'has space' })).toEqual(['NOVU_SUBSCRIBER_ID: must not contain spaces']);
  });

  it('defaults to installs approved by an operator, and reads the allow-list', () => {
    expect(loadConfig(required).install).toEqual({ policy: 'approval', allowlist: [] });
    expect(loadConfig({ ...required, INSTALL_POLICY: 'allowlist', INSTALL_ALLOWLIST: 'T0AAA, E0BBB' }).install).toEqual({
      policy: 'allowlist',
      allowlist: ['T0AAA', 'E0BBB'],
    });
    expect(problemsOf({ ...required, INSTALL_POLICY: 'maybe', INSTALL_ALLOWLIST: 'acme' })).toEqual([
      'INSTALL_POLICY: must be approval, allowlist or open',
      'INSTALL_ALLOWLIST: must be Slack team IDs (T…) or Enterprise Grid org IDs (E…), separated by commas',
    ]);
  });

  it('never lets PERMISSIONS hand approving workspaces to anyone but operators', () => {
    expect(problemsOf({ ...required, PERMISSIONS: 'tenants.decide=admins' })).toEqual([
      'PERMISSIONS: "tenants.decide" is always for operators and cannot be changed',
    ]);
  });

  it('reads the permission policy overrides and refuses unknown actions or roles', () => {
    const config = loadConfig({ ...required, PERMISSIONS: 'numbers.provision=admins, endpoints.write=operators' });
    expect(config.policy['numbers.provision']).toBe('admins');
    expect(config.policy['endpoints.write']).toBe('operators');
    expect(config.policy['connection.write']).toBe('admins');
    expect(problemsOf({ ...required, PERMISSIONS: 'numbers.buy=admins' })[0]).toMatch(/^PERMISSIONS: "numbers.buy=admins" is not action=role/);
  });

  it('collects every secret value so the logger can scrub it', () => {
    const config = loadConfig({ ...required, NOVU_SECRET_KEY: 'novu-secret-value', DATABASE_URL: 'postgres://app:p%40ssword@db:5432/sb' });
    expect(config.secrets).toEqual(expect.arrayContaining(['signing', 'client-secret', 'state-secret', 'novu-secret-value', 'p@ssword']));
    expect(config.secrets).not.toContain('123.456');
  });

  it('documents every variable it reads', () => {
    for (const [name, doc] of Object.entries(settings)) {
      expect(doc.summary, name).not.toBe('');
      expect(doc.where, name).not.toBe('');
    }
  });
});
