import type { Kysely, Selectable } from 'kysely';
import { camelCased, changedAny, takeFirst } from '../engine.js';
import type { Database, NumberReportsTable, UnpostedReportsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';
import type { NumberBackend } from './owned-numbers.js';

/** Where a number's calls and texts are reported, in the workspace that owns the number. */
export interface NumberReport {
  backend: NumberBackend;
  vendorId: string;
  workspaceKey: WorkspaceKey;
  channelId: string;
  /** The bearer token Vapi sends, sealed (SignalWire signs with the space's key instead). */
  sealedSecret: string | null;
  /** Vapi's credential holding that token. */
  credentialId: string | null;
  setBy: string;
  setAt: number;
  warnedAt: number | null;
}

/** A call or text Slack would not take, kept for the App Home; `event` is what the post would have said. */
export interface UnpostedReport {
  eventKey: string;
  workspaceKey: WorkspaceKey;
  backend: NumberBackend;
  vendorId: string;
  channelId: string;
  reason: string;
  event: Record<string, unknown>;
  createdAt: number;
}

export interface NumberReportRecords {
  /** Sets (or moves) a number's report channel; a new channel clears the warning. The secret and credential are kept unless given. */
  set(report: Omit<NumberReport, 'warnedAt' | 'setAt'>, now?: number): Promise<NumberReport>;
  find(backend: NumberBackend, vendorId: string): Promise<NumberReport | undefined>;
  /** A workspace's reporting numbers (every workspace's when none is given), for a list of numbers. */
  list(filter: { workspaceKey?: WorkspaceKey; limit: number }): Promise<NumberReport[]>;
  /** True the first time since the channel was set: the one time its setter is told the bot cannot post there. */
  markWarned(backend: NumberBackend, vendorId: string, now?: number): Promise<boolean>;
  remove(backend: NumberBackend, vendorId: string): Promise<boolean>;
  /** Keeps an event that could not be posted (once per event key). */
  keepUnposted(report: Omit<UnpostedReport, 'createdAt'>, now?: number): Promise<void>;
  /** Newest first. */
  unposted(workspaceKey: WorkspaceKey, limit: number): Promise<UnpostedReport[]>;
  countUnposted(workspaceKey: WorkspaceKey): Promise<number>;
}

function toReport(row: Selectable<NumberReportsTable>): NumberReport {
  return { ...camelCased(row), backend: row.backend as NumberBackend };
}

function toUnposted(row: Selectable<UnpostedReportsTable>): UnpostedReport {
  return { ...camelCased(row), backend: row.backend as NumberBackend, event: JSON.parse(row.event) as Record<string, unknown> };
}

export function numberReportRecords(db: Kysely<Database>): NumberReportRecords {
  const byId = (backend: NumberBackend, vendorId: string) => ({ backend, vendor_id: vendorId });
  return {
    async set(report, now = Date.now()) {
      const existing = await this.find(report.backend, report.vendorId);
      const moved = existing?.channelId !== report.channelId;
      const row = await db
        .insertInto('number_reports')
        .values({
          backend: report.backend,
          vendor_id: report.vendorId,
          workspace_key: report.workspaceKey,
          channel_id: report.channelId,
          sealed_secret: report.sealedSecret,
          credential_id: report.credentialId,
          set_by: report.setBy,
          set_at: now,
          warned_at: null,
        })
        .onConflict((conflict) =>
          conflict.columns(['backend', 'vendor_id']).doUpdateSet({
            workspace_key: report.workspaceKey,
            channel_id: report.channelId,
            sealed_secret: report.sealedSecret ?? existing?.sealedSecret ?? null,
            credential_id: report.credentialId ?? existing?.credentialId ?? null,
            set_by: report.setBy,
            set_at: now,
            ...(moved ? { warned_at: null } : {}),
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toReport(row);
    },

    find: (backend, vendorId) =>
      takeFirst(
        db
          .selectFrom('number_reports')
          .selectAll()
          .where((eb) => eb.and(byId(backend, vendorId))),
        toReport,
      ),

    list: async ({ workspaceKey, limit }) => {
      let query = db.selectFrom('number_reports').selectAll().orderBy('set_at', 'desc').limit(limit);
      if (workspaceKey) query = query.where('workspace_key', '=', workspaceKey);
      return (await query.execute()).map(toReport);
    },

    markWarned: (backend, vendorId, now = Date.now()) =>
      changedAny(
        db
          .updateTable('number_reports')
          .set({ warned_at: now })
          .where((eb) => eb.and(byId(backend, vendorId)))
          .where('warned_at', 'is', null),
      ),

    remove: (backend, vendorId) => changedAny(db.deleteFrom('number_reports').where((eb) => eb.and(byId(backend, vendorId)))),

    async keepUnposted(report, now = Date.now()) {
      await db
        .insertInto('unposted_reports')
        .values({
          event_key: report.eventKey,
          workspace_key: report.workspaceKey,
          backend: report.backend,
          vendor_id: report.vendorId,
          channel_id: report.channelId,
          reason: report.reason,
          event: JSON.stringify(report.event),
          created_at: now,
        })
        .onConflict((conflict) => conflict.column('event_key').doNothing())
        .execute();
    },

    async unposted(workspaceKey, limit) {
      const rows = await db
        .selectFrom('unposted_reports')
        .selectAll()
        .where('workspace_key', '=', workspaceKey)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toUnposted);
    },

    async countUnposted(workspaceKey) {
      const row = await db
        .selectFrom('unposted_reports')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('workspace_key', '=', workspaceKey)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
  };
}
