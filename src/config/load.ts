import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { SettingDocs } from './kinds.js';
import { crossFieldProblems, type Environment, type EnvironmentProblem, environmentSchema } from './schema.js';
import { type SettingName, settings } from './settings.js';

/** What Switchboard runs with: the environment, checked and shaped by `loadConfig`. */
export type Config = ReturnType<typeof toConfig>;
/** Novu's part; absent (null) without NOVU_SECRET_KEY. */
export type NovuConfig = NonNullable<Config['novu']>;

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
    throw new ConfigError(parsed.error.issues.map((issue) => ({ name: String(issue.path[0]) as SettingName, problem: issue.message })));
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data, isTty);
}

const ms = (seconds: number) => Math.round(seconds * 1000);

function toConfig(env: Environment, isTty: boolean) {
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
      ? { kind: 'sqlite' as const, path: env.DATABASE_URL.slice('file:'.length) }
      : { kind: 'postgres' as const, url: env.DATABASE_URL },
    /** Undefined only in development: a key is then generated into the data directory. */
    encryptionKey: env.ENCRYPTION_KEY ? Buffer.from(env.ENCRYPTION_KEY, 'base64') : undefined,
    novu: novuConfig(env),
    vapi: env.VAPI_API_KEY ? { apiKey: env.VAPI_API_KEY, apiUrl: env.VAPI_API_URL.replace(/\/+$/, '') } : null,
    signalwire:
      env.SIGNALWIRE_PROJECT_ID && env.SIGNALWIRE_API_TOKEN && env.SIGNALWIRE_SPACE_URL
        ? {
            projectId: env.SIGNALWIRE_PROJECT_ID,
            apiToken: env.SIGNALWIRE_API_TOKEN,
            spaceUrl: env.SIGNALWIRE_SPACE_URL.replace(/\/+$/, ''),
            signingKey: env.SIGNALWIRE_SIGNING_KEY,
          }
        : null,
    operators: env.OPERATORS,
    policy: env.PERMISSIONS,
    audit: { channel: env.AUDIT_CHANNEL, retentionDays: env.AUDIT_RETENTION_DAYS },
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    /** How long a request for a number waits for an operator before it expires. */
    numberRequestTtlMs: Math.round(env.NUMBER_REQUEST_TTL_HOURS * 3_600_000),
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' && isTty ? ('pretty' as const) : ('json' as const)) },
    tuning: {
      backendTimeoutMs: ms(env.BACKEND_TIMEOUT_SECONDS),
      inlineWaitMs: ms(env.INLINE_WAIT_SECONDS),
      jobMaxAttempts: env.JOB_MAX_ATTEMPTS,
      jobRetryBaseMs: ms(env.JOB_RETRY_BASE_SECONDS),
      jobLeaseMs: ms(env.JOB_LEASE_SECONDS),
      installationCacheMs: ms(env.INSTALLATION_CACHE_SECONDS),
      installationCacheSize: env.INSTALLATION_CACHE_SIZE,
      activationCheckMs: ms(env.NUMBER_ACTIVATION_CHECK_SECONDS),
      activationTimeoutMs: Math.round(env.NUMBER_ACTIVATION_TIMEOUT_MINUTES * 60_000),
    },
    /** Every secret value, so the logger can scrub them wherever they appear. */
    secrets: secretValues(env),
  };
}

function novuConfig(env: Environment) {
  if (!env.NOVU_SECRET_KEY) return null;
  return {
    secretKey: env.NOVU_SECRET_KEY,
    apiUrl: env.NOVU_API_URL,
    integrationIdentifier: env.NOVU_INTEGRATION_IDENTIFIER,
    connectionMode: env.NOVU_CONNECTION_MODE,
    contextType: env.NOVU_CONTEXT_TYPE,
    /** The subscriber of a tenant's connection in subscriber mode; `{tenant}` becomes the team or enterprise id. */
    subscriberTemplate: env.NOVU_SUBSCRIBER_ID,
    keepConnectionOnUninstall: env.NOVU_KEEP_CONNECTION_ON_UNINSTALL,
    /** Who refreshes rotating Slack tokens: Switchboard (Novu gets each new access token), or Novu (it gets the refresh token). */
    tokenRotation: env.NOVU_TOKEN_ROTATION,
    /** How long Test through Novu follows Novu's records of a test before it says Novu has not processed it. */
    testWaitMs: ms(env.NOVU_TEST_WAIT_SECONDS),
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
