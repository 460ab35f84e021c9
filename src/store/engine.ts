import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { WorkspaceKey } from './workspace-key.js';

/** What differs between the two engines; everything else is the same SQL through Kysely. */
export interface Engine {
  readonly name: 'sqlite' | 'postgres';
  readonly db: Kysely<Database>;
  /** PostgreSQL skips rows other transactions hold; SQLite serialises writers and needs nothing. */
  readonly skipLockedRows: boolean;
  publishInstallationChange(workspaceKey: WorkspaceKey): Promise<void>;
  subscribeInstallationChanges(listener: (workspaceKey: WorkspaceKey | '*') => void): () => void;
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type UpdateOrDelete = { executeTakeFirst(): Promise<{ numUpdatedRows?: bigint; numDeletedRows?: bigint }> };

/** Runs an update or delete: the rows it changed, as both drivers report it. */
export async function changed(query: UpdateOrDelete): Promise<number> {
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}

/** Runs an update or delete: whether it changed any row. */
export const changedAny = async (query: UpdateOrDelete): Promise<boolean> => (await changed(query)) > 0;

/** Runs a query: its first row, mapped to a record; undefined when there is none. */
export async function takeFirst<Row, Record>(
  query: { executeTakeFirst(): Promise<Row | undefined> },
  toRecord: (row: Row) => Record,
): Promise<Record | undefined> {
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

type CamelCase<Name extends string> = Name extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : Name;
type CamelCased<Row> = { [Column in keyof Row & string as CamelCase<Column>]: Row[Column] };

/**
 * A row under its record's names: `workspace_key` becomes `workspaceKey`. Values are kept as they are:
 * both drivers return integer and bigint columns as numbers (the PostgreSQL engine parses int8).
 */
export function camelCased<Row extends object>(row: Row): CamelCased<Row> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [column.replace(/_(.)/g, (_, letter: string) => letter.toUpperCase()), value]),
  ) as CamelCased<Row>;
}
