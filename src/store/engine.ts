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

/** Rows changed by an update or delete, as both drivers report it. */
export function changed(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}
