import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../util/ids.js';
import { changed } from '../engine.js';
import type { Database, PhoneImportRowsTable, PhoneImportsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/**
 * A CSV import of phone endpoints: `reading` (the dry run is reading and checking the file),
 * `planned` (waiting for someone to confirm), `registering` (a job per row is writing), then
 * `done`; or `cancelled`/`failed`.
 */
export type PhoneImportStatus = 'reading' | 'planned' | 'registering' | 'done' | 'cancelled' | 'failed';

/** A row's verdict in the dry run (`ready`, `problem`, `already-registered`), then what registering it did. */
/** How a registered row's detail begins when its subscriber kept another phone in Novu. */
export const keptPhoneDetail = 'phone kept: ';

export type ImportRowState = 'ready' | 'problem' | 'already-registered' | 'created' | 'existing' | 'failed';

export const importRowStates: readonly ImportRowState[] = ['ready', 'problem', 'already-registered', 'created', 'existing', 'failed'];

/** What is wrong with a row, for the dry run's tally; the row's `detail` says it in words. */
export type ImportProblem = 'format' | 'subscriber' | 'number' | 'integration' | 'identifier' | 'duplicate';

export interface PhoneImport {
  id: string;
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  status: PhoneImportStatus;
  fileId: string;
  fileName: string;
  defaultIntegration: string | null;
  confirmedBy: string | null;
  channelId: string | null;
  messageTs: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewPhoneImport {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  intent: string;
  fileId: string;
  fileName: string;
  defaultIntegration?: string;
}

export interface ImportRow {
  rowNumber: number;
  subscriberId: string | null;
  phone: string | null;
  integration: string | null;
  identifier: string | null;
  state: ImportRowState;
  problem: ImportProblem | null;
  detail: string | null;
}

export type ImportRowCounts = Record<ImportRowState, number>;

export interface PhoneImportRecords {
  /** The run for this intent: a new one, or the one an earlier submission of the same form made. */
  create(run: NewPhoneImport, now?: number): Promise<{ run: PhoneImport; created: boolean }>;
  get(id: string): Promise<PhoneImport | undefined>;
  /** Moves the run to `to` only from one of `from`; false when it was elsewhere (someone else moved it). */
  transition(
    id: string,
    from: readonly PhoneImportStatus[],
    to: PhoneImportStatus,
    changes?: { error?: string; confirmedBy?: string },
    now?: number,
  ): Promise<boolean>;
  setMessage(id: string, channelId: string, messageTs: string): Promise<void>;
  /** The dry run's rows, replacing any earlier ones of this run. */
  saveRows(id: string, rows: ImportRow[]): Promise<void>;
  row(id: string, rowNumber: number): Promise<ImportRow | undefined>;
  /** Rows in one of `states`, by row number, `limit` after `afterRow`. */
  rows(id: string, filter: { states: readonly ImportRowState[]; afterRow?: number; limit: number }): Promise<ImportRow[]>;
  /** Records what registering did for a row; false when the row was not waiting (`ready`). */
  settleRow(id: string, rowNumber: number, state: 'created' | 'existing' | 'failed', detail?: string): Promise<boolean>;
  counts(id: string): Promise<ImportRowCounts>;
  /** Registered rows whose subscriber kept another phone in Novu (the row's detail says which). */
  keptPhones(id: string): Promise<number>;
  /** Rows with a problem, by kind of problem. */
  problemCounts(id: string): Promise<Partial<Record<ImportProblem, number>>>;
  /** True (and noted) when no progress was reported for `minIntervalMs`: one report at a time, not too often. */
  claimReport(id: string, minIntervalMs: number, now?: number): Promise<boolean>;
  /**
   * Deletes, with their rows, the runs that ended (`done`, `cancelled`, `failed`) or whose dry run
   * was never confirmed (`planned`) and that have not changed since `before`; returns how many.
   */
  pruneFinished(before: number): Promise<number>;
}

function toRun(row: Selectable<PhoneImportsTable>): PhoneImport {
  return {
    id: row.id,
    workspaceKey: row.workspace_key,
    requestedBy: row.requested_by,
    status: row.status as PhoneImportStatus,
    fileId: row.file_id,
    fileName: row.file_name,
    defaultIntegration: row.default_integration,
    confirmedBy: row.confirmed_by,
    channelId: row.channel_id,
    messageTs: row.message_ts,
    error: row.error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toRow(row: Selectable<PhoneImportRowsTable>): ImportRow {
  return {
    rowNumber: Number(row.row_number),
    subscriberId: row.subscriber_id,
    phone: row.phone,
    integration: row.integration,
    identifier: row.identifier,
    state: row.state as ImportRowState,
    problem: row.problem as ImportProblem | null,
    detail: row.detail,
  };
}

/** Both engines cap the bound parameters of one statement: rows are written this many at a time. */
const rowsPerInsert = 200;

/** Runs that will not change again (a dry run left unconfirmed for the whole retention counts as ended). */
const prunableStatuses: readonly PhoneImportStatus[] = ['done', 'cancelled', 'failed', 'planned'];
/** Runs deleted per transaction: each may hold thousands of rows. */
const runsPerPrune = 50;

export function phoneImportRecords(db: Kysely<Database>): PhoneImportRecords {
  return {
    async create(run, now = Date.now()) {
      const id = newId(now);
      await db
        .insertInto('phone_imports')
        .values({
          id,
          workspace_key: run.workspaceKey,
          requested_by: run.requestedBy,
          intent: run.intent,
          status: 'reading',
          file_id: run.fileId,
          file_name: run.fileName,
          default_integration: run.defaultIntegration ?? null,
          confirmed_by: null,
          channel_id: null,
          message_ts: null,
          error: null,
          reported_at: 0,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) => conflict.column('intent').doNothing())
        .execute();
      const row = await db.selectFrom('phone_imports').selectAll().where('intent', '=', run.intent).executeTakeFirstOrThrow();
      return { run: toRun(row), created: row.id === id };
    },

    async get(id) {
      const row = await db.selectFrom('phone_imports').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    async transition(id, from, to, changes = {}, now = Date.now()) {
      const result = await db
        .updateTable('phone_imports')
        .set({
          status: to,
          updated_at: now,
          ...(changes.error !== undefined ? { error: changes.error } : {}),
          ...(changes.confirmedBy !== undefined ? { confirmed_by: changes.confirmedBy } : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async setMessage(id, channelId, messageTs) {
      await db.updateTable('phone_imports').set({ channel_id: channelId, message_ts: messageTs }).where('id', '=', id).execute();
    },

    async saveRows(id, rows) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('phone_import_rows').where('run_id', '=', id).execute();
        for (let start = 0; start < rows.length; start += rowsPerInsert) {
          await trx
            .insertInto('phone_import_rows')
            .values(
              rows.slice(start, start + rowsPerInsert).map((row) => ({
                run_id: id,
                row_number: row.rowNumber,
                subscriber_id: row.subscriberId,
                phone: row.phone,
                integration: row.integration,
                identifier: row.identifier,
                state: row.state,
                problem: row.problem,
                detail: row.detail,
              })),
            )
            .execute();
        }
      });
    },

    async row(id, rowNumber) {
      const row = await db.selectFrom('phone_import_rows').selectAll().where('run_id', '=', id).where('row_number', '=', rowNumber).executeTakeFirst();
      return row ? toRow(row) : undefined;
    },

    async rows(id, { states, afterRow, limit }) {
      let query = db
        .selectFrom('phone_import_rows')
        .selectAll()
        .where('run_id', '=', id)
        .where('state', 'in', [...states])
        .orderBy('row_number')
        .limit(limit);
      if (afterRow !== undefined) query = query.where('row_number', '>', afterRow);
      return (await query.execute()).map(toRow);
    },

    async settleRow(id, rowNumber, state, detail) {
      const result = await db
        .updateTable('phone_import_rows')
        .set({ state, detail: detail ?? null })
        .where('run_id', '=', id)
        .where('row_number', '=', rowNumber)
        .where('state', '=', 'ready')
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async counts(id) {
      const rows = await db
        .selectFrom('phone_import_rows')
        .select(['state', db.fn.countAll<number | string>().as('count')])
        .where('run_id', '=', id)
        .groupBy('state')
        .execute();
      const counts = Object.fromEntries(importRowStates.map((state) => [state, 0])) as ImportRowCounts;
      for (const row of rows) if (row.state in counts) counts[row.state as ImportRowState] = Number(row.count);
      return counts;
    },

    async keptPhones(id) {
      const row = await db
        .selectFrom('phone_import_rows')
        .select(db.fn.countAll<number | string>().as('count'))
        .where('run_id', '=', id)
        .where('state', 'in', ['created', 'existing'])
        .where('detail', 'like', `${keptPhoneDetail}%`)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async problemCounts(id) {
      const rows = await db
        .selectFrom('phone_import_rows')
        .select(['problem', db.fn.countAll<number | string>().as('count')])
        .where('run_id', '=', id)
        .where('state', '=', 'problem')
        .groupBy('problem')
        .execute();
      return Object.fromEntries(rows.filter((row) => row.problem !== null).map((row) => [row.problem, Number(row.count)]));
    },

    async claimReport(id, minIntervalMs, now = Date.now()) {
      const result = await db
        .updateTable('phone_imports')
        .set({ reported_at: now })
        .where('id', '=', id)
        .where('reported_at', '<=', now - minIntervalMs)
        .executeTakeFirst();
      return changed(result) > 0;
    },

    async pruneFinished(before) {
      let pruned = 0;
      for (;;) {
        const batch = await db.transaction().execute(async (trx) => {
          // The conditions are repeated outside the subquery: a run confirmed meanwhile is kept (PostgreSQL checks them again on the row it deletes).
          const runs = await trx
            .deleteFrom('phone_imports')
            .where('status', 'in', [...prunableStatuses])
            .where('updated_at', '<', before)
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('phone_imports')
                .select('id')
                .where('status', 'in', [...prunableStatuses])
                .where('updated_at', '<', before)
                .limit(runsPerPrune),
            )
            .returning('id')
            .execute();
          const ids = runs.map((run) => run.id);
          if (ids.length > 0) await trx.deleteFrom('phone_import_rows').where('run_id', 'in', ids).execute();
          return ids.length;
        });
        pruned += batch;
        if (batch < runsPerPrune) return pruned;
      }
    },
  };
}
