import { z } from 'zod';
import { type Action, actionNames, buildPolicy, fixedActions, type Policy, type Role, roles } from '../permissions/policy.js';
import { isSupportedRegion } from '../util/phone-library.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const requiredString = z.preprocess(blankToUndefined, z.string({ error: 'missing' }).trim());
const flag = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .optional()
      .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value))),
  );
const httpUrl = (fallback: string) => z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(fallback));
/** A duration in the unit its variable names (seconds, minutes, hours, days): a number within bounds, fractions allowed. */
const duration = (fallback: number, { min = 0.01, max = 86_400 } = {}) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );
const contextId = /^[a-zA-Z0-9_-]{1,100}$/;

export type SettingGroup = 'Slack' | 'Server' | 'Store' | 'Novu' | 'Vapi' | 'SignalWire' | 'Access' | 'Audit' | 'Phone numbers' | 'Logging' | 'Tuning';

/** The words a person needs to set a setting; the README's table, the start-up error and the help text read them. */
export interface SettingDoc {
  group: SettingGroup;
  summary: string;
  /** Where to find or how to make the value; shown next to a missing or invalid value. */
  where: string;
  /** Values of secret settings never reach a log line. */
  secret?: boolean;
  /** The default as the README shows it, when the schema's own default does not read well (a list, a policy). */
  shown?: string;
}

/** One setting: how its value is read, and its docs. */
function setting<T extends z.ZodType>(schema: T, doc: SettingDoc): SettingDoc & { schema: T } {
  return { ...doc, schema };
}

