import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { currentRequestId, type Logger, requestContext } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/types.js';
import { findCommand, helpSubcommand } from './commands/catalog.js';
import { parseCommandText } from './commands/router.js';

/** A Slack request as Bolt hands it to middleware. */
export type SlackRequest = AnyMiddlewareArgs & AllMiddlewareArgs;

/** One step of Switchboard's request path: the request, and what comes after this step. */
export type RequestStep = (request: SlackRequest, next: () => Promise<void>) => Promise<void>;

/**
 * Switchboard's request path as one Bolt global middleware: scope → redelivery check → tenant →
 * the listener table. Bolt copies a request's arguments for every middleware and listener chain
 * it runs; these steps share one copy and hand over explicitly, and the last one answers, so Bolt
 * has no listener chains to run.
 */
export function requestPath(steps: readonly RequestStep[], last: (request: SlackRequest) => Promise<void>): Middleware<AnyMiddlewareArgs> {
  return (request) => {
    const run = (index: number): Promise<void> => steps[index]?.(request, () => run(index + 1)) ?? last(request);
    return run(0);
  };
}

/** Handlers still running after their request was acknowledged; shutdown waits for them. */
export class InflightWork {
  private count = 0;
  private idle: (() => void)[] = [];

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.count += 1;
    try {
      return await work();
    } finally {
      this.count -= 1;
      if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** Resolves when nothing is running, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.count === 0) return;
    await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}

/**
 * The request's kind and a bounded name for metrics and logs. What people type never becomes a
 * label: a command's name is `/command subcommand` only when the catalog knows both, else
 * `unknown`; per-item suffixes of action ids (`phone.remove:3`, a job id) are dropped.
 */
export function describeRequest(body: AnyMiddlewareArgs['body']): { kind: string; name: string } {
  const record = body as Record<string, any>;
  if (typeof record.command === 'string') return { kind: 'command', name: commandLabel(record.command, String(record.text ?? '')) };
  if (record.type === 'event_callback') return { kind: 'event', name: String(record.event?.type ?? 'unknown') };
  if (record.type === 'block_actions') return { kind: 'action', name: String(record.actions?.[0]?.action_id ?? 'unknown').split(':')[0] ?? 'unknown' };
  if (record.type === 'view_submission' || record.type === 'view_closed') return { kind: 'view', name: String(record.view?.callback_id ?? 'unknown') };
  if (record.type === 'block_suggestion') return { kind: 'options', name: String(record.action_id ?? 'unknown') };
  return { kind: String(record.type ?? 'unknown'), name: 'unknown' };
}

function commandLabel(command: string, text: string): string {
  const spec = findCommand(command.replace(/^\//, ''));
  if (!spec) return 'unknown';
  const typed = parseCommandText(text).name.toLowerCase() || spec.defaultSubcommand;
  const known = typed === helpSubcommand || spec.subcommands.some((sub) => sub.name === typed);
  return `/${spec.name} ${known ? typed : 'unknown'}`;
}

/** Gives each Slack request an id (kept from the HTTP layer when there is one), a metric and a place in the in-flight count. */
export function requestScope(metrics: Metrics, inflight: InflightWork): RequestStep {
  const timers = new Map<string, ReturnType<Metrics['slackRequestSeconds']['labels']>>();
  const counters = new Map<string, ReturnType<Metrics['slackRequests']['labels']>>();
  return async ({ body, context }, next) => {
    const fromHttp = currentRequestId();
    const requestId = fromHttp ?? randomUUID();
    context.requestId = requestId;
    const { kind, name } = describeRequest(body);
    const labelName = name.slice(0, 96);
    const stopTimer = metrics.labelled(timers, `${kind}/${labelName}`, () => metrics.slackRequestSeconds.labels({ kind, name: labelName })).startTimer();
    let outcome = 'ok';
    try {
      // Over HTTP the server already runs the request in its context; Socket Mode requests get one here.
      await inflight.track(() => (fromHttp ? next() : requestContext.run({ requestId }, next)));
    } catch (error) {
      outcome = 'error';
      throw error;
    } finally {
      stopTimer();
      metrics.labelled(counters, `${kind}/${labelName}/${outcome}`, () => metrics.slackRequests.labels({ kind, name: labelName, outcome })).inc();
    }
  };
}

/** Events that change state (uninstalls, revocations) are handled once, however often Slack delivers them. */
export function skipRedeliveredEvents(store: Store, logger: Logger, exempt: ReadonlySet<string>): RequestStep {
  return async ({ body, context }, next) => {
    const record = body as Record<string, any>;
    const eventId = record.type === 'event_callback' ? record.event_id : undefined;
    if (typeof eventId !== 'string' || exempt.has(String(record.event?.type))) return next();
    if (await store.events.markFirstDelivery(eventId)) return next();
    logger.info({ eventId, retryNum: context.retryNum, retryReason: context.retryReason }, 'event already handled; skipping the redelivery');
  };
}
