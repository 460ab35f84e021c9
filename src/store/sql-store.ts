import type { Installation } from '@slack/bolt';
import { type Kysely, type Selectable, sql } from 'kysely';
import { newId } from '../util/ids.js';
import type { TokenCipher } from './cipher.js';
import type { AuditLogTable, ConnectionsTable, Database, JobsTable } from './schema.js';
import type {
  AuditEntry,
  AuditRecords,
  ConnectionRecord,
  ConnectionRecords,
  ConnectionState,
  InstallationRecords,
  JobRecord,
  JobRecords,
  JobStatus,
  OAuthStateRecords,
  ProcessedEvents,
  Store,
  StoredInstallation,
  WorkspaceKey,
} from './types.js';
import { workspaceKeyOf } from './workspace-key.js';

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

export class SqlStore implements Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly installations: InstallationRecords;
  readonly oauthStates: OAuthStateRecords;
  readonly jobs: JobRecords;
  readonly audit: AuditRecords;
  readonly events: ProcessedEvents;
  readonly connections: ConnectionRecords;

  constructor(
    private readonly backing: Engine,
    cipher: TokenCipher,
  ) {
    this.engine = backing.name;
    this.installations = installationRecords(backing, cipher);
    this.oauthStates = oauthStateRecords(backing.db);
    this.jobs = jobRecords(backing);
    this.audit = auditRecords(backing.db);
    this.events = processedEvents(backing.db);
    this.connections = connectionRecords(backing.db);
  }

  onInstallationChanged(listener: (workspaceKey: WorkspaceKey | '*') => void): () => void {
    return this.backing.subscribeInstallationChanges(listener);
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.backing.withLock(name, fn);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.backing.db);
  }

  close(): Promise<void> {
    return this.backing.close();
  }
}

