import { z } from 'zod';
import { duration, flag, group, httpUrl, idList, optionalString, phoneRegion, policyOverrides, port, requiredString, setting, spaceUrl } from './kinds.js';

/**
 * Every environment variable Switchboard reads: its type, default and the words a person needs to set it.
 * The config schema, the start-up error message and the README table all come from here.
 */
export const settings = {
  ...group('Slack', {
    SLACK_SIGNING_SECRET: setting(requiredString, {
      summary: 'Verifies that requests come from Slack (required).',
      where: 'Slack app settings → Basic Information → App Credentials → Signing Secret',
      secret: true,
    }),
    SLACK_CLIENT_ID: setting(requiredString, {
      summary: 'OAuth client ID, for installing the app into workspaces (required).',
      where: 'Slack app settings → Basic Information → App Credentials → Client ID',
    }),
    SLACK_CLIENT_SECRET: setting(requiredString, {
      summary: 'OAuth client secret (required).',
      where: 'Slack app settings → Basic Information → App Credentials → Client Secret',
      secret: true,
    }),
    SLACK_STATE_SECRET: setting(requiredString, {
      summary: 'Signs the OAuth state parameter (required). Any long random string; the same on every replica.',
      where: 'make one with `openssl rand -hex 32`',
      secret: true,
    }),
    SLACK_APP_TOKEN: setting(z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional(), {
      summary: 'An app-level `xapp-` token: when set, Switchboard runs in Socket Mode instead of receiving HTTP requests.',
      where: 'Slack app settings → Basic Information → App-Level Tokens (scope connections:write)',
      secret: true,
    }),
    SLACK_API_URL: setting(httpUrl('https://slack.com/api/'), {
      summary: 'Base URL of the Slack Web API.',
      where: 'leave unset outside tests',
    }),
    SLACK_AUTHORIZE_URL: setting(httpUrl('https://slack.com/oauth/v2/authorize'), {
      summary: 'Slack OAuth authorize page.',
      where: 'leave unset outside tests',
    }),
    SLACK_DIRECT_INSTALL: setting(flag(false), {
      summary: '`true` makes /slack/install redirect straight to Slack instead of showing the install page.',
      where: '`true` or `false`',
    }),
  }),
  ...group('Server', {
    PORT: setting(port(0).default(3000), {
      summary: 'Port for HTTP requests (Slack events, install pages, health and metrics).',
      where: 'a port number',
    }),
    PUBLIC_URL: setting(httpUrl('http://localhost:3000'), {
      summary: 'External base URL of this app: used for the OAuth redirect and the manifest.',
      where: 'the https URL Slack reaches this app at, e.g. https://switchboard.example.com',
    }),
    METRICS_TOKEN: setting(optionalString, {
      summary: 'When set, /metrics requires `Authorization: Bearer <token>`. In production /metrics on PORT is refused without it (or use METRICS_PORT).',
      where: 'any random string shared with your Prometheus scrape config',
      secret: true,
    }),
    METRICS_PORT: setting(port(1).optional(), {
      summary: 'Serve /metrics on this port instead of PORT (keep it off the public network); METRICS_TOKEN still applies when set.',
      where: 'a port number, e.g. 9464',
    }),
    NODE_ENV: setting(z.enum(['development', 'production', 'test']).default('development'), {
      summary: '`production` requires ENCRYPTION_KEY and logs JSON; anything else is development.',
      where: '`development`, `production` or `test`',
    }),
  }),
  ...group('Store', {
    DATABASE_URL: setting(
      z
        .string()
        .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, { error: 'must be file:<path> or postgres://…' })
        .default('file:./data/switchboard.db'),
      {
        summary: 'Embedded store file (`file:path`), or `postgres://…` for a PostgreSQL database shared by replicas.',
        where: 'e.g. file:./data/switchboard.db or postgres://user:pass@host:5432/switchboard',
        secret: true,
      },
    ),
    ENCRYPTION_KEY: setting(
      z
        .string()
        .refine((value) => Buffer.from(value, 'base64').length === 32, { error: 'must be base64 of exactly 32 bytes' })
        .optional(),
      {
        summary:
          'Base64 of 32 random bytes; encrypts Slack tokens at rest (AES-256-GCM). Required in production; in development a key is generated into the data directory.',
        where: 'make one with `openssl rand -base64 32`',
        secret: true,
      },
    ),
  }),
  ...group('Novu', {
    NOVU_SECRET_KEY: setting(optionalString, {
      summary: 'Novu API secret key. Without it the Novu features are switched off.',
      where: 'Novu dashboard → Developer → API Keys → Secret Key',
      secret: true,
    }),
    NOVU_API_URL: setting(httpUrl('https://api.novu.co'), {
      summary: 'Novu API base URL (EU: https://eu.api.novu.co; self-hosted: your API URL).',
      where: 'your Novu region',
    }),
    NOVU_INTEGRATION_IDENTIFIER: setting(optionalString, {
      summary: 'The Novu chat integration new workspaces are connected to on install.',
      where: 'Novu dashboard → Integrations Store → your Slack integration → Identifier',
    }),
    NOVU_CONNECTION_MODE: setting(z.enum(['shared', 'subscriber'], { error: 'must be shared or subscriber' }).default('shared'), {
      summary:
        '`shared` (one connection per workspace, found through its context) or `subscriber` (owned by the workspace’s subscriber, NOVU_SUBSCRIBER_ID). Both carry the workspace’s context.',
      where: '`shared` or `subscriber`',
    }),
    NOVU_CONTEXT_TYPE: setting(
      z
        .string()
        .regex(/^[a-zA-Z0-9_-]{1,100}$/, { error: 'must be 1–100 letters, digits, _ or -' })
        .default('tenant'),
      {
        summary: 'Context type that scopes every connection and endpoint to its workspace; its id is the Slack team (or enterprise) id.',
        where: 'letters, digits, `_` and `-`',
      },
    ),
    NOVU_SUBSCRIBER_ID: setting(
      z
        .string()
        .trim()
        .max(200, { error: 'must be at most 200 characters' })
        .regex(/^[^\s]+$/, { error: 'must not contain spaces' })
        .default('slack-{tenant}'),
      {
        summary:
          'In `subscriber` mode, the subscriber that owns a workspace’s connection; `{tenant}` becomes the team (or enterprise) id, so each workspace gets its own. Without a placeholder every workspace shares one subscriber.',
        where: 'a template such as slack-{tenant}, or a subscriber ID from Novu dashboard → Subscribers',
      },
    ),
    NOVU_KEEP_CONNECTION_ON_UNINSTALL: setting(flag(false), {
      summary: '`true` keeps the Novu channel connection when the app is uninstalled from a workspace.',
      where: '`true` or `false`',
    }),
    NOVU_TOKEN_ROTATION: setting(z.enum(['switchboard', 'novu'], { error: 'must be switchboard or novu' }).default('switchboard'), {
      summary:
        'With Slack token rotation on, who refreshes the bot token: `switchboard` (Novu is sent each new access token, never the refresh token) or `novu` (Novu gets the refresh token and refreshes it; Switchboard stops refreshing, so its own token for the workspace expires within 12 hours and its commands there stop working — Slack refresh tokens are single-use, so only one side may refresh). `novu` needs the Slack integration’s client ID and secret in Novu.',
      where: '`switchboard` or `novu`',
    }),
    NOVU_TEST_WAIT_SECONDS: setting(duration(60, { min: 1, max: 600 }), {
      summary:
        'How long **Test through Novu** follows Novu’s record of a test notification (its activity feed and messages) before saying Novu has not processed it yet. It runs in the background; nobody waits on it.',
      where: 'seconds',
    }),
  }),
  ...group('Vapi', {
    VAPI_API_KEY: setting(optionalString, {
      summary: 'Vapi private API key. Without it /phone sip is switched off.',
      where: 'Vapi dashboard → Organization Settings → API Keys → Private Key',
      secret: true,
    }),
    VAPI_API_URL: setting(httpUrl('https://api.vapi.ai'), {
      summary: 'Vapi API base URL (EU: https://api.eu.vapi.ai).',
      where: 'your Vapi region',
    }),
  }),
  ...group('SignalWire', {
    SIGNALWIRE_PROJECT_ID: setting(optionalString, {
      summary: 'SignalWire project ID. Without the three SignalWire values /phone import is switched off.',
      where: 'SignalWire space → API → Project ID',
    }),
    SIGNALWIRE_API_TOKEN: setting(optionalString, {
      summary: 'SignalWire API token with the Numbers scope.',
      where: 'SignalWire space → API → API Tokens',
      secret: true,
    }),
    SIGNALWIRE_SPACE_URL: setting(spaceUrl, {
      summary: 'Your space URL, e.g. https://example.signalwire.com.',
      where: 'SignalWire space → API → Space URL',
    }),
    SIGNALWIRE_SIGNING_KEY: setting(optionalString, {
      summary:
        'The key SignalWire signs its webhooks with (X-SignalWire-Signature). Without it SignalWire numbers cannot report texts into Slack: Switchboard refuses every unsigned text.',
      where: 'SignalWire space → API → Signing Key',
      secret: true,
    }),
  }),
  ...group('Access', {
    INSTALL_POLICY: setting(z.enum(['approval', 'allowlist', 'open'], { error: 'must be approval, allowlist or open' }).default('approval'), {
      summary:
        'Who may install Switchboard: `approval` (a new workspace waits until an operator approves it in Slack; installs by operators and allow-listed workspaces are approved at once), `allowlist` (only INSTALL_ALLOWLIST and operators) or `open` (anyone).',
      where: '`approval`, `allowlist` or `open`',
    }),
    INSTALL_ALLOWLIST: setting(idList(/^[TE][A-Z0-9]{2,}$/, 'must be Slack team IDs (T…) or Enterprise Grid org IDs (E…), separated by commas'), {
      summary: 'Workspaces (T…) and Enterprise Grid orgs (E…) approved without asking, under either policy.',
      where: 'Slack team or enterprise IDs, comma-separated (Slack → workspace settings, or the install’s audit entry)',
    }),
    OPERATORS: setting(idList(/^[UW][A-Z0-9]{2,}$/, 'must be Slack user IDs such as U012ABCDEF, separated by commas'), {
      summary: 'Comma-separated Slack user IDs who run Switchboard: they may do everything in every workspace, and approve new workspaces.',
      where: 'Slack → a profile → ⋮ → Copy member ID',
      shownDefault: '(nobody)',
    }),
    PERMISSIONS: setting(policyOverrides, {
      summary:
        'Overrides who may do what: comma-separated `action=role` pairs, roles `operators`, `admins` (workspace admins and operators) or `everyone`. Actions are listed under "Tenants and permissions".',
      where: 'e.g. numbers.provision=admins,endpoints.write=operators',
      shownDefault: '(the built-in policy)',
    }),
  }),
  ...group('Audit', {
    AUDIT_CHANNEL: setting(
      z
        .string()
        .regex(/^(T[A-Z0-9]{2,}:)?[CG][A-Z0-9]{2,}$/, { error: 'must be a channel ID such as C012ABCDEF (or T012ABC:C012ABCDEF)' })
        .optional(),
      {
        summary:
          'Channel that receives one compact line per write (invite the app to it). `C…` posts in the workspace where the write happened; `T…:C…` always posts in that workspace.',
        where: 'Slack → channel details → Channel ID',
      },
    ),
    AUDIT_RETENTION_DAYS: setting(duration(90, { min: 1, max: 36_500 }), {
      summary: 'Audit entries older than this are deleted.',
      where: 'a number of days',
    }),
  }),
  ...group('Phone numbers', {
    DEFAULT_PHONE_REGION: setting(phoneRegion, {
      summary: 'Region for phone numbers typed without a country code (ISO 3166 alpha-2).',
      where: 'e.g. US, GB, DE',
    }),
    NUMBER_REQUEST_TTL_HOURS: setting(duration(72, { max: 24 * 365 }), {
      summary:
        'How long a request for a number (from someone who may ask but not provision, see `numbers.request`) waits for an operator; after that it cannot be approved.',
      where: 'hours (fractions allowed)',
    }),
  }),
  ...group('Logging', {
    LOG_LEVEL: setting(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), {
      summary: 'pino log level.',
      where: 'fatal, error, warn, info, debug or trace',
    }),
    LOG_FORMAT: setting(z.enum(['json', 'pretty']).optional(), {
      summary: '`json` or `pretty`. Default: pretty in development on a terminal, JSON otherwise.',
      where: '`json` or `pretty`',
    }),
  }),
  ...group('Tuning', {
    BACKEND_TIMEOUT_SECONDS: setting(duration(10, { max: 300 }), {
      summary: 'Timeout of one request to Novu, Vapi or SignalWire.',
      where: 'seconds',
    }),
    INLINE_WAIT_SECONDS: setting(duration(4, { max: 60 }), {
      summary: 'How long a user-facing flow waits for a backend write before it continues in the background.',
      where: 'seconds',
    }),
    JOB_MAX_ATTEMPTS: setting(z.coerce.number().int().min(1).max(100).default(12), {
      summary: 'Attempts of a queued backend write before it is marked dead (it can still be retried by hand).',
      where: 'a number',
    }),
    JOB_RETRY_BASE_SECONDS: setting(duration(5, { max: 3600 }), {
      summary: 'First retry delay of a queued write; it doubles on each attempt (with jitter, at most 15 minutes).',
      where: 'seconds (fractions allowed)',
    }),
    JOB_LEASE_SECONDS: setting(duration(60, { min: 1, max: 3600 }), {
      summary: 'A running job not finished within this time is considered abandoned and claimed again.',
      where: 'seconds',
    }),
    INSTALLATION_CACHE_SECONDS: setting(duration(300, { min: 0, max: 86_400 }), {
      summary: 'How long an installation stays in the in-memory cache (changes are also pushed between replicas).',
      where: 'seconds',
    }),
    INSTALLATION_CACHE_SIZE: setting(z.coerce.number().int().min(0).max(1_000_000).default(5_000), {
      summary:
        'How many installations the in-memory cache holds; the least recently used go first (each is about 2 KB; /metrics reports the hit ratio). 0 turns the cache off.',
      where: 'a count',
    }),
    NUMBER_ACTIVATION_CHECK_SECONDS: setting(duration(30, { max: 3600 }), {
      summary: 'How often Switchboard asks Vapi whether a new free number has finished activating.',
      where: 'seconds',
    }),
    NUMBER_ACTIVATION_TIMEOUT_MINUTES: setting(duration(30, { max: 7 * 24 * 60 }), {
      summary: 'How long Switchboard follows a number that is still activating; after that it says so and stops asking.',
      where: 'minutes (fractions allowed)',
    }),
  }),
};

export type SettingName = keyof typeof settings;
