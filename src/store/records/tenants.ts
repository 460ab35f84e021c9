import type { Selectable } from 'kysely';
import { camelCased, changedAny, type Engine, takeFirst } from '../engine.js';
import type { TenantsTable } from '../schema.js';
import type { WorkspaceKey } from '../workspace-key.js';

/** Whether a tenant may use Switchboard: `pending` waits for an operator, `denied` was refused. */
export type TenantStatus = 'approved' | 'pending' | 'denied';

/** A tenant's standing with Switchboard. Outlives uninstalls, so an approval is remembered. */
export interface TenantRecord {
  workspaceKey: WorkspaceKey;
  kind: 'team' | 'enterprise';
  /** The Slack team or enterprise id. */
  slackId: string;
  name: string | null;
  status: TenantStatus;
  /** Who installed Switchboard last. */
  installedBy: string | null;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  /** How many times Switchboard was installed here. */
  installs: number;
  createdAt: number;
  updatedAt: number;
}

export interface NewTenantInstall {
  workspaceKey: WorkspaceKey;
  kind: 'team' | 'enterprise';
  slackId: string;
  name: string | null;
  installedBy: string;
  /** What the install policy says for this install; an approved tenant stays approved. */
  status: 'approved' | 'pending';
  /** Who approved it (the installing operator, `allow-list`, `open`), when `status` is approved. */
  decidedBy?: string;
}

export interface TenantRecords {
  find(workspaceKey: WorkspaceKey): Promise<TenantRecord | undefined>;
  /** Records an install: a new tenant, or a returning one (an approved tenant keeps its approval). */
  recordInstall(install: NewTenantInstall, now?: number): Promise<TenantRecord>;
  /** Decides a pending tenant; undefined when it is no longer pending (decided already, or reinstalled as approved). */
  decide(workspaceKey: WorkspaceKey, status: 'approved' | 'denied', decidedBy: string, now?: number): Promise<TenantRecord | undefined>;
  list(filter: { statuses?: TenantStatus[]; workspaceKeys?: WorkspaceKey[]; limit: number }): Promise<TenantRecord[]>;
}

function toTenant(row: Selectable<TenantsTable>): TenantRecord {
  return { ...camelCased(row), kind: row.kind === 'enterprise' ? 'enterprise' : 'team', status: row.status as TenantStatus };
}

/** Changes are announced like installation changes, so every replica's cache forgets the tenant. */
export function tenantRecords(engine: Engine): TenantRecords {
  const { db } = engine;
  return {
    find: (workspaceKey) => takeFirst(db.selectFrom('tenants').selectAll().where('workspace_key', '=', workspaceKey), toTenant),

    async recordInstall(install, now = Date.now()) {
      const decided = install.status === 'approved';
      const row = await db
        .insertInto('tenants')
        .values({
          workspace_key: install.workspaceKey,
          kind: install.kind,
          slack_id: install.slackId,
          name: install.name,
          status: install.status,
          installed_by: install.installedBy,
          requested_at: now,
          decided_by: decided ? (install.decidedBy ?? install.installedBy) : null,
          decided_at: decided ? now : null,
          installs: 1,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) =>
          conflict.column('workspace_key').doUpdateSet((eb) => {
            // An approved tenant stays approved; a pending or denied one takes what the policy says now.
            const unlessApproved = <Column extends 'status' | 'requested_at' | 'decided_by' | 'decided_at'>(column: Column) =>
              eb
                .case()
                .when('tenants.status', '=', 'approved')
                .then(eb.ref(`tenants.${column}`))
                .else(eb.ref(`excluded.${column}`))
                .end();
            return {
              name: install.name,
              installed_by: install.installedBy,
              installs: eb('tenants.installs', '+', 1),
              updated_at: now,
              status: unlessApproved('status'),
              requested_at: unlessApproved('requested_at'),
              decided_by: unlessApproved('decided_by'),
              decided_at: unlessApproved('decided_at'),
            };
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      await engine.publishInstallationChange(install.workspaceKey);
      return toTenant(row);
    },

    async decide(workspaceKey, status, decidedBy, now = Date.now()) {
      const decided = await changedAny(
        db
          .updateTable('tenants')
          .set({ status, decided_by: decidedBy, decided_at: now, updated_at: now })
          .where('workspace_key', '=', workspaceKey)
          .where('status', '=', 'pending'),
      );
      if (!decided) return undefined;
      await engine.publishInstallationChange(workspaceKey);
      return this.find(workspaceKey);
    },

    async list({ statuses, workspaceKeys, limit }) {
      if (workspaceKeys && workspaceKeys.length === 0) return [];
      let query = db.selectFrom('tenants').selectAll().orderBy('requested_at', 'desc').limit(limit);
      if (statuses?.length) query = query.where('status', 'in', statuses);
      if (workspaceKeys) query = query.where('workspace_key', 'in', workspaceKeys);
      return (await query.execute()).map(toTenant);
    },
  };
}