function installationRecords(engine: Engine, cipher: TokenCipher): InstallationRecords {
  const { db } = engine;
  const userRowKey = (workspaceKey: string, userId: string) => `${workspaceKey}/user:${userId}`;

  return {
    async save(installation, now = Date.now()) {
      const workspaceKey = workspaceKeyOf(installation);
      const expiresAt = installation.bot?.expiresAt === undefined ? null : installation.bot.expiresAt * 1000;
      const row = {
        workspace_key: workspaceKey,
        team_id: installation.team?.id ?? null,
        enterprise_id: installation.enterprise?.id ?? null,
        workspace_name: (installation.isEnterpriseInstall ? installation.enterprise?.name : installation.team?.name) ?? null,
        installer_user_id: installation.user.id,
        bot_user_id: installation.bot?.userId ?? null,
        app_id: installation.appId ?? null,
        bot_expires_at: expiresAt,
        secret: cipher.encrypt(JSON.stringify(installation), workspaceKey),
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('installations')
          .values(row)
          .onConflict((conflict) =>
            conflict
              .column('workspace_key')
              .doUpdateSet((eb) => ({
                team_id: eb.ref('excluded.team_id'),
                enterprise_id: eb.ref('excluded.enterprise_id'),
                workspace_name: eb.ref('excluded.workspace_name'),
                installer_user_id: eb.ref('excluded.installer_user_id'),
                bot_user_id: eb.ref('excluded.bot_user_id'),
                app_id: eb.ref('excluded.app_id'),
                bot_expires_at: eb.ref('excluded.bot_expires_at'),
                secret: eb.ref('excluded.secret'),
                updated_at: eb.ref('excluded.updated_at'),
              }))
              // A slower writer holding an older rotated token must not overwrite a newer one.
              .where((eb) =>
                eb.or([
                  eb('installations.bot_expires_at', 'is', null),
                  eb('excluded.bot_expires_at', 'is', null),
                  eb('excluded.bot_expires_at', '>=', eb.ref('installations.bot_expires_at')),
                ]),
              ),
          )
          .execute();
        if (installation.user.token) {
          const userKey = userRowKey(workspaceKey, installation.user.id);
          await trx
            .insertInto('user_installations')
            .values({
              workspace_key: workspaceKey,
              user_id: installation.user.id,
              secret: cipher.encrypt(JSON.stringify(installation.user), userKey),
              updated_at: now,
            })
            .onConflict((conflict) =>
              conflict.columns(['workspace_key', 'user_id']).doUpdateSet((eb) => ({
                secret: eb.ref('excluded.secret'),
                updated_at: eb.ref('excluded.updated_at'),
              })),
            )
            .execute();
        }
      });
      await engine.publishInstallationChange(workspaceKey);
      const stored = await this.find(workspaceKey);
      if (!stored) throw new Error(`Installation ${workspaceKey} vanished while being saved`);
      return stored;
    },

    async find(workspaceKey, userId) {
      const row = await db.selectFrom('installations').selectAll().where('workspace_key', '=', workspaceKey).executeTakeFirst();
      if (!row) return undefined;
      const installation = JSON.parse(cipher.decrypt(row.secret, workspaceKey)) as Installation;
      if (userId !== undefined && userId !== installation.user.id) {
        const userRow = await db
          .selectFrom('user_installations')
          .select('secret')
          .where('workspace_key', '=', workspaceKey)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        installation.user = userRow
          ? (JSON.parse(cipher.decrypt(userRow.secret, userRowKey(workspaceKey, userId))) as Installation['user'])
          : { ...installation.user, token: undefined, refreshToken: undefined, expiresAt: undefined };
      }
      return { workspaceKey, installation, createdAt: row.created_at, updatedAt: row.updated_at } satisfies StoredInstallation;
    },

    async delete(workspaceKey) {
      const deleted = await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('user_installations').where('workspace_key', '=', workspaceKey).execute();
        const result = await trx.deleteFrom('installations').where('workspace_key', '=', workspaceKey).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
      await engine.publishInstallationChange(workspaceKey);
      return deleted;
    },

    async expiringBefore(before, limit) {
      const rows = await db
        .selectFrom('installations')
        .select('workspace_key')
        .where('bot_expires_at', 'is not', null)
        .where('bot_expires_at', '<', before)
        .orderBy('bot_expires_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.workspace_key);
    },

    async count() {
      const row = await db
        .selectFrom('installations')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

function oauthStateRecords(db: Kysely<Database>): OAuthStateRecords {
  return {
    async create(stateHash, installOptions, expiresAt, now = Date.now()) {
      await db.insertInto('oauth_states').values({ state_hash: stateHash, install_options: installOptions, expires_at: expiresAt, created_at: now }).execute();
    },
    async exists(stateHash) {
      return (await db.selectFrom('oauth_states').select('state_hash').where('state_hash', '=', stateHash).executeTakeFirst()) !== undefined;
    },
    async consume(stateHash) {
      const row = await db.deleteFrom('oauth_states').where('state_hash', '=', stateHash).returning(['install_options', 'expires_at']).executeTakeFirst();
      return row ? { installOptions: row.install_options, expiresAt: row.expires_at } : undefined;
    },
    async pruneExpired(now) {
      const result = await db.deleteFrom('oauth_states').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toJob(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    workspaceKey: row.workspace_key,
    dedupeKey: row.dedupe_key,
    payload: JSON.parse(row.payload),
    status: row.status,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: Number(row.run_at),
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
    lastError: row.last_error,
    result: row.result === null ? null : JSON.parse(row.result),
    requestedBy: row.requested_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

function jobRecords(engine: Engine): JobRecords {
  const { db } = engine;
  const records: JobRecords = {
    async enqueue(job, now = Date.now()) {
      const inserted = await db
        .insertInto('jobs')
        .values({
          id: newId(now),
          kind: job.kind,
          workspace_key: job.workspaceKey ?? null,
          dedupe_key: job.dedupeKey,
          payload: JSON.stringify(job.payload),
          status: 'pending',
          attempts: 0,
          max_attempts: job.maxAttempts,
          run_at: job.runAt ?? now,
          requested_by: job.requestedBy ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { job: toJob(inserted), created: true };
      const existing = await records.findByDedupeKey(job.dedupeKey);
      if (!existing) throw new Error(`Job ${job.dedupeKey} conflicted but cannot be found`);
      return { job: existing, created: false };
    },

    async claimNext(workerId, leaseMs, now = Date.now()) {
      const row = await db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          locked_by: workerId,
          locked_until: now + leaseMs,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', (eb) => {
          const due = eb
            .selectFrom('jobs')
            .select('id')
            .where((where) =>
              where.or([
                where.and([where('status', '=', 'pending'), where('run_at', '<=', now)]),
                where.and([where('status', '=', 'running'), where('locked_until', '<', now)]),
              ]),
            )
            .orderBy('run_at')
            .limit(1);
          return engine.skipLockedRows ? due.forUpdate().skipLocked() : due;
        })
        .returningAll()
        .executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async claim(id, workerId, leaseMs, now = Date.now()) {
      const row = await db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          locked_by: workerId,
          locked_until: now + leaseMs,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', id)
        .where((eb) => eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)])]))
        .returningAll()
        .executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async extendLease(id, workerId, leaseMs, now = Date.now()) {
      const result = await db
        .updateTable('jobs')
        .set({ locked_until: now + leaseMs, updated_at: now })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async complete(id, workerId, result, now = Date.now()) {
      const outcome = await db
        .updateTable('jobs')
        .set({
          status: 'done',
          result: JSON.stringify(result ?? null),
          locked_by: null,
          locked_until: null,
          last_error: null,
          updated_at: now,
          finished_at: now,
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(outcome.numUpdatedRows) > 0;
    },

    async fail(id, workerId, error, retryAt, now = Date.now()) {
      const dead = retryAt === undefined;
      const outcome = await db
        .updateTable('jobs')
        .set({
          status: dead ? 'dead' : 'pending',
          run_at: retryAt ?? now,
          last_error: error.slice(0, 2000),
          locked_by: null,
          locked_until: null,
          updated_at: now,
          finished_at: dead ? now : null,
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(outcome.numUpdatedRows) > 0;
    },

    async revive(id, now = Date.now()) {
      const outcome = await db
        .updateTable('jobs')
        .set({ status: 'pending', attempts: 0, run_at: now, updated_at: now, finished_at: null })
        .where('id', '=', id)
        .where('status', '=', 'dead')
        .executeTakeFirst();
      return Number(outcome.numUpdatedRows) > 0;
    },

    async get(id) {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async findByDedupeKey(dedupeKey) {
      const row = await db.selectFrom('jobs').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async list({ statuses, workspaceKey, kinds, limit }) {
      let query = db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (statuses?.length) query = query.where('status', 'in', statuses);
      if (kinds?.length) query = query.where('kind', 'in', kinds);
      if (workspaceKey !== undefined) query = query.where('workspace_key', '=', workspaceKey);
      return (await query.execute()).map(toJob);
    },

    async countByStatus() {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
        .groupBy('status')
        .execute();
      const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    },

    async nextRunAt() {
      const row = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.min('run_at').as('next'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
    },

    async pruneFinished(before) {
      const result = await db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  return records;
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: Number(row.at),
    workspaceKey: row.workspace_key,
    userId: row.user_id,
    action: row.action,
    target: row.target,
    backend: row.backend,
    backendId: row.backend_id,
    outcome: row.outcome as AuditEntry['outcome'],
    error: row.error,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}

function auditRecords(db: Kysely<Database>): AuditRecords {
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
    async pruneBefore(before) {
      const result = await db.deleteFrom('audit_log').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function processedEvents(db: Kysely<Database>): ProcessedEvents {
  return {
    async markFirstDelivery(eventId, now = Date.now()) {
      const inserted = await db
        .insertInto('processed_events')
        .values({ event_id: eventId, received_at: now })
        .onConflict((conflict) => conflict.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async pruneBefore(before) {
      const result = await db.deleteFrom('processed_events').where('received_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toConnection(row: Selectable<ConnectionsTable>): ConnectionRecord {
  return {
    workspaceKey: row.workspace_key,
    identifier: row.identifier,
    integrationIdentifier: row.integration_identifier,
    mode: row.connection_mode === 'subscriber' ? 'subscriber' : 'shared',
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, string>),
    subscriberId: row.subscriber_id,
    state: row.state as ConnectionState,
    lastError: row.last_error,
    syncedAt: row.synced_at === null ? null : Number(row.synced_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function connectionRecords(db: Kysely<Database>): ConnectionRecords {
  return {
    async find(workspaceKey) {
      const row = await db.selectFrom('connections').selectAll().where('workspace_key', '=', workspaceKey).executeTakeFirst();
      return row ? toConnection(row) : undefined;
    },
    async save(connection, now = Date.now()) {
      const values = {
        identifier: connection.identifier,
        integration_identifier: connection.integrationIdentifier,
        connection_mode: connection.mode,
        context: connection.context ? JSON.stringify(connection.context) : null,
        subscriber_id: connection.subscriberId,
        state: connection.state,
        last_error: connection.lastError?.slice(0, 2000) ?? null,
        synced_at: connection.syncedAt,
        updated_at: now,
      };
      const row = await db
        .insertInto('connections')
        .values({ workspace_key: connection.workspaceKey, created_at: now, ...values })
        .onConflict((conflict) => conflict.column('workspace_key').doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toConnection(row);
    },
    async markState(workspaceKey, state, error, now = Date.now()) {
      await db
        .updateTable('connections')
        .set({ state, last_error: error?.slice(0, 2000) ?? null, updated_at: now, ...(state === 'connected' ? { synced_at: now } : {}) })
        .where('workspace_key', '=', workspaceKey)
        .execute();
    },
    async delete(workspaceKey) {
      const row = await db.deleteFrom('connections').where('workspace_key', '=', workspaceKey).returningAll().executeTakeFirst();
      return row ? toConnection(row) : undefined;
    },
  };
}