/** Every environment variable Switchboard reads, declared once: its schema and its words, in the README's order. */
export const settings = {
  SLACK_SIGNING_SECRET: setting(requiredString, {
    group: 'Slack',
    summary: 'Verifies that requests come from Slack (required).',
    where: 'Slack app settings → Basic Information → App Credentials → Signing Secret',
    secret: true,
  }),
  SLACK_CLIENT_ID: setting(requiredString, {
    group: 'Slack',
    summary: 'OAuth client ID, for installing the app into workspaces (required).',
    where: 'Slack app settings → Basic Information → App Credentials → Client ID',
  }),
  SLACK_CLIENT_SECRET: setting(requiredString, {
    group: 'Slack',
    summary: 'OAuth client secret (required).',
    where: 'Slack app settings → Basic Information → App Credentials → Client Secret',
    secret: true,
  }),
  SLACK_STATE_SECRET: setting(requiredString, {
    group: 'Slack',
    summary: 'Signs the OAuth state parameter (required). Any long random string; the same on every replica.',
    where: 'make one with `openssl rand -hex 32`',
    secret: true,
  }),
  SLACK_APP_TOKEN: setting(
    z.preprocess(blankToUndefined, z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional()),
    {
      group: 'Slack',
      summary: 'An app-level `xapp-` token: when set, Switchboard runs in Socket Mode instead of receiving HTTP requests.',
      where: 'Slack app settings → Basic Information → App-Level Tokens (scope connections:write)',
      secret: true,
    },
  ),
  SLACK_API_URL: setting(httpUrl('https://slack.com/api/'), {
    group: 'Slack',
    summary: 'Base URL of the Slack Web API.',
    where: 'leave unset outside tests',
  }),
  SLACK_AUTHORIZE_URL: setting(httpUrl('https://slack.com/oauth/v2/authorize'), {
    group: 'Slack',
    summary: 'Slack OAuth authorize page.',
    where: 'leave unset outside tests',
  }),
  SLACK_DIRECT_INSTALL: setting(flag(false), {
    group: 'Slack',
    summary: '`true` makes /slack/install redirect straight to Slack instead of showing the install page.',
    where: '`true` or `false`',
  }),
  PORT: setting(
    z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ error: 'must be a port number' })
        .int({ error: 'must be a port number' })
        .min(0, { error: 'must be a port number' })
        .max(65_535, { error: 'must be a port number' })
        .default(3000),
    ),
    {
      group: 'Server',
      summary: 'Port for HTTP requests (Slack events, install pages, health and metrics).',
      where: 'a port number',
    },
  ),
  PUBLIC_URL: setting(httpUrl('http://localhost:3000'), {
    group: 'Server',
    summary: 'External base URL of this app: used for the OAuth redirect and the manifest.',
    where: 'the https URL Slack reaches this app at, e.g. https://switchboard.example.com',
  }),
  METRICS_TOKEN: setting(optionalString, {
    group: 'Server',
    summary: 'When set, /metrics requires `Authorization: Bearer <token>`. In production /metrics on PORT is refused without it (or use METRICS_PORT).',
    where: 'any random string shared with your Prometheus scrape config',
    secret: true,
  }),
  METRICS_PORT: setting(
    z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ error: 'must be a port number' })
        .int({ error: 'must be a port number' })
        .min(1, { error: 'must be a port number' })
        .max(65_535, { error: 'must be a port number' })
        .optional(),
    ),
    {
      group: 'Server',
      summary: 'Serve /metrics on this port instead of PORT (keep it off the public network); METRICS_TOKEN still applies when set.',
      where: 'a port number, e.g. 9464',
    },
  ),
  NODE_ENV: setting(z.preprocess(blankToUndefined, z.enum(['development', 'production', 'test']).default('development')), {
    group: 'Server',
    summary: '`production` requires ENCRYPTION_KEY and logs JSON; anything else is development.',
    where: '`development`, `production` or `test`',
  }),
  DATABASE_URL: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, { error: 'must be file:<path> or postgres://…' })
        .default('file:./data/switchboard.db'),
    ),
    {
      group: 'Store',
      summary: 'Embedded store file (`file:path`), or `postgres://…` for a PostgreSQL database shared by replicas.',
      where: 'e.g. file:./data/switchboard.db or postgres://user:pass@host:5432/switchboard',
      secret: true,
    },
  ),
  ENCRYPTION_KEY: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .refine((value) => Buffer.from(value, 'base64').length === 32, {
          error: 'must be base64 of exactly 32 bytes',
        })
        .optional(),
    ),
    {
      group: 'Store',
      summary:
        'Base64 of 32 random bytes; encrypts Slack tokens at rest (AES-256-GCM). Required in production; in development a key is generated into the data directory.',
      where: 'make one with `openssl rand -base64 32`',
      secret: true,
    },
  ),
  NOVU_SECRET_KEY: setting(optionalString, {
    group: 'Novu',
    summary: 'Novu API secret key. Without it the Novu features are switched off.',
    where: 'Novu dashboard → Developer → API Keys → Secret Key',
    secret: true,
  }),
  NOVU_API_URL: setting(httpUrl('https://api.novu.co'), {
    group: 'Novu',
    summary: 'Novu API base URL (EU: https://eu.api.novu.co; self-hosted: your API URL).',
    where: 'your Novu region',
  }),
  NOVU_INTEGRATION_IDENTIFIER: setting(optionalString, {
    group: 'Novu',
    summary: 'The Novu chat integration new workspaces are connected to on install.',
    where: 'Novu dashboard → Integrations Store → your Slack integration → Identifier',
  }),
  NOVU_CONNECTION_MODE: setting(z.preprocess(blankToUndefined, z.enum(['shared', 'subscriber'], { error: 'must be shared or subscriber' }).default('shared')), {
    group: 'Novu',
    summary:
      '`shared` (one connection per workspace, found through its context) or `subscriber` (owned by the workspace’s subscriber, NOVU_SUBSCRIBER_ID). Both carry the workspace’s context.',
    where: '`shared` or `subscriber`',
  }),
  NOVU_CONTEXT_TYPE: setting(
    z.preprocess(blankToUndefined, z.string().regex(contextId, { error: 'must be 1–100 letters, digits, _ or -' }).default('tenant')),
    {
      group: 'Novu',
      summary: 'Context type that scopes every connection and endpoint to its workspace; its id is the Slack team (or enterprise) id.',
      where: 'letters, digits, `_` and `-`',
    },
  ),
  NOVU_SUBSCRIBER_ID: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .max(200, { error: 'must be at most 200 characters' })
        .regex(/^[^\s]+$/, { error: 'must not contain spaces' })
        .default('slack-{tenant}'),
    ),
    {
      group: 'Novu',
      summary:
        'In `subscriber` mode, the subscriber that owns a workspace’s connection; `{tenant}` becomes the team (or enterprise) id, so each workspace gets its own. Without a placeholder every workspace shares one subscriber.',
      where: 'a template such as slack-{tenant}, or a subscriber ID from Novu dashboard → Subscribers',
    },
  ),
  NOVU_KEEP_CONNECTION_ON_UNINSTALL: setting(flag(false), {
    group: 'Novu',
    summary: '`true` keeps the Novu channel connection when the app is uninstalled from a workspace.',
    where: '`true` or `false`',
  }),
  NOVU_TOKEN_ROTATION: setting(
    z.preprocess(blankToUndefined, z.enum(['switchboard', 'novu'], { error: 'must be switchboard or novu' }).default('switchboard')),
    {
      group: 'Novu',
      summary:
        'With Slack token rotation on, who refreshes the bot token: `switchboard` (Novu is sent each new access token, never the refresh token) or `novu` (Novu gets the refresh token and refreshes it; Switchboard stops refreshing, so its own token for the workspace expires within 12 hours and its commands there stop working — Slack refresh tokens are single-use, so only one side may refresh). `novu` needs the Slack integration’s client ID and secret in Novu.',
      where: '`switchboard` or `novu`',
    },
  ),
  NOVU_TEST_WAIT_SECONDS: setting(duration(60, { min: 1, max: 600 }), {
    group: 'Novu',
    summary:
      'How long **Test through Novu** follows Novu’s record of a test notification (its activity feed and messages) before saying Novu has not processed it yet. It runs in the background; nobody waits on it.',
    where: 'seconds',
  }),
  VAPI_API_KEY: setting(optionalString, {
    group: 'Vapi',
    summary: 'Vapi private API key. Without it /phone sip is switched off.',
    where: 'Vapi dashboard → Organization Settings → API Keys → Private Key',
    secret: true,
  }),
  VAPI_API_URL: setting(httpUrl('https://api.vapi.ai'), {
    group: 'Vapi',
    summary: 'Vapi API base URL (EU: https://api.eu.vapi.ai).',
    where: 'your Vapi region',
  }),
  SIGNALWIRE_PROJECT_ID: setting(optionalString, {
    group: 'SignalWire',
    summary: 'SignalWire project ID. Without the three SignalWire values /phone import is switched off.',
    where: 'SignalWire space → API → Project ID',
  }),
  SIGNALWIRE_API_TOKEN: setting(optionalString, {
    group: 'SignalWire',
    summary: 'SignalWire API token with the Numbers scope.',
    where: 'SignalWire space → API → API Tokens',
    secret: true,
  }),
  SIGNALWIRE_SPACE_URL: setting(
    z.preprocess((value) => {
      const text = blankToUndefined(value);
      // A bare space host ("example.signalwire.com") is what the dashboard shows; accept it.
      return typeof text === 'string' && !/^https?:\/\//.test(text) ? `https://${text}` : text;
    }, z.url({ protocol: /^https?$/, error: 'must be your space URL, e.g. https://example.signalwire.com' }).optional()),
    {
      group: 'SignalWire',
      summary: 'Your space URL, e.g. https://example.signalwire.com.',
      where: 'SignalWire space → API → Space URL',
    },
  ),
  INSTALL_POLICY: setting(
    z.preprocess(blankToUndefined, z.enum(['approval', 'allowlist', 'open'], { error: 'must be approval, allowlist or open' }).default('approval')),
    {
      group: 'Access',
      summary:
        'Who may install Switchboard: `approval` (a new workspace waits until an operator approves it in Slack; installs by operators and allow-listed workspaces are approved at once), `allowlist` (only INSTALL_ALLOWLIST and operators) or `open` (anyone).',
      where: '`approval`, `allowlist` or `open`',
    },
  ),
  INSTALL_ALLOWLIST: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .default('')
        .transform((value) =>
          value
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean),
        )
        .refine((ids) => ids.every((id) => /^[TE][A-Z0-9]{2,}$/.test(id)), {
          error: 'must be Slack team IDs (T…) or Enterprise Grid org IDs (E…), separated by commas',
        }),
    ),
    {
      group: 'Access',
      summary: 'Workspaces (T…) and Enterprise Grid orgs (E…) approved without asking, under either policy.',
      where: 'Slack team or enterprise IDs, comma-separated (Slack → workspace settings, or the install’s audit entry)',
    },
  ),
  OPERATORS: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .default('')
        .transform((value) =>
          value
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean),
        )
        .refine((ids) => ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)), {
          error: 'must be Slack user IDs such as U012ABCDEF, separated by commas',
        }),
    ),
    {
      group: 'Access',
      summary: 'Comma-separated Slack user IDs who run Switchboard: they may do everything in every workspace, and approve new workspaces.',
      where: 'Slack → a profile → ⋮ → Copy member ID',
      shown: '(nobody)',
    },
  ),
  PERMISSIONS: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .default('')
        .transform((value, ctx) => {
          const overrides: Partial<Policy> = {};
          for (const pair of value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean)) {
            const [action, role] = pair.split('=').map((part) => part.trim());
            if (fixedActions.includes(action as Action)) {
              ctx.addIssue({ code: 'custom', message: `"${action}" is always for operators and cannot be changed` });
              continue;
            }
            if (!actionNames.includes(action as Action) || !roles.includes(role as Role)) {
              ctx.addIssue({
                code: 'custom',
                message: `"${pair}" is not action=role (actions: ${actionNames.join(', ')}; roles: ${roles.join(', ')})`,
              });
              continue;
            }
            overrides[action as Action] = role as Role;
          }
          return buildPolicy(overrides);
        }),
    ),
    {
      group: 'Access',
      summary:
        'Overrides who may do what: comma-separated `action=role` pairs, roles `operators`, `admins` (workspace admins and operators) or `everyone`. Actions are listed under "Tenants and permissions".',
      where: 'e.g. numbers.provision=admins,endpoints.write=operators',
      shown: '(the built-in policy)',
    },
  ),
  AUDIT_CHANNEL: setting(
    z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^(T[A-Z0-9]{2,}:)?[CG][A-Z0-9]{2,}$/, { error: 'must be a channel ID such as C012ABCDEF (or T012ABC:C012ABCDEF)' })
        .optional(),
    ),
    {
      group: 'Audit',
      summary:
        'Channel that receives one compact line per write (invite the app to it). `C…` posts in the workspace where the write happened; `T…:C…` always posts in that workspace.',
      where: 'Slack → channel details → Channel ID',
    },
  ),
  AUDIT_RETENTION_DAYS: setting(duration(90, { min: 1, max: 36_500 }), {
    group: 'Audit',
    summary: 'Audit entries older than this are deleted.',
    where: 'a number of days',
  }),
  DEFAULT_PHONE_REGION: setting(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value) || undefined,
      z
        .string()
        .refine((region) => isSupportedRegion(region), { error: 'must be a two-letter region such as US or GB' })
        .default('US'),
    ),
    {
      group: 'Phone numbers',
      summary: 'Region for phone numbers typed without a country code (ISO 3166 alpha-2).',
      where: 'e.g. US, GB, DE',
    },
  ),
  NUMBER_REQUEST_TTL_HOURS: setting(duration(72, { max: 24 * 365 }), {
    group: 'Phone numbers',
    summary:
      'How long a request for a number (from someone who may ask but not provision, see `numbers.request`) waits for an operator; after that it cannot be approved.',
    where: 'hours (fractions allowed)',
  }),
  LOG_LEVEL: setting(z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')), {
    group: 'Logging',
    summary: 'pino log level.',
    where: 'fatal, error, warn, info, debug or trace',
  }),
  LOG_FORMAT: setting(z.preprocess(blankToUndefined, z.enum(['json', 'pretty']).optional()), {
    group: 'Logging',
    summary: '`json` or `pretty`. Default: pretty in development on a terminal, JSON otherwise.',
    where: '`json` or `pretty`',
  }),
  BACKEND_TIMEOUT_SECONDS: setting(duration(10, { max: 300 }), {
    group: 'Tuning',
    summary: 'Timeout of one request to Novu, Vapi or SignalWire.',
    where: 'seconds',
  }),
  INLINE_WAIT_SECONDS: setting(duration(4, { max: 60 }), {
    group: 'Tuning',
    summary: 'How long a user-facing flow waits for a backend write before it continues in the background.',
    where: 'seconds',
  }),
  JOB_MAX_ATTEMPTS: setting(z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100).default(12)), {
    group: 'Tuning',
    summary: 'Attempts of a queued backend write before it is marked dead (it can still be retried by hand).',
    where: 'a number',
  }),
  JOB_RETRY_BASE_SECONDS: setting(duration(5, { max: 3600 }), {
    group: 'Tuning',
    summary: 'First retry delay of a queued write; it doubles on each attempt (with jitter, at most 15 minutes).',
    where: 'seconds (fractions allowed)',
  }),
  JOB_LEASE_SECONDS: setting(duration(60, { min: 1, max: 3600 }), {
    group: 'Tuning',
    summary: 'A running job not finished within this time is considered abandoned and claimed again.',
    where: 'seconds',
  }),
  INSTALLATION_CACHE_SECONDS: setting(duration(300, { min: 0, max: 86_400 }), {
    group: 'Tuning',
    summary: 'How long an installation stays in the in-memory cache (changes are also pushed between replicas).',
    where: 'seconds',
  }),
  INSTALLATION_CACHE_SIZE: setting(z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1_000_000).default(5_000)), {
    group: 'Tuning',
    summary:
      'How many installations the in-memory cache holds; the least recently used go first (each is about 2 KB; /metrics reports the hit ratio). 0 turns the cache off.',
    where: 'a count',
  }),
  NUMBER_ACTIVATION_CHECK_SECONDS: setting(duration(30, { max: 3600 }), {
    group: 'Tuning',
    summary: 'How often Switchboard asks Vapi whether a new free number has finished activating.',
    where: 'seconds',
  }),
  NUMBER_ACTIVATION_TIMEOUT_MINUTES: setting(duration(30, { max: 7 * 24 * 60 }), {
    group: 'Tuning',
    summary: 'How long Switchboard follows a number that is still activating; after that it says so and stops asking.',
    where: 'minutes (fractions allowed)',
  }),
} as const;

