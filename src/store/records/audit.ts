import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../util/ids.js';
import { camelCased, changed } from '../engine.js';
import type { AuditLogTable, Database } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

export type AuditOutcome = 'ok' | 'failed' | 'refused' | 'queued' | 'not-found';

export interface AuditEntry {
  id: string;
  at: number;
  workspaceKey: WorkspaceKey | null;
  userId: string | null;
  action: string;
  target: string | null;
  backend: string | null;
  backendId: string | null;
  outcome: AuditOutcome;
  error: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAuditEntry = Partial<Omit<AuditEntry, 'id' | 'at' | 'action' | 'outcome'>> & Pick<AuditEntry, 'action' | 'outcome'>;

export interface AuditRecords {
  append(entry: NewAuditEntry, now?: number): Promise<AuditEntry>;
  list(filter: { workspaceKey?: WorkspaceKey; actions?: string[]; limit: number; before?: number }): Promise<AuditEntry[]>;
  pruneBefore(before: number): Promise<number>;
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return { ...camelCased(row), outcome: row.outcome as AuditOutcome, detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>) };
}

export function auditRecords(db: Kysely<Database>): AuditRecords {
  return {
    async append(entry, now = Date.now()) {
      const row = await db
        .insertInto('audit_log')
        .values({
          id: newId(now),
          at: now,
          workspace_key: entry.workspaceKey ?? null,
          user_id: entry.userId ?? null,
          action: entry.action,
          target: entry.target ?? null,
          backend: entry.backend ?? null,
          backend_id: entry.backendId ?? null,
          outcome: entry.outcome,
          error: entry.error?.slice(0, 2000) ?? null,
          detail: entry.detail ? JSON.stringify(entry.detail) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAuditEntry(row);
    },
    async list({ workspaceKey, actions, limit, before }) {
      let query = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      if (actions?.length) query = query.where('action', 'in', actions);
      if (before !== undefined) query = query.where('at', '<', before);
      return (await query.execute()).map(toAuditEntry);
    },
    pruneBefore: (before) => changed(db.deleteFrom('audit_log').where('at', '<', before)),
  };
}
