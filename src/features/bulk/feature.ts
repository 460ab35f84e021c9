import type { JobFinish, JobRunContext, Requester } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { Mrkdwn } from '../../slack/mrkdwn.js';
import type { BulkItem, BulkRunBase, BulkRunRecords, ItemCounts, JobRecord } from '../../store/types.js';

/** The payload of a run's own jobs: its dry run, the job queueing its items, its summary files. */
export interface RunPayload extends Requester {
  runId: string;
}

export type ItemOutcome<Result> = JobFinish<Result>['outcome'];

export type AuditStep = 'start' | 'check' | 'confirm' | 'cancel' | 'finish';

/** A run's lines in the audit log: `<prefix>.start`, `.check`, `.confirm`, `.cancel`, `.finish`. */
export interface BulkAudit<Run extends BulkRunBase, Item extends BulkItem> {
  prefix: string;
  target(run: Run): string;
  /** What the step's line notes besides the run. */
  detail(step: AuditStep, run: Run, counts: ItemCounts<Item>): Record<string, unknown>;
  /** The error of a click on a run that is not the workspace's. */
  notFound: string;
}

/** A CSV of some of the run's items, sent into the requester's DM. */
export interface SummaryFile<Run extends BulkRunBase, Item extends BulkItem> {
  /** The items it lists. */
  state: Item['state'];
  name(run: Run): string;
  comment(run: Run, count: number): Mrkdwn;
  /** The header, then a line per item. */
  lines(items: Item[]): string[][];
  /** Said when the file could not be sent. */
  notSent(run: Run, reason: string): SlackMessage;
}

export type SummaryFileKind = 'problems' | 'failures';

/**
 * What a bulk run of one feature is made of; the engine does the rest (the run's states, its jobs,
 * its message, its files, its audit lines).
 */
export interface BulkFeature<Run extends BulkRunBase, Item extends BulkItem, Result> {
  /** The kinds of the run's jobs: kept as they were, so jobs stored by an earlier version still run. */
  jobs: { plan: string; apply: string; file?: string };
  /** The dry run: every item with its verdict. Nothing is written. */
  plan(run: Run, context: JobRunContext): Promise<Item[]>;
  describePlanError(error: unknown): string;
  /** Queues one waiting item's job; queueing it again finds the same job. */
  enqueue(run: Run, item: Item, requestedBy: string): Promise<{ job: JobRecord; created: boolean }>;
  /** What an item's job did, as the item's state. */
  settlement(outcome: ItemOutcome<Result>): { state: Item['state']; detail?: string; tag?: string };
  /** The run's message as it stands. */
  message(run: Run, counts: ItemCounts<Item>): Promise<SlackMessage>;
  /** The run's error when its items could not be queued. */
  notQueued?(reason: string): string;
  audit?: BulkAudit<Run, Item>;
  /** The items with problems, after the dry run; those whose jobs failed, at the end. */
  files?: Record<SummaryFileKind, SummaryFile<Run, Item>>;
}

const itemsPerPage = 200;

/** The run's items in one state, in key order, read a page at a time. */
export async function* runItems<Item extends BulkItem>(
  records: BulkRunRecords<BulkRunBase, unknown, Item>,
  runId: string,
  state: Item['state'],
): AsyncGenerator<Item> {
  let after: string | number | undefined;
  for (;;) {
    const page = await records.items(runId, { states: [state], after, limit: itemsPerPage });
    yield* page;
    const last = page.at(-1);
    if (last) after = records.kind.key(last);
    if (page.length < itemsPerPage) return;
  }
}
