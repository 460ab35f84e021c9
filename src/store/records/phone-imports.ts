import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../schema.js';
import { type BulkKind, type BulkRunBase, type BulkRunRecords, bulkRunRecords, type ItemCounts } from './bulk-runs.js';

/**
 * A CSV import of phone endpoints: `reading` (the dry run is reading and checking the file),
 * `planned` (waiting for someone to confirm), `registering` (a job per row is writing), then
 * `done`; or `cancelled`/`failed`.
 */
export type PhoneImportStatus = 'reading' | 'planned' | 'registering' | 'done' | 'cancelled' | 'failed';

/** A row's verdict in the dry run (`ready`, `problem`, `already-registered`), then what registering it did. */
export const importRowStates = ['ready', 'problem', 'already-registered', 'created', 'existing', 'failed'] as const;

/** What is wrong with a row, for the dry run's tally; the row's `detail` says it in words. */
export const importProblems = ['format', 'subscriber', 'number', 'integration', 'identifier', 'duplicate'] as const;
export type ImportProblem = (typeof importProblems)[number];

/** The tag of a registered row whose subscriber kept another phone in Novu (the row's detail says which). */
export const keptPhoneTag = 'phone-kept';

export interface PhoneImport extends BulkRunBase<PhoneImportStatus> {
  fileId: string;
  fileName: string;
  defaultIntegration: string | null;
}

const importRow = z.object({
  /** The line of the file the row starts on, as a spreadsheet numbers it. */
  rowNumber: z.number(),
  subscriberId: z.string().nullable(),
  /** E.164 when the number was understood, else as typed (cut short). */
  phone: z.string().nullable(),
  integration: z.string().nullable(),
  /** The endpoint identifier the row registers. */
  identifier: z.string().nullable(),
  state: z.enum(importRowStates),
  problem: z.enum(importProblems).nullable(),
  detail: z.string().nullable(),
});
export type ImportRow = z.infer<typeof importRow>;
export type ImportRowCounts = ItemCounts<ImportRow>;

const importFields = z.object({
  fileId: z.string(),
  fileName: z.string(),
  /** The integration for rows that name none. */
  defaultIntegration: z
    .string()
    .nullish()
    .transform((name) => name ?? null),
});
export type NewPhoneImportFields = z.input<typeof importFields>;

export const phoneImportKind: BulkKind<PhoneImport, NewPhoneImportFields, ImportRow> = {
  name: 'phone-import',
  statuses: { planning: 'reading', planned: 'planned', applying: 'registering', done: 'done', cancelled: 'cancelled', failed: 'failed' },
  fields: importFields,
  item: importRow,
  states: importRowStates,
  waiting: 'ready',
  failed: 'failed',
  key: (row) => row.rowNumber,
  tag: (row) => row.problem,
};

export type PhoneImportRecords = BulkRunRecords<PhoneImport, NewPhoneImportFields, ImportRow>;

export const phoneImportRecords = (db: Kysely<Database>): PhoneImportRecords => bulkRunRecords(db, phoneImportKind);
