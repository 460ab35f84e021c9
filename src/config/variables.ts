/**
 * Every environment variable Switchboard reads, with the words a person needs to set it.
 * The config schema, the start-up error message and the README table all come from here.
 */
export interface VariableDoc {
  group: VariableGroup;
  summary: string;
  /** Where to find or how to make the value; shown next to a missing or invalid value. */
  where: string;
  /** Shown in the README; the schema holds the real default. */
  default?: string;
  /** Values of secret variables never reach a log line. */
  secret?: boolean;
}

export type VariableGroup = 'Slack' | 'Server' | 'Store' | 'Novu' | 'Vapi' | 'SignalWire' | 'Access' | 'Audit' | 'Phone numbers' | 'Logging' | 'Tuning';

export const variables = {
  SLACK_SIGNING_SECRET: {
    group: 'Slack',
    summary: 'Verifies that requests come from Slack (required).',
    where: 'Slack app settings → Basic Information → App Credentials → Signing Secret',
    secret: true,
  },
  SLACK_CLIENT_ID: {
    group: 'Slack',
    summary: 'OAuth client ID, for installing the app into workspaces (required).',
    where: 'Slack app settings → Basic Information → App Credentials → Client ID',
  },
  SLACK_CLIENT_SECRET: {
    group: 'Slack',
    summary: 'OAuth client secret (required).',
    where: 'Slack app settings → Basic Information → App Credentials → Client Secret',
    secret: true,
  },
  SLACK_STATE_SECRET: {
    group: 'Slack',
    summary: 'Signs the OAuth state parameter (required). Any long random string; the same on every replica.',
    where: 'make one with `openssl rand -hex 32`',
    secret: true,
  },
  SLACK_APP_TOKEN: {
    group: 'Slack',
    summary: 'An app-level `xapp-` token: when set, Switchboard runs in Socket Mode instead of receiving HTTP requests.',
    where: 'Slack app settings → Basic Information → App-Level Tokens (scope connections:write)',
    secret: true,
  },
  SLACK_API_URL: {
    group: 'Slack',
    summary: 'Base URL of the Slack Web API.',
    where: 'leave unset outside tests',
    default: 'https://slack.com/api/',
  },
  SLACK_AUTHORIZE_URL: {
    group: 'Slack',
    summary: 'Slack OAuth authorize page.',
    where: 'leave unset outside tests',
    default: 'https://slack.com/oauth/v2/authorize',
  },
  SLACK_DIRECT_INSTALL: {
    group: 'Slack',
    summary: '`true` makes /slack/install redirect straight to Slack instead of showing the install page.',
    where: '`true` or `false`',
    default: 'false',
  },
  PORT: {
    group: 'Server',
    summary: 'Port for HTTP requests (Slack events, install pages, health and metrics).',
    where: 'a port number',
    default: '3000',
  },
  PUBLIC_URL: {
    group: 'Server',
    summary: 'External base URL of this app: used for the OAuth redirect and the manifest.',
    where: 'the https URL Slack reaches this app at, e.g. https://switchboard.example.com',
    default: 'http://localhost:3000',
  },
  METRICS_TOKEN: {
    group: 'Server',
    summary: 'When set, /metrics requires `Authorization: Bearer <token>`. In production /metrics on PORT is refused without it (or use METRICS_PORT).',
    where: 'any random string shared with your Prometheus scrape config',
    secret: true,
  },
  METRICS_PORT: {
    group: 'Server',
    summary: 'Serve /metrics on this port instead of PORT (keep it off the public network); METRICS_TOKEN still applies when set.',
    where: 'a port number, e.g. 9464',
  },
  NODE_ENV: {
    group: 'Server',
    summary: '`production` requires ENCRYPTION_KEY and logs JSON; anything else is development.',
    where: '`development`, `production` or `test`',
    default: 'development',
  },
  DATABASE_URL: {
    group: 'Store',
    summary: 'Embedded store file (`file:path`), or `postgres://…` for a PostgreSQL database shared by replicas.',
    where: 'e.g. file:./data/switchboard.db or postgres://user:pass@host:5432/switchboard',
    default: 'file:./data/switchboard.db',
    secret: true,
  },
  ENCRYPTION_KEY: {
    group: 'Store',
    summary:
      'Base64 of 32 random bytes; encrypts Slack tokens at rest (AES-256-GCM). Required in production; in development a key is generated into the data directory.',
    where: 'make one with `openssl rand -base64 32`',
    secret: true,
  },
  NOVU_SECRET_KEY: {
    group: 'Novu',
    summary: 'Novu API secret key. Without it the Novu features are switched off.',
    where: 'Novu dashboard → Developer → API Keys → Secret Key',
    secret: true,
  },
  NOVU_API_URL: {
    group: 'Novu',
    summary: 'Novu API base URL (EU: https://eu.api.novu.co; self-hosted: your API URL).',
    where: 'your Novu region',
    default: 'https://api.novu.co',
  },
  NOVU_INTEGRATION_IDENTIFIER: {
    group: 'Novu',
    summary: 'The Novu chat integration new workspaces are connected to on install.',
    where: 'Novu dashboard → Integrations Store → your Slack integration → Identifier',
  },
  NOVU_CONNECTION_MODE: {
    group: 'Novu',
    summary:
      '`shared` (one connection per workspace, found through its context) or `subscriber` (owned by the workspace’s subscriber, NOVU_SUBSCRIBER_ID). Both carry the workspace’s context.',
    where: '`shared` or `subscriber`',
    default: 'shared',
  },
  NOVU_CONTEXT_TYPE: {
    group: 'Novu',
    summary: 'Context type that scopes every connection and endpoint to its workspace; its id is the Slack team (or enterprise) id.',
    where: 'letters, digits, `_` and `-`',
    default: 'tenant',
  },
  NOVU_SUBSCRIBER_ID: {
    group: 'Novu',
    summary:
      'In `subscriber` mode, the subscriber that owns a workspace’s connection; `{tenant}` becomes the team (or enterprise) id, so each workspace gets its own. Without a placeholder every workspace shares one subscriber.',
    where: 'a template such as slack-{tenant}, or a subscriber ID from Novu dashboard → Subscribers',
    default: 'slack-{tenant}',
  },
  NOVU_KEEP_CONNECTION_ON_UNINSTALL: {
    group: 'Novu',
    summary: '`true` keeps the Novu channel connection when the app is uninstalled from a workspace.',
    where: '`true` or `false`',
    default: 'false',
  },
  NOVU_TOKEN_ROTATION: {
    group: 'Novu',
    summary:
      'With Slack token rotation on, who refreshes the bot token: `switchboard` (Novu is sent each new access token, never the refresh token) or `novu` (Novu gets the refresh token and refreshes it; Switchboard stops refreshing, so its own token for the workspace expires within 12 hours and its commands there stop working — Slack refresh tokens are single-use, so only one side may refresh). `novu` needs the Slack integration’s client ID and secret in Novu.',
    where: '`switchboard` or `novu`',
    default: 'switchboard',
  },
  NOVU_TEST_WAIT_SECONDS: {
    group: 'Novu',
    summary:
      'How long **Test through Novu** follows Novu’s record of a test notification (its activity feed and messages) before saying Novu has not processed it yet. It runs in the background; nobody waits on it.',
    where: 'seconds',
    default: '60',
  },
  VAPI_API_KEY: {
    group: 'Vapi',
    summary: 'Vapi private API key. Without it /phone sip is switched off.',
    where: 'Vapi dashboard → Organization Settings → API Keys → Private Key',
    secret: true,
  },
  VAPI_API_URL: {
    group: 'Vapi',
    summary: 'Vapi API base URL (EU: https://api.eu.vapi.ai).',
    where: 'your Vapi region',
    default: 'https://api.vapi.ai',
  },
  SIGNALWIRE_PROJECT_ID: {
    group: 'SignalWire',
    summary: 'SignalWire project ID. Without the three SignalWire values /phone import is switched off.',
    where: 'SignalWire space → API → Project ID',
  },
  SIGNALWIRE_API_TOKEN: {
    group: 'SignalWire',
    summary: 'SignalWire API token with the Numbers scope.',
    where: 'SignalWire space → API → API Tokens',
    secret: true,
  },
  SIGNALWIRE_SPACE_URL: {
    group: 'SignalWire',
    summary: 'Your space URL, e.g. https://example.signalwire.com.',
    where: 'SignalWire space → API → Space URL',
  },
  INSTALL_POLICY: {
    group: 'Access',
    summary:
      'Who may install Switchboard: `approval` (a new workspace waits until an operator approves it in Slack; installs by operators and allow-listed workspaces are approved at once), `allowlist` (only INSTALL_ALLOWLIST and operators) or `open` (anyone).',
    where: '`approval`, `allowlist` or `open`',
    default: 'approval',
  },
  INSTALL_ALLOWLIST: {
    group: 'Access',
    summary: 'Workspaces (T…) and Enterprise Grid orgs (E…) approved without asking, under either policy.',
    where: 'Slack team or enterprise IDs, comma-separated (Slack → workspace settings, or the install’s audit entry)',
  },
  OPERATORS: {
    group: 'Access',
    summary: 'Comma-separated Slack user IDs who run Switchboard: they may do everything in every workspace, and approve new workspaces.',
    where: 'Slack → a profile → ⋮ → Copy member ID',
    default: '(nobody)',
  },
  PERMISSIONS: {
    group: 'Access',
    summary:
      'Overrides who may do what: comma-separated `action=role` pairs, roles `operators`, `admins` (workspace admins and operators) or `everyone`. Actions are listed under "Tenants and permissions".',
    where: 'e.g. numbers.provision=admins,endpoints.write=operators',
    default: '(the built-in policy)',
  },
  AUDIT_CHANNEL: {
    group: 'Audit',
    summary:
      'Channel that receives one compact line per write (invite the app to it). `C…` posts in the workspace where the write happened; `T…:C…` always posts in that workspace.',
    where: 'Slack → channel details → Channel ID',
  },
  AUDIT_RETENTION_DAYS: {
    group: 'Audit',
    summary: 'Audit entries older than this are deleted.',
    where: 'a number of days',
    default: '90',
  },
  DEFAULT_PHONE_REGION: {
    group: 'Phone numbers',
    summary: 'Region for phone numbers typed without a country code (ISO 3166 alpha-2).',
    where: 'e.g. US, GB, DE',
    default: 'US',
  },
  NUMBER_REQUEST_TTL_HOURS: {
    group: 'Phone numbers',
    summary:
      'How long a request for a number (from someone who may ask but not provision, see `numbers.request`) waits for an operator; after that it cannot be approved.',
    where: 'hours (fractions allowed)',
    default: '72',
  },
  LOG_LEVEL: {
    group: 'Logging',
    summary: 'pino log level.',
    where: 'fatal, error, warn, info, debug or trace',
    default: 'info',
  },
  LOG_FORMAT: {
    group: 'Logging',
    summary: '`json` or `pretty`. Default: pretty in development on a terminal, JSON otherwise.',
    where: '`json` or `pretty`',
  },
  BACKEND_TIMEOUT_SECONDS: {
    group: 'Tuning',
    summary: 'Timeout of one request to Novu, Vapi or SignalWire.',
    where: 'seconds',
    default: '10',
  },
  INLINE_WAIT_SECONDS: {
    group: 'Tuning',
    summary: 'How long a user-facing flow waits for a backend write before it continues in the background.',
    where: 'seconds',
    default: '4',
  },
  JOB_MAX_ATTEMPTS: {
    group: 'Tuning',
    summary: 'Attempts of a queued backend write before it is marked dead (it can still be retried by hand).',
    where: 'a number',
    default: '12',
  },
  JOB_RETRY_BASE_SECONDS: {
    group: 'Tuning',
    summary: 'First retry delay of a queued write; it doubles on each attempt (with jitter, at most 15 minutes).',
    where: 'seconds (fractions allowed)',
    default: '5',
  },
  JOB_LEASE_SECONDS: {
    group: 'Tuning',
    summary: 'A running job not finished within this time is considered abandoned and claimed again.',
    where: 'seconds',
    default: '60',
  },
  INSTALLATION_CACHE_SECONDS: {
    group: 'Tuning',
    summary: 'How long an installation stays in the in-memory cache (changes are also pushed between replicas).',
    where: 'seconds',
    default: '300',
  },
  INSTALLATION_CACHE_SIZE: {
    group: 'Tuning',
    summary:
      'How many installations the in-memory cache holds; the least recently used go first (each is about 2 KB; /metrics reports the hit ratio). 0 turns the cache off.',
    where: 'a count',
    default: '5000',
  },
  NUMBER_ACTIVATION_CHECK_SECONDS: {
    group: 'Tuning',
    summary: 'How often Switchboard asks Vapi whether a new free number has finished activating.',
    where: 'seconds',
    default: '30',
  },
  NUMBER_ACTIVATION_TIMEOUT_MINUTES: {
    group: 'Tuning',
    summary: 'How long Switchboard follows a number that is still activating; after that it says so and stops asking.',
    where: 'minutes (fractions allowed)',
    default: '30',
  },
} as const satisfies Record<string, VariableDoc>;

export type VariableName = keyof typeof variables;

export const secretVariableNames = (Object.keys(variables) as VariableName[]).filter((name) => (variables[name] as VariableDoc).secret === true);
