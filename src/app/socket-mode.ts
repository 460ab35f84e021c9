import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode } from '@slack/web-api';
import type { Logger } from '../logging/logger.js';

/** Slack's answers to `apps.connections.open` that no retry changes: the app-level token itself is refused. */
const refusals = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'not_allowed_token_type', 'missing_scope']);

export interface SocketModeStartOptions {
  /** How long an unreachable Slack is tried for before giving up. */
  budgetMs?: number;
  /** How many times a refused token is tried (Slack's answer could be a blip; a wrong token stays wrong). */
  refusedAttempts?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

export class SocketModeStartError extends Error {}

function refusalOf(error: unknown): string | undefined {
  const data = (error as { code?: string; data?: { error?: unknown } } | undefined) ?? {};
  return data.code === ErrorCode.PlatformError && typeof data.data?.error === 'string' && refusals.has(data.data.error) ? data.data.error : undefined;
}

/**
 * The first Socket Mode connection, tried again with backoff for a bounded time, then given up with
 * a sentence that says what to fix: the caller exits non-zero so a supervisor restarts the process
 * (or a person reads why) rather than a process that answers health checks but hears nothing.
 */
export async function connectSocketMode(start: () => Promise<unknown>, logger: Logger, options: SocketModeStartOptions = {}): Promise<void> {
  const { budgetMs = 60_000, refusedAttempts = 3, sleep = delay } = options;
  const began = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      await start();
      return;
    } catch (error) {
      const refusal = refusalOf(error);
      const waitMs = Math.min(1_000 * 2 ** (attempt - 1), 15_000);
      const giveUp = refusal ? attempt >= refusedAttempts : Date.now() - began + waitMs > budgetMs;
      if (giveUp) {
        throw new SocketModeStartError(
          refusal
            ? `Slack refused SLACK_APP_TOKEN (${refusal}): make an app-level token with the connections:write scope under Basic Information → App-Level Tokens, and turn on Socket Mode for the app.`
            : `Slack could not be reached over Socket Mode for ${Math.round((Date.now() - began) / 1000)} s (${(error as Error).message}): check the network path to Slack (SLACK_API_URL, proxies, firewalls).`,
          { cause: error },
        );
      }
      logger.warn({ attempt, retryInMs: waitMs, reason: refusal ?? (error as Error).message }, 'Socket Mode could not connect to Slack; trying again');
      await sleep(waitMs);
    }
  }
}
