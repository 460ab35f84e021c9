import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Policy } from '../permissions/policy.js';
import type { SettingDocs } from './kinds.js';
import { crossFieldProblems, type Environment, type EnvironmentProblem, environmentSchema } from './schema.js';
import { type SettingName, settings } from './settings.js';

export interface Config {
  mode: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  metrics: { token?: string; port?: number };
  install: { policy: 'approval' | 'allowlist' | 'open'; allowlist: string[] };
  slack: {
    signingSecret: string;
    clientId: string;
    clientSecret: string;
    stateSecret: string;
    appToken?: string;
    apiUrl: string;
    authorizeUrl: string;
    directInstall: boolean;
  };
  database: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  /** Undefined only in development: a key is then generated into the data directory. */
  encryptionKey?: Buffer;
  novu: NovuConfig | null;
  vapi: { apiKey: string; apiUrl: string } | null;
  signalwire: { projectId: string; apiToken: string; spaceUrl: string } | null;
  operators: string[];
  policy: Policy;
  audit: { channel?: string; retentionDays: number };
  defaultPhoneRegion: string;
  /** How long a request for a number waits for an operator before it expires. */
  numberRequestTtlMs: number;
  log: { level: string; format: 'json' | 'pretty' };
  tuning: {
    backendTimeoutMs: number;
    inlineWaitMs: number;
    jobMaxAttempts: number;
    jobRetryBaseMs: number;
    jobLeaseMs: number;
    installationCacheMs: number;
    installationCacheSize: number;
    activationCheckMs: number;
    activationTimeoutMs: number;
  };
  /** Every secret value, so the logger can scrub them wherever they appear. */
  secrets: string[];
}

export interface NovuConfig {
  secretKey: string;
  apiUrl: string;
  integrationIdentifier?: string;
  connectionMode: 'shared' | 'subscriber';
  contextType: string;
  /** The subscriber of a tenant's connection in subscriber mode; `{tenant}` becomes the team or enterprise id. */
  subscriberTemplate: string;
  keepConnectionOnUninstall: boolean;
  /** Who refreshes rotating Slack tokens: Switchboard (Novu gets each new access token), or Novu (it gets the refresh token). */
  tokenRotation: 'switchboard' | 'novu';
  /** How long Test through Novu follows Novu's records of a test before it says Novu has not processed it. */
  testWaitMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: EnvironmentProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present) under the real environment; the real environment wins. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(raw: Record<string, string | undefined>, { isTty = false } = {}): Config {
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      name: String(issue.path[0]) as SettingName,
      problem: issue.message,
    }));
    throw new ConfigError(problems);
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data, isTty);
}

function toConfig(env: Environment, isTty: boolean): Config {
  const novu: NovuConfig | null = env.NOVU_SECRET_KEY
    ? {
        secretKey: env.NOVU_SECRET_KEY,
        apiUrl: env.NOVU_API_URL,
        integrationIdentifier: env.NOVU_INTEGRATION_IDENTIFIER,
        connectionMode: env.NOVU_CONNECTION_MODE,
        contextType: env.NOVU_CONTEXT_TYPE,
        subscriberTemplate: env.NOVU_SUBSCRIBER_ID,
        keepConnectionOnUninstall: env.NOVU_KEEP_CONNECTION_ON_UNINSTALL,
        tokenRotation: env.NOVU_TOKEN_ROTATION,
        testWaitMs: Math.round(env.NOVU_TEST_WAIT_SECONDS * 1000),
      }
    : null;
  const signalwire =
    env.SIGNALWIRE_PROJECT_ID && env.SIGNALWIRE_API_TOKEN && env.SIGNALWIRE_SPACE_URL
      ? {
          projectId: env.SIGNALWIRE_PROJECT_ID,
          apiToken: env.SIGNALWIRE_API_TOKEN,
          spaceUrl: env.SIGNALWIRE_SPACE_URL.replace(/\/+$/, ''),
        }
      : null;
  return {
    mode: env.NODE_ENV,
    port: env.PORT,
    publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT },
    install: { policy: env.INSTALL_POLICY, allowlist: env.INSTALL_ALLOWLIST },
    slack: {
      signingSecret: env.SLACK_SIGNING_SECRET,
      clientId: env.SLACK_CLIENT_ID,
      clientSecret: env.SLACK_CLIENT_SECRET,
      stateSecret: env.SLACK_STATE_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`,
      authorizeUrl: env.SLACK_AUTHORIZE_URL,
      directInstall: env.SLACK_DIRECT_INSTALL,
    },
    database: env.DATABASE_URL.startsWith('file:')
      ? { kind: 'sqlite', path: env.DATABASE_URL.slice('file:'.length) }
      : { kind: 'postgres', url: env.DATABASE_URL },
    encryptionKey: env.ENCRYPTION_KEY ? Buffer.from(env.ENCRYPTION_KEY, 'base64') : undefined,
    novu,
    vapi: env.VAPI_API_KEY ? { apiKey: env.VAPI_API_KEY, apiUrl: env.VAPI_API_URL.replace(/\/+$/, '') } : null,
    signalwire,
    operators: env.OPERATORS,
    policy: env.PERMISSIONS,
    audit: { channel: env.AUDIT_CHANNEL, retentionDays: env.AUDIT_RETENTION_DAYS },
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    numberRequestTtlMs: Math.round(env.NUMBER_REQUEST_TTL_HOURS * 3_600_000),
    log: {
      level: env.LOG_LEVEL,
      format: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' && isTty ? 'pretty' : 'json'),
    },
    tuning: {
      backendTimeoutMs: Math.round(env.BACKEND_TIMEOUT_SECONDS * 1000),
      inlineWaitMs: Math.round(env.INLINE_WAIT_SECONDS * 1000),
      jobMaxAttempts: env.JOB_MAX_ATTEMPTS,
      jobRetryBaseMs: Math.round(env.JOB_RETRY_BASE_SECONDS * 1000),
      jobLeaseMs: Math.round(env.JOB_LEASE_SECONDS * 1000),
      installationCacheMs: Math.round(env.INSTALLATION_CACHE_SECONDS * 1000),
      installationCacheSize: env.INSTALLATION_CACHE_SIZE,
      activationCheckMs: Math.round(env.NUMBER_ACTIVATION_CHECK_SECONDS * 1000),
      activationTimeoutMs: Math.round(env.NUMBER_ACTIVATION_TIMEOUT_MINUTES * 60_000),
    },
    secrets: secretValues(env),
  };
}

function secretValues(env: Environment): string[] {
  const values: string[] = [];
  for (const [name, { secret }] of Object.entries(settings) as [SettingName, SettingDocs][]) {
    const value = env[name];
    if (secret && typeof value === 'string' && value.length >= 6) values.push(value);
  }
  // The password inside a PostgreSQL URL is a secret on its own, wherever it shows up.
  const password = env.DATABASE_URL.startsWith('postgres') ? safeUrlPassword(env.DATABASE_URL) : '';
  if (password.length >= 4) values.push(password);
  return values;
}

function safeUrlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

export function formatProblems(problems: EnvironmentProblem[]): string {
  const lines = problems.map(({ name, problem }) => {
    const doc: SettingDocs | undefined = settings[name];
    return doc ? `  ${name}: ${problem} — ${doc.where}` : `  ${name}: ${problem}`;
  });
  const count = problems.length === 1 ? '1 setting needs' : `${problems.length} settings need`;
  return `Switchboard cannot start: ${count} attention.\n${lines.join('\n')}\nSet them in the environment or in a .env file (see README → Configuration).`;
}
