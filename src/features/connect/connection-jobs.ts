import type { NovuConfig } from '../../config/load.js';
import { type Accepted, finishAudit, type JobDefinition, type JobFinish, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { ConnectionRecord, WorkspaceKey } from '../../store/types.js';
import { slackIdOf } from '../../store/workspace-key.js';
import { contextKeysOf, type NovuScope } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { EndpointLabel } from '../delivery/model.js';
import { type EndpointMoves, moveJob } from '../delivery/moves.js';
import type { ConnectionDeps } from '../deps.js';
import { describeNovuFailure } from '../novu-failures.js';
import type { ConnectionWriter, WriteAction } from './connection-writer.js';
import { type ConnectionSettings, connectionIdentifier, defaultSettings, sameScope, scopeOf, settingsOf } from './settings.js';

export type SyncReason = 'install' | 'rotation' | 'setup' | 'reconnect' | 'approval';

export interface SyncPayload {
  workspaceKey: WorkspaceKey;
  reason: SyncReason;
  /** Set by /connect setup; otherwise the recorded settings, or the configured defaults. */
  settings?: ConnectionSettings;
  requestedBy?: string;
  /**
   * The intent this write is for: when the connection record names a newer one (a later setup, a
   * disconnect, an uninstall), the job does nothing. A rotation has none: it only sends the
   * current token to the connection that is recorded.
   */
  intent?: string;
  /** An operator chose a scope other than the tenant's own; kept for the audit log. */
  scopeOverride?: boolean;
}

/** What a person chose for a write: its settings (else the recorded or default ones), who asked, and whether an operator chose another scope. */
type SyncOptions = Pick<SyncPayload, 'settings' | 'requestedBy' | 'scopeOverride'>;

export interface SyncResult {
  identifier: string;
  integrationIdentifier: string;
  action: WriteAction | 'superseded';
  /** The context keys the connection carries now: what triggers must send. */
  context?: string[];
  /** The tenant's routes and phone endpoints moving with a changed context or integration (the count, and the first few). */
  moving?: { count: number; sample: EndpointLabel[] };
}

export interface DeletePayload {
  workspaceKey: WorkspaceKey;
  identifier: string;
  reason: 'uninstall' | 'disconnect' | 'replaced';
  requestedBy?: string;
  /** For a disconnect or an uninstall: the intent that asked for it. */
  intent?: string;
}

export interface DeleteResult {
  identifier: string;
  alreadyGone: boolean;
  /** A newer intent (a reinstall, a setup) took over: nothing was deleted. */
  superseded?: boolean;
}

export const syncJob = 'novu.connection.sync';
export const deleteJob = 'novu.connection.delete';

/** The direct messages a finished connection job sends: rendered by the feature's views, handed in where the jobs are made. */
export interface ConnectionNotes {
  synced(outcome: JobFinish<SyncResult>['outcome'], attempts: number): SlackMessage;
  deleted(outcome: JobFinish<DeleteResult>['outcome']): SlackMessage;
}

/**
 * The two writes behind a tenant's Novu connection, run through the durable queue: create or
 * update (install, reinstall, rotated token, setup) and delete (uninstall, disconnect). Each runs
 * under the tenant's connection lock and checks, at that moment, that it is still wanted (the
 * record's revision) and that what it touches is the tenant's own. Tokens are read from the store
 * when the job runs and never kept in a job's payload.
 */
export class ConnectionJobs {
  constructor(
    private readonly services: ConnectionDeps,
    private readonly writer: ConnectionWriter,
    private readonly novuConfig: NovuConfig,
    private readonly scope: NovuScope,
    /** Moves the tenant's routes and endpoints when the connection's scope changes. */
    private readonly moves: EndpointMoves,
    private readonly notes: ConnectionNotes,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: syncJob,
        describe: 'write the Novu connection',
        run: (payload, context) => this.withTenantLock(payload.workspaceKey, () => this.sync(payload, context)),
        onFinished: (finish) => this.afterSync(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<SyncPayload, SyncResult>,
      {
        kind: deleteJob,
        describe: 'delete the Novu connection',
        run: (payload, context) => this.withTenantLock(payload.workspaceKey, () => this.remove(payload, context)),
        onFinished: (finish) => this.afterDelete(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<DeletePayload, DeleteResult>,
    ];
  }

  /** The settings a tenant starts from: its record's, else the configured defaults in its own scope. */
  settingsFor(tenant: Tenant, record: ConnectionRecord | undefined): ConnectionSettings | undefined {
    return record ? settingsOf(record) : defaultSettings(this.novuConfig, this.scope, tenant);
  }

  /**
   * Records a new intent for the tenant's connection (install, setup, reconnect), so anything
   * queued for an earlier one is superseded, and returns the payload for the write. `intent` is
   * stable for one user intent: a double submit records it once and finds the same job.
   */
  async begin(tenant: Tenant, reason: SyncReason, intent: string, options: SyncOptions = {}): Promise<SyncPayload | undefined> {
    const existing = await this.services.store.connections.find(tenant.key);
    const settings = options.settings ?? this.settingsFor(tenant, existing);
    if (!settings) return undefined;
    await this.services.store.connections.beginChange(tenant.key, intent, 'pending', {
      identifier: connectionIdentifier(settings.integrationIdentifier, tenant.id),
      ...scopeOf(settings),
    });
    return { workspaceKey: tenant.key, reason, settings, requestedBy: options.requestedBy, intent, ...(options.scopeOverride ? { scopeOverride: true } : {}) };
  }

  /** Queues a sync for the worker; one job per intent (retries and duplicates share it). `intent` defaults to the payload's. */
  async enqueueSync(payload: SyncPayload, intent = payload.intent ?? '') {
    return this.services.queue.enqueue(syncJob, payload, jobOptions(syncJob, payload, intent));
  }

  /** Records the intent and stores its write, for a person waiting: `run` writes it. Undefined when there is nothing to write. */
  async acceptSync(tenant: Tenant, reason: SyncReason, intent: string, options: SyncOptions = {}): Promise<Accepted<SyncResult> | undefined> {
    const payload = await this.begin(tenant, reason, intent, options);
    if (!payload) return undefined;
    return this.services.queue.accept<SyncResult>(syncJob, payload, jobOptions(syncJob, payload, intent).dedupeKey);
  }

  /** Marks the connection as going away and stores its delete, for a person waiting. Undefined when there is no connection. */
  async acceptDelete(tenant: Tenant, intent: string, requestedBy: string): Promise<Accepted<DeleteResult> | undefined> {
    const payload = await this.beginDelete(tenant, 'disconnect', intent, requestedBy);
    if (!payload) return undefined;
    return this.services.queue.accept<DeleteResult>(deleteJob, payload, jobOptions(deleteJob, payload, intent).dedupeKey);
  }

  /** Marks the connection as going away (a new intent) and returns its delete; the record goes when Novu confirms. */
  async beginDelete(tenant: Tenant, reason: 'disconnect' | 'uninstall', intent: string, requestedBy?: string): Promise<DeletePayload | undefined> {
    const existing = await this.services.store.connections.find(tenant.key);
    if (!existing) return undefined;
    const record = await this.services.store.connections.beginChange(tenant.key, intent, 'disconnecting', existing);
    return { workspaceKey: tenant.key, identifier: record.identifier, reason, requestedBy, intent };
  }

  async enqueueDelete(payload: DeletePayload, intent = payload.intent ?? '') {
    return this.services.queue.enqueue(deleteJob, payload, jobOptions(deleteJob, payload, intent));
  }

  /** One connection write at a time per tenant, on every replica: a check and the write it allows are not split. */
  private withTenantLock<T>(workspaceKey: WorkspaceKey, work: () => Promise<T>): Promise<T> {
    return this.services.store.withLock(`novu-connection:${workspaceKey}`, work);
  }

  private async sync(payload: SyncPayload, context: JobRunContext): Promise<SyncResult> {
    const tenant = tenantOfKey(payload.workspaceKey);
    const { connections, installations } = this.services.store;
    const record = await connections.find(tenant.key);
    const superseded: SyncResult = { identifier: record?.identifier ?? '', integrationIdentifier: record?.integrationIdentifier ?? '', action: 'superseded' };
    if (!record) return superseded;
    // A rotation (no intent) only refreshes the token of a connection Novu confirmed; a pending write reads the newest token itself.
    if (payload.intent === undefined ? record.state !== 'connected' : record.intent !== payload.intent) return superseded;
    const stored = await installations.find(tenant.key);
    if (!stored) throw new TerminalJobError('Switchboard is no longer installed in this workspace');
    const settings = payload.settings ?? this.settingsFor(tenant, record);
    if (!settings) throw new TerminalJobError('No Novu integration is chosen: run /connect setup, or set NOVU_INTEGRATION_IDENTIFIER');
    const result = await this.writer.write(tenant, settings, stored.installation, record, context);
    if (!(await connections.recordSynced(tenant.key, payload.intent ?? record.intent, { identifier: result.identifier, ...scopeOf(settings) }))) {
      // A newer intent arrived while Novu answered; that job writes over this one.
      return { ...result, integrationIdentifier: settings.integrationIdentifier, action: 'superseded' };
    }
    const synced: SyncResult = {
      identifier: result.identifier,
      integrationIdentifier: settings.integrationIdentifier,
      action: result.action,
      context: contextKeysOf(settings.context),
    };
    const existedInNovu = record.syncedAt !== null;
    if (existedInNovu && record.identifier !== result.identifier) {
      await this.enqueueDelete(
        { workspaceKey: tenant.key, identifier: record.identifier, reason: 'replaced', requestedBy: payload.requestedBy },
        `replaced-by:${context.job.id}`,
      );
    }
    if (existedInNovu && (record.identifier !== result.identifier || !sameScope(settingsOf(record), settings))) {
      synced.moving = await this.moveEndpoints(tenant, payload.requestedBy, context);
    }
    return synced;
  }

  /**
   * The connection's scope changed: every route and phone endpoint of the tenant follows it, or no
   * trigger reaches them (decisions.md, "One context per tenant"). Queued in the same run, once.
   */
  private async moveEndpoints(tenant: Tenant, requestedBy: string | undefined, context: JobRunContext): Promise<SyncResult['moving']> {
    const connection = await this.services.store.connections.find(tenant.key);
    if (!connection) return undefined;
    const moving = await this.moves.outOfScope(tenant, connection);
    if (moving.count === 0) return undefined;
    await this.moves.enqueue({ workspaceKey: tenant.key, requestedBy }, `${moveJob}:${tenant.key}:${context.job.id}`);
    return moving;
  }

  private async remove(payload: DeletePayload, context: JobRunContext): Promise<DeleteResult> {
    const record = await this.services.store.connections.find(payload.workspaceKey);
    const stale =
      payload.reason === 'replaced'
        ? record?.identifier === payload.identifier
        : record !== undefined && payload.intent !== undefined && record.intent !== payload.intent;
    if (stale) return { identifier: payload.identifier, alreadyGone: false, superseded: true };
    const deleted = await this.writer.deleteIgnoringMissing(payload.identifier, { retry: context.retry, deadlineMs: context.deadlineMs });
    if (payload.reason !== 'replaced' && payload.intent !== undefined) await this.services.store.connections.removeAt(payload.workspaceKey, payload.intent);
    return { identifier: payload.identifier, alreadyGone: !deleted };
  }

  private async afterSync({ job, payload, outcome, deliveredInline, audit, tell }: JobFinish<SyncResult, SyncPayload>): Promise<void> {
    if (outcome.status === 'done' && outcome.result.action === 'superseded') return;
    if (outcome.status === 'failed') await this.services.store.connections.markState(payload.workspaceKey, 'failed', outcome.error, payload.intent);
    await audit({
      action: `connection.${payload.reason === 'rotation' ? 'rotate' : payload.reason}`,
      ...finishAudit(payload, outcome),
      target: slackIdOf(payload.workspaceKey),
      backend: 'novu',
      backendId: outcome.status === 'done' ? outcome.result.identifier : undefined,
      detail: {
        attempts: job.attempts,
        ...(outcome.status === 'done'
          ? { action: outcome.result.action, integration: outcome.result.integrationIdentifier, moving: outcome.result.moving?.count }
          : {}),
        ...(payload.scopeOverride ? { scopeOverride: true, context: payload.settings?.context, subscriberId: payload.settings?.subscriberId } : {}),
      },
    });
    if (!deliveredInline && payload.requestedBy) await tell(payload.workspaceKey, payload.requestedBy, this.notes.synced(outcome, job.attempts));
  }

  private async afterDelete({ job, payload, outcome, deliveredInline, audit, tell }: JobFinish<DeleteResult, DeletePayload>): Promise<void> {
    if (outcome.status === 'done' && outcome.result.superseded) return;
    if (outcome.status === 'failed' && payload.intent !== undefined) {
      // The connection may still be in Novu: keep the record, so the delete can be tried again.
      await this.services.store.connections.markState(payload.workspaceKey, 'failed', `The delete failed: ${outcome.error}`, payload.intent);
    }
    await audit({
      action: 'connection.delete',
      ...finishAudit(payload, outcome),
      target: slackIdOf(payload.workspaceKey),
      backend: 'novu',
      backendId: payload.identifier,
      detail: { reason: payload.reason, attempts: job.attempts },
    });
    if (!deliveredInline && payload.requestedBy && payload.reason === 'disconnect') {
      await tell(payload.workspaceKey, payload.requestedBy, this.notes.deleted(outcome));
    }
  }
}

/** Whom a connection job's audit line is about: the workspace and who asked, on Novu. */
/** One job per intent (and, for a delete, per connection): retries and duplicates share it. */
function jobOptions(kind: string, payload: SyncPayload | DeletePayload, intent: string) {
  const target = 'identifier' in payload ? `${payload.workspaceKey}:${payload.identifier}` : payload.workspaceKey;
  return { dedupeKey: `${kind}:${target}:${intent}` };
}
