import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from './logger.js';

/**
 * The Web API client logs whole request and response bodies at debug level: messages, modals and
 * OAuth exchanges, which carry what people typed and secrets shown to them once. Only their size
 * is kept.
 */
const bodyLine = /^(http request body|http request result|http response received): /i;

/** pino's levels as Bolt's; anything finer is debug. */
const boltLevels: Record<string, LogLevel> = { fatal: LogLevel.ERROR, error: LogLevel.ERROR, warn: LogLevel.WARN, info: LogLevel.INFO };

/** Bolt, the OAuth installer and the Web API client log through this, so their lines get the same redaction. */
export function boltLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: 'slack-sdk' });
  const write = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    // Bolt and @slack/oauth log at debug on every request: nothing is formatted unless it is written.
    if (!log.isLevelEnabled(level)) return;
    const error = parts.find((part): part is Error => part instanceof Error);
    const text = parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
    const body = bodyLine.exec(text);
    const message = body ? `${body[1]}: [${text.length - body[0].length} characters omitted]` : text;
    if (error) log[level]({ err: error }, message);
    else log[level](message);
  };
  return {
    debug: (...parts) => write('debug', parts),
    info: (...parts) => write('info', parts),
    warn: (...parts) => write('warn', parts),
    error: (...parts) => write('error', parts),
    setLevel: () => {},
    getLevel: () => boltLevels[log.level] ?? LogLevel.DEBUG,
    setName: () => {},
  };
}
