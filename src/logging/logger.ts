import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Carries the request id of the Slack request being handled into every log line written on its behalf. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/** Field names whose values are never logged, wherever they sit in a logged object (one level deep). */
const redactedKeys = [
  'token',
  'botToken',
  'botAccessToken',
  'userToken',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'signingSecret',
  'apiKey',
  'authorization',
  'Authorization',
  'cookie',
  'encryptionKey',
];
const redactPaths = [
  ...redactedKeys,
  ...redactedKeys.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  '*.auth.accessToken',
  '*.auth.refreshToken',
];

/** Slack tokens by their published prefixes: bot, user, refresh, app-level and configuration tokens. */
const slackTokenPattern = /\bx(?:ox[a-z]|app)-[A-Za-z0-9-]{8,}/g;

/**
 * Credentials that travel inside serialised request bodies or query strings, which the Slack SDK
 * logs at debug level: the OAuth code, refresh tokens and client secrets. Matches both plain and
 * JSON-escaped quoting, e.g. `"code":"…"` and `\"code\":\"…\"`, and `code=…` in a query.
 */
const credentialFieldPattern = /(\\?"(?:code|client_secret|refresh_token|token|state)\\?"\s*:\s*\\?")[^"\\]+/g;
const credentialParamPattern = /([?&](?:code|client_secret|refresh_token|token|state)=)[^&\s"\\]+/g;

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Secret values (keys, passwords) scrubbed from every line, whatever field or message carries them. */
  secrets?: string[];
  destination?: DestinationStream;
}

export function createLogger({ level, format, secrets = [], destination }: LoggerOptions): Logger {
  const scrub = secretScrubber(secrets);
  const stream = destination ?? (format === 'pretty' ? prettyStream() : crashSafeStream());
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      hooks: { streamWrite: scrub },
    },
    stream,
  );
}

/**
 * Standard output, written in the background for speed, except error and fatal lines: those, and
 * every line before them, are on their way to the log before the call returns, so the last words
 * before a crash (or a SIGKILL right after) are not lost with the buffer.
 */
export function crashSafeStream(fd = 1): DestinationStream {
  const boom = pino.destination({ dest: fd, sync: false });
  return {
    write(line: string) {
      boom.write(line);
      // pino writes the level first: 50 is error, 60 fatal.
      if (!/^\{"level":[56]0/.test(line)) return;
      try {
        boom.flushSync();
      } catch {
        // Not open yet, or the output is gone: the line stays queued, as any other.
      }
    },
    flush: (callback?: (error?: Error) => void) => boom.flush(callback),
  } as DestinationStream;
}

/** Required only for LOG_FORMAT=pretty, so JSON logging in production never loads pino-pretty and its thirty modules. */
function prettyStream(): DestinationStream {
  const pretty: typeof import('pino-pretty') = createRequire(import.meta.url)('pino-pretty');
  return pretty({ colorize: true, sync: true });
}

export function secretScrubber(secrets: string[]): (line: string) => string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  const escaped = [...variants].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const secretPattern = escaped.length > 0 ? new RegExp(escaped.join('|'), 'g') : null;
  return (line) => {
    let clean = line.replace(slackTokenPattern, '[redacted]').replace(credentialFieldPattern, '$1[redacted]').replace(credentialParamPattern, '$1[redacted]');
    if (secretPattern) clean = clean.replace(secretPattern, '[redacted]');
    return clean;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