export type VariableName = keyof typeof settings;

/** The environment as strings in, typed values out. Cross-field rules are in `crossFieldProblems`. */
export const environmentSchema = z.object(
  Object.fromEntries(Object.entries(settings).map(([name, entry]) => [name, entry.schema])) as { [K in VariableName]: (typeof settings)[K]['schema'] },
);

/** The default a person reads: the schema's own, when it is a plain value; or the setting's `shown`. */
export function shownDefault(name: VariableName): string | undefined {
  const entry: SettingDoc & { schema: z.ZodType } = settings[name];
  if (entry.shown) return entry.shown;
  const parsed = entry.schema.safeParse(undefined);
  const value = parsed.success ? parsed.data : undefined;
  return ['string', 'number', 'boolean'].includes(typeof value) && value !== '' ? String(value) : undefined;
}

export type Environment = z.infer<typeof environmentSchema>;

export interface EnvironmentProblem {
  name: VariableName;
  problem: string;
}

/** Rules that involve more than one variable. */
export function crossFieldProblems(env: Environment): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  if (env.NODE_ENV === 'production' && !env.ENCRYPTION_KEY) {
    problems.push({ name: 'ENCRYPTION_KEY', problem: 'missing (required when NODE_ENV=production)' });
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    problems.push({ name: 'METRICS_PORT', problem: 'must differ from PORT (metrics get a port of their own)' });
  }
  const signalwire = [env.SIGNALWIRE_PROJECT_ID, env.SIGNALWIRE_API_TOKEN, env.SIGNALWIRE_SPACE_URL];
  if (signalwire.some(Boolean) && !signalwire.every(Boolean)) {
    for (const name of ['SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN', 'SIGNALWIRE_SPACE_URL'] as const) {
      if (!env[name]) problems.push({ name, problem: 'missing (SignalWire needs all three values)' });
    }
  }
  return problems;
}
