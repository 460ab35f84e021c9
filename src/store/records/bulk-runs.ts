import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { newId } from '../../util/ids.js';
import { camelCased, changedAny, takeFirst } from '../engine.js';
import type { BulkItemsTable, BulkRunsTable, Database } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/** What every bulk run has. Its own fields (the file, the members read so far) come from its kind. */
export interface BulkRunBase<Status extends string = string> {
  id: string;
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  status: Status;
  confirmedBy: string | null;
  /** Where the run's progress message is (the requester's DM with the app). */
  channelId: string | null;
  messageTs: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An item of a run: its verdict in the dry run, then what its job did. */
export interface BulkItem {
  state: string;
  detail: string | null;
}

export type BulkStep = 'planning' | 'planned' | 'applying' | 'done' | 'cancelled' | 'failed';

/**
 * A kind of bulk run: the dry run (`planning`), waiting for someone to confirm (`planned`), a job
 * per item (`applying`), then `done`; or `cancelled`/`failed`. Each kind names these its own way.
 */
export interface BulkKind<Run extends BulkRunBase, NewFields, Item extends BulkItem> {
  name: string;
  statuses: Record<BulkStep, Run['status']>;
  /** The run's own fields, kept as JSON. */
  fields: z.ZodType<Omit<Run, keyof BulkRunBase>, NewFields>;
  item: z.ZodType<Item>;
  states: readonly Item['state'][];
  /** An item waiting for its job; `failed`, one whose job gave up. */
  waiting: Item['state'];
  failed: Item['state'];
  /** The item's key in its run: it is found, settled and paged by it. */
  key(item: Item): string | number;
  /** What the dry run counts it by (a row's kind of problem). */
  tag?(item: Item): string | null;
}

export type ItemCounts<Item extends BulkItem> = Record<Item['state'], number>;

export interface BulkRunRecords<Run extends BulkRunBase, NewFields, Item extends BulkItem> {
  readonly kind: BulkKind<Run, NewFields, Item>;
  /** The run for this intent: a new one, or the one an earlier request with the same intent made. */
  create(run: { workspaceKey: WorkspaceKey; requestedBy: string; intent?: string } & NewFields, now?: number): Promise<{ run: Run; created: boolean }>;
  get(id: string): Promise<Run | undefined>;
  /** The tenant's newest run of this kind. */
  latest(workspaceKey: WorkspaceKey): Promise<Run | undefined>;
  /** Moves the run to `to` only from one of `from`; false when it was elsewhere (someone else moved it). */
  transition(id: string, from: readonly Run['status'][], to: Run['status'], changes?: { error?: string; confirmedBy?: string }, now?: number): Promise<boolean>;
  setMessage(id: string, channelId: string, messageTs: string): Promise<void>;
  setFields(id: string, fields: Partial<NewFields>): Promise<void>;
  /** The dry run's items, replacing any earlier ones of this run. */
  saveItems(id: string, items: Item[]): Promise<void>;
  item(id: string, key: string | number): Promise<Item | undefined>;
  /** Items in one of `states`, in the order they were saved, `limit` after the item `after`. */
  items(id: string, filter: { states: readonly Item['state'][]; after?: string | number; limit: number }): Promise<Item[]>;
  /** Records what an item's job did; false when the item was not waiting. */
  settle(id: string, key: string | number, state: Item['state'], detail?: string, tag?: string): Promise<boolean>;
  counts(id: string): Promise<ItemCounts<Item>>;
  /** Items by tag (a row's kind of problem, a kept phone). */
  tagCounts(id: string): Promise<Record<string, number>>;
  /** True (and noted) when no progress was reported for `minIntervalMs`: one report at a time, not too often. */
  claimReport(id: string, minIntervalMs: number, now?: number): Promise<boolean>;
  /** Deletes, with their items, the runs that ended or were never confirmed, unchanged since `before`; returns how many. */
  pruneFinished(before: number): Promise<number>;
}

/** Both engines cap the bound parameters of one statement: items are written this many at a time. */
const itemsPerInsert = 200;
/** Runs deleted per transaction: each may hold thousands of items. */
const runsPerPrune = 50;

export function bulkRunRecords<Run extends BulkRunBase, NewFields, Item extends BulkItem>(
  db: Kysely<Database>,
  kind: BulkKind<Run, NewFields, Item>,
): BulkRunRecords<Run, NewFields, Item> {
  const toRun = ({ kind: _kind, intent, fields, reported_at, ...row }: Selectable<BulkRunsTable>) =>
    ({ ...camelCased(row), ...kind.fields.parse(JSON.parse(fields)) }) as Run;
  const toItem = (row: Selectable<BulkItemsTable>): Item => kind.item.parse({ ...JSON.parse(row.data), state: row.state, detail: row.detail });
  const runs = () => db.selectFrom('bulk_runs').selectAll().where('kind', '=', kind.name);
  const itemsOf = (id: string) => db.selectFrom('bulk_items').where('run_id', '=', id);
  const prunable = [kind.statuses.done, kind.statuses.cancelled, kind.statuses.failed, kind.statuses.planned];
  const count = (rows: { key: string | null; count: number | string }[]) => Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));

  return {
    kind,
    async create({ workspaceKey, requestedBy, intent, ...fields }, now = Date.now()) {
      const id = newId(now);
      const values = { workspace_key: workspaceKey, requested_by: requestedBy, intent: intent ?? id, status: kind.statuses.planning };
      await db
        .insertInto('bulk_runs')
        .values({ id, kind: kind.name, ...values, fields: JSON.stringify(kind.fields.parse(fields)), reported_at: 0, created_at: now, updated_at: now })
        .onConflict((conflict) => conflict.columns(['kind', 'intent']).doNothing())
        .execute();
      const row = await runs().where('intent', '=', values.intent).executeTakeFirstOrThrow();
      return { run: toRun(row), created: row.id === id };
    },

    get: (id) => takeFirst(runs().where('id', '=', id), toRun),

    latest: (workspaceKey) => takeFirst(runs().where('workspace_key', '=', workspaceKey).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1), toRun),

    transition: (id, from, to, { error, confirmedBy } = {}, now = Date.now()) =>
      changedAny(
        db
          .updateTable('bulk_runs')
          .set({ status: to, updated_at: now, error, confirmed_by: confirmedBy })
          .where('id', '=', id)
          .where('status', 'in', [...from]),
      ),

    async setMessage(id, channelId, messageTs) {
      await db.updateTable('bulk_runs').set({ channel_id: channelId, message_ts: messageTs }).where('id', '=', id).execute();
    },

    async setFields(id, fields) {
      const row = await runs().where('id', '=', id).executeTakeFirst();
      if (!row) return;
      const merged = JSON.stringify(kind.fields.parse({ ...JSON.parse(row.fields), ...fields }));
      await db.updateTable('bulk_runs').set({ fields: merged }).where('id', '=', id).execute();
    },

    async saveItems(id, items) {
      const rows = items.map((item, position) => {
        const { state, detail, ...data } = item;
        return { run_id: id, position, item_key: String(kind.key(item)), state, tag: kind.tag?.(item) ?? null, detail, data: JSON.stringify(data) };
      });
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('bulk_items').where('run_id', '=', id).execute();
        for (let start = 0; start < rows.length; start += itemsPerInsert) {
          await trx
            .insertInto('bulk_items')
            .values(rows.slice(start, start + itemsPerInsert))
            .execute();
        }
      });
    },

    item: (id, key) => takeFirst(itemsOf(id).selectAll().where('item_key', '=', String(key)), toItem),

    async items(id, { states, after, limit }) {
      let query = itemsOf(id)
        .selectAll()
        .where('state', 'in', [...states])
        .orderBy('position')
        .limit(limit);
      if (after !== undefined) {
        query = query.where('position', '>', (eb) =>
          eb.selectFrom('bulk_items').select('position').where('run_id', '=', id).where('item_key', '=', String(after)),
        );
      }
      return (await query.execute()).map(toItem);
    },

    settle: (id, key, state, detail, tag) =>
      changedAny(
        db
          .updateTable('bulk_items')
          .set({ state, detail: detail ?? null, tag: tag ?? null })
          .where('run_id', '=', id)
          .where('item_key', '=', String(key))
          .where('state', '=', kind.waiting),
      ),

    async counts(id) {
      const rows = await itemsOf(id)
        .select(['state as key', db.fn.countAll<number | string>().as('count')])
        .groupBy('state')
        .execute();
      return { ...Object.fromEntries(kind.states.map((state) => [state, 0])), ...count(rows) } as ItemCounts<Item>;
    },

    async tagCounts(id) {
      const rows = await itemsOf(id)
        .select(['tag as key', db.fn.countAll<number | string>().as('count')])
        .where('tag', 'is not', null)
        .groupBy('tag')
        .execute();
      return count(rows);
    },

    claimReport: (id, minIntervalMs, now = Date.now()) =>
      changedAny(
        db
          .updateTable('bulk_runs')
          .set({ reported_at: now })
          .where('id', '=', id)
          .where('reported_at', '<=', now - minIntervalMs),
      ),

    async pruneFinished(before) {
      let pruned = 0;
      for (;;) {
        const batch = await db.transaction().execute(async (trx) => {
          // The conditions are checked again outside the subquery: a run confirmed meanwhile is kept (PostgreSQL checks them again on the row it deletes).
          const ended = (eb: ExpressionBuilder<Database, 'bulk_runs'>) =>
            eb.and([eb('kind', '=', kind.name), eb('status', 'in', prunable), eb('updated_at', '<', before)]);
          const deleted = await trx
            .deleteFrom('bulk_runs')
            .where(ended)
            .where('id', 'in', trx.selectFrom('bulk_runs').select('id').where(ended).limit(runsPerPrune))
            .returning('id')
            .execute();
          const ids = deleted.map((run) => run.id);
          if (ids.length > 0) await trx.deleteFrom('bulk_items').where('run_id', 'in', ids).execute();
          return ids.length;
        });
        pruned += batch;
        if (batch < runsPerPrune) return pruned;
      }
    },
  };
}
