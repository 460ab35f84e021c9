import type { Installation } from '@slack/bolt';
import type { NovuClient } from '../../backends/novu/client.js';
import { deletedByEarlierAttempt, existingConnectionIdentifier, isNovuNotFound } from '../../backends/novu/explain.js';
import type { ConnectionAuth, CreateConnectionBody } from '../../backends/novu/schemas.js';
import { writeOnce } from '../../backends/novu/write-once.js';
import type { NovuConfig } from '../../config/load.js';
import { BackendError } from '../../http/errors.js';
import type { Accepted, JobDefinition, JobFinish, JobOutcome, JobQueue, JobRunContext } from '../../jobs/queue.js';
import { TerminalJobError } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { ConnectionRecord, Store, WorkspaceKey } from '../../store/types.js';
import { slackIdOf } from '../../store/workspace-key.js';
import { contextKeysOf, type NovuScope } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { EndpointLabel } from '../delivery/model.js';
import { type EndpointMoves, moveJob } from '../delivery/moves.js';
import type { ConnectDeps } from '../deps.js';
import { asNovuJobError, describeNovuFailure } from '../novu-failures.js';
import { type ConnectionSettings, connectionIdentifier, defaultSettings, type SlackWorkspace, sameScope, scopeOf, settingsOf } from './settings.js';

export type SyncReason = 'install' | 'rotation' | 'setup' | 'reconnect' | 'approval';
export type DeleteReason = 'uninstall' | 'disconnect' | 'replaced';

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

export interface SyncResult {
  identifier: string;
  integrationIdentifier: string;
  action: 'created' | 'updated' | 'adopted' | 'replaced' | 'superseded';
  /** The context keys the connection carries now: what triggers must send. */
  context?: string[];
  /** The tenant's routes and phone endpoints moving with a changed context or integration (the count, and the first few). */
  moving?: { count: number; sample: EndpointLabel[] };
}

export interface DeletePayload {
  workspaceKey: WorkspaceKey;
  identifier: string;
  reason: DeleteReason;
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

/** How this run of a job writes: its retry mode and deadline, and its own keys (`<job id>.<attempt>`). */
interface WriteOptions {
  retry: JobRunContext['retry'];
  deadlineMs?: number;
  intent: string;
  /** A later run of the job: an earlier one may have written and lost the answer. */
  rerun: boolean;
}

function writeOptions(context: JobRunContext): WriteOptions {
  return { retry: context.retry, deadlineMs: context.deadlineMs, intent: context.runId, rerun: context.attempt > 1 };
}

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
    private readonly services: ConnectDeps,
    private readonly novu: NovuClient,
    private readonly novuConfig: NovuConfig,
    private readonly scope: NovuScope,
    /** Moves the tenant's routes and endpoints when the connection's scope changes. */
    private readonly moves: EndpointMoves,
    private readonly notes: ConnectionNotes,
  ) {}

  /** The jobs this part runs: registered with the queue when the app starts. */
  get definitions(): JobDefinition[] {
    return [
      {
        kind: syncJob,
        run: (payload, context) => this.withTenantLock(payload.workspaceKey, () => this.sync(payload, context)),
        onFinished: (finish) => this.afterSync(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<SyncPayload, SyncResult>,
      {
        kind: deleteJob,
        run: (payload, context) => this.withTenantLock(payload.workspaceKey, () => this.remove(payload, context)),
        onFinished: (finish) => this.afterDelete(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<DeletePayload, DeleteResult>,
    ];
  }

  private get queue(): JobQueue {
    return this.services.queue;
  }

  private get store(): Store {
    return this.services.store;
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
  async begin(
    tenant: Tenant,
    reason: SyncReason,
    intent: string,
    options: { settings?: ConnectionSettings; requestedBy?: string; scopeOverride?: boolean } = {},
  ): Promise<SyncPayload | undefined> {
    const existing = await this.store.connections.find(tenant.key);
    const settings = options.settings ?? this.settingsFor(tenant, existing);
    if (!settings) return undefined;
    await this.store.connections.beginChange(tenant.key, intent, 'pending', {
      identifier: connectionIdentifier(settings.integrationIdentifier, tenant.id),
      ...scopeOf(settings),
    });
    const payload: SyncPayload = { workspaceKey: tenant.key, reason, settings, requestedBy: options.requestedBy, intent };
    if (options.scopeOverride) payload.scopeOverride = true;
    return payload;
  }

  /** Queues a sync for the worker; one job per intent (retries and duplicates share it). `intent` defaults to the payload's. */
  async enqueueSync(payload: SyncPayload, intent = payload.intent ?? '') {
    return this.queue.enqueue(syncJob, payload, this.syncOptions(payload, intent));
  }

  /** Queues a sync and runs it while someone waits, up to `waitMs`; after that it carries on in the background. */
  syncNow(payload: SyncPayload, wait: { waitMs: number; inlineRetries: boolean }): Promise<JobOutcome<SyncResult>> {
    return this.queue.enqueueAndRun<SyncResult>(syncJob, payload, this.syncOptions(payload, payload.intent ?? ''), wait);
  }

  /** Records the intent and stores its write, for a person waiting: `run` writes it. Undefined when there is nothing to write. */
  async acceptSync(
    tenant: Tenant,
    reason: SyncReason,
    intent: string,
    options: { settings?: ConnectionSettings; requestedBy?: string; scopeOverride?: boolean } = {},
  ): Promise<Accepted<SyncResult> | undefined> {
    const payload = await this.begin(tenant, reason, intent, options);
    if (!payload) return undefined;
    return this.queue.accept<SyncResult>(syncJob, payload, this.syncOptions(payload, intent).dedupeKey);
  }

  /** Marks the connection as going away and stores its delete, for a person waiting. Undefined when there is no connection. */
  async acceptDelete(tenant: Tenant, intent: string, requestedBy: string): Promise<Accepted<DeleteResult> | undefined> {
    const payload = await this.beginDelete(tenant, 'disconnect', intent, requestedBy);
    if (!payload) return undefined;
    return this.queue.accept<DeleteResult>(deleteJob, payload, this.deleteOptions(payload, intent).dedupeKey);
  }

  /** Marks the connection as going away (a new intent) and returns its delete; the record goes when Novu confirms. */
  async beginDelete(tenant: Tenant, reason: 'disconnect' | 'uninstall', intent: string, requestedBy?: string): Promise<DeletePayload | undefined> {
    const existing = await this.store.connections.find(tenant.key);
    if (!existing) return undefined;
    const record = await this.store.connections.beginChange(tenant.key, intent, 'disconnecting', existing);
    return { workspaceKey: tenant.key, identifier: record.identifier, reason, requestedBy, intent };
  }

  async enqueueDelete(payload: DeletePayload, intent = payload.intent ?? '') {
    return this.queue.enqueue(deleteJob, payload, this.deleteOptions(payload, intent));
  }

  deleteNow(payload: DeletePayload, wait: { waitMs: number; inlineRetries: boolean }): Promise<JobOutcome<DeleteResult>> {
    return this.queue.enqueueAndRun<DeleteResult>(deleteJob, payload, this.deleteOptions(payload, payload.intent ?? ''), wait);
  }

  private syncOptions(payload: SyncPayload, intent: string) {
    return { dedupeKey: `${syncJob}:${payload.workspaceKey}:${intent}`, workspaceKey: payload.workspaceKey, requestedBy: payload.requestedBy };
  }

  private deleteOptions(payload: DeletePayload, intent: string) {
    return {
      dedupeKey: `${deleteJob}:${payload.workspaceKey}:${payload.identifier}:${intent}`,
      workspaceKey: payload.workspaceKey,
      requestedBy: payload.requestedBy,
    };
  }

  /** One connection write at a time per tenant, on every replica: a check and the write it allows are not split. */
  private withTenantLock<T>(workspaceKey: WorkspaceKey, work: () => Promise<T>): Promise<T> {
    return this.store.withLock(`novu-connection:${workspaceKey}`, work);
  }

  private async sync(payload: SyncPayload, context: JobRunContext): Promise<SyncResult> {
    const tenant = tenantOfKey(payload.workspaceKey);
    const record = await this.store.connections.find(tenant.key);
    const superseded: SyncResult = { identifier: record?.identifier ?? '', integrationIdentifier: record?.integrationIdentifier ?? '', action: 'superseded' };
    if (!record) return superseded;
    if (payload.intent === undefined) {
      // A rotation only refreshes the token of a connection Novu confirmed; a pending write reads the newest token itself.
      if (record.state !== 'connected') return superseded;
    } else if (record.intent !== payload.intent) {
      return superseded;
    }
    const stored = await this.store.installations.find(tenant.key);
    if (!stored) throw new TerminalJobError('Switchboard is no longer installed in this workspace');
    const settings = payload.settings ?? this.settingsFor(tenant, record);
    if (!settings) throw new TerminalJobError('No Novu integration is chosen: run /connect setup, or set NOVU_INTEGRATION_IDENTIFIER');
    const workspace = slackWorkspaceOf(stored.installation);
    const identifier = connectionIdentifier(settings.integrationIdentifier, tenant.id);
    const write = writeOptions(context);

    if (settings.mode === 'subscriber' && settings.subscriberId) await this.ensureSubscriber(tenant, settings.subscriberId, workspace, write);
    const result = await this.writeConnection({ tenant, identifier, settings, workspace, auth: this.authOf(stored.installation), record, write });
    if (!(await this.store.connections.recordSynced(tenant.key, payload.intent ?? record.intent, { identifier: result.identifier, ...scopeOf(settings) }))) {
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
    const connection = await this.store.connections.find(tenant.key);
    if (!connection) return undefined;
    const moving = await this.moves.outOfScope(tenant, connection);
    if (moving.count === 0) return undefined;
    await this.moves.enqueue({ workspaceKey: tenant.key, requestedBy }, `${moveJob}:${tenant.key}:${context.job.id}`);
    return moving;
  }

  /** PATCH when the recorded connection is ours and unchanged in scope; otherwise POST, adopting a 409 only when it is this tenant's. */
  private async writeConnection(input: {
    tenant: Tenant;
    identifier: string;
    settings: ConnectionSettings;
    workspace: SlackWorkspace;
    auth: ConnectionAuth;
    record: ConnectionRecord;
    write: WriteOptions;
  }): Promise<{ identifier: string; action: SyncResult['action'] }> {
    const { tenant, identifier, settings, workspace, auth, record, write } = input;
    const known = record.identifier === identifier && record.syncedAt !== null;
    if (known && sameScope(settingsOf(record), settings)) {
      try {
        await this.update(identifier, workspace, auth, write);
        return { identifier, action: 'updated' };
      } catch (error) {
        if (!isNovuNotFound(error)) throw asNovuJobError(error);
        // Deleted in Novu behind our back: make it again.
      }
    } else if (known) {
      await this.deleteIgnoringMissing(identifier, write);
    }
    const body: CreateConnectionBody = {
      identifier,
      integrationIdentifier: settings.integrationIdentifier,
      workspace,
      auth,
      connectionMode: settings.mode,
      ...(Object.keys(settings.context).length > 0 ? { context: settings.context } : {}),
      ...(settings.mode === 'subscriber' && settings.subscriberId ? { subscriberId: settings.subscriberId } : {}),
    };
    try {
      await writeOnce({
        operation: 'channel-connections.create',
        intent: write.intent,
        body,
        send: (key, retry) => this.novu.createConnection(body, { idempotencyKey: key, retry, deadlineMs: write.deadlineMs }),
        // A connection by our identifier in this tenant's workspace is the one an earlier send made.
        lookup: async () => {
          const found = await this.novu.findConnection(identifier);
          return found?.workspace?.id === tenant.id ? found : undefined;
        },
        lookupFirst: write.rerun,
        retry: write.retry,
        deadlineMs: write.deadlineMs,
      });
      return { identifier, action: known ? 'replaced' : 'created' };
    } catch (error) {
      const existing = existingConnectionIdentifier(error);
      if (!existing) throw asNovuJobError(error);
      await this.assertOwnConnection(tenant, existing);
      await this.update(existing, workspace, auth, write);
      return { identifier: existing, action: existing === identifier ? (known ? 'replaced' : 'created') : 'adopted' };
    }
  }

  /**
   * A 409 names a connection that already holds this scope. It is taken over only when it is this
   * tenant's: Novu says its workspace is this tenant, and no other tenant's record claims it.
   * Otherwise nothing is written.
   */
  /**
   * What Novu gets of the bot token. Slack refresh tokens are single-use, so only one side may
   * refresh: by default Switchboard does, and Novu gets each new access token (never the refresh
   * token). With NOVU_TOKEN_ROTATION=novu, Novu gets the refresh token and refreshes itself.
   */
  private authOf(installation: Installation): ConnectionAuth {
    const bot = installation.bot;
    if (!bot?.token) throw new TerminalJobError('The installation has no bot token');
    if (this.novuConfig.tokenRotation !== 'novu' || !bot.refreshToken) return { accessToken: bot.token };
    return {
      accessToken: bot.token,
      refreshToken: bot.refreshToken,
      ...(bot.expiresAt ? { expiresAt: new Date(bot.expiresAt * 1000).toISOString() } : {}),
    };
  }

  private async assertOwnConnection(tenant: Tenant, identifier: string): Promise<void> {
    const claimedElsewhere = (await this.store.connections.list()).some((other) => other.identifier === identifier && other.workspaceKey !== tenant.key);
    let workspaceId: string | undefined;
    try {
      workspaceId = (await this.novu.getConnection(identifier)).workspace?.id;
    } catch (error) {
      throw asNovuJobError(error);
    }
    if (claimedElsewhere || workspaceId !== tenant.id) {
      throw new TerminalJobError(
        `Novu already has a channel connection in this scope (${identifier}) that belongs to another Slack workspace, so Switchboard left it alone and wrote nothing. An operator can remove it in Novu, or choose another integration or context.`,
      );
    }
  }

  /**
   * In subscriber mode the connection belongs to a subscriber: recorded as the tenant's, so no other
   * workspace routes it, and made when Novu has none yet.
   */
  private async ensureSubscriber(tenant: Tenant, subscriberId: string, workspace: SlackWorkspace, write: WriteOptions): Promise<void> {
    // The connection's subscriber is the tenant's, made here or found (a retry, another replica, someone in Novu).
    if (!this.scope.sharedSubscriber) await this.store.tenantSubscribers.claim(subscriberId, tenant.key);
    try {
      if (await this.novu.findSubscriber(subscriberId)) return;
    } catch (error) {
      throw asNovuJobError(error);
    }
    const body = { subscriberId, ...(workspace.name ? { firstName: workspace.name } : {}), data: { slackWorkspace: workspace.id } };
    try {
      await writeOnce({
        operation: 'subscribers.create',
        intent: write.intent,
        body,
        send: (key, retry) => this.novu.createSubscriber(body, { idempotencyKey: key, retry, deadlineMs: write.deadlineMs }),
        lookup: () => this.novu.findSubscriber(subscriberId),
        retry: write.retry,
        deadlineMs: write.deadlineMs,
      });
    } catch (error) {
      // Made in the meantime (another replica, or someone in Novu): that is what we wanted.
      if (!(error instanceof BackendError && error.status === 409)) throw asNovuJobError(error);
    }
  }

  /** A full replace of workspace and auth: sending it again is harmless, so a lost answer is resent with a new key. */
  private async update(identifier: string, workspace: SlackWorkspace, auth: ConnectionAuth, write: WriteOptions) {
    const body = { workspace, auth };
    await writeOnce({
      operation: 'channel-connections.update',
      intent: `${write.intent}.${identifier}`,
      body,
      send: (key, retry) => this.novu.updateConnection(identifier, body, { idempotencyKey: key, retry, deadlineMs: write.deadlineMs }),
      retry: write.retry,
      deadlineMs: write.deadlineMs,
    });
  }

  private async deleteIgnoringMissing(identifier: string, write: Pick<WriteOptions, 'retry' | 'deadlineMs'>): Promise<boolean> {
    try {
      await this.novu.deleteConnection(identifier, write);
      return true;
    } catch (error) {
      if (isNovuNotFound(error)) return deletedByEarlierAttempt(error);
      throw asNovuJobError(error);
    }
  }

  private async remove(payload: DeletePayload, context: JobRunContext): Promise<DeleteResult> {
    const record = await this.store.connections.find(payload.workspaceKey);
    const stale =
      payload.reason === 'replaced'
        ? record?.identifier === payload.identifier
        : record !== undefined && payload.intent !== undefined && record.intent !== payload.intent;
    if (stale) return { identifier: payload.identifier, alreadyGone: false, superseded: true };
    const deleted = await this.deleteIgnoringMissing(payload.identifier, { retry: context.retry, deadlineMs: context.deadlineMs });
    if (payload.reason !== 'replaced' && payload.intent !== undefined) await this.store.connections.removeAt(payload.workspaceKey, payload.intent);
    return { identifier: payload.identifier, alreadyGone: !deleted };
  }

  private async afterSync({ job, outcome, deliveredInline, audit, tell }: JobFinish<SyncResult>): Promise<void> {
    const payload = job.payload as SyncPayload;
    if (outcome.status === 'done' && outcome.result.action === 'superseded') return;
    if (outcome.status === 'failed') await this.store.connections.markState(payload.workspaceKey, 'failed', outcome.error, payload.intent);
    await audit({
      action: `connection.${payload.reason === 'rotation' ? 'rotate' : payload.reason}`,
      outcome: outcome.status === 'done' ? 'ok' : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: slackIdOf(payload.workspaceKey),
      backend: 'novu',
      backendId: outcome.status === 'done' ? outcome.result.identifier : undefined,
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail: {
        attempts: job.attempts,
        ...(outcome.status === 'done'
          ? { action: outcome.result.action, integration: outcome.result.integrationIdentifier, moving: outcome.result.moving?.count }
          : {}),
        ...(payload.scopeOverride ? { scopeOverride: true, context: payload.settings?.context, subscriberId: payload.settings?.subscriberId } : {}),
      },
    });
    const requestedBy = payload.requestedBy;
    if (!deliveredInline && requestedBy) {
      await tell(payload.workspaceKey, requestedBy, this.notes.synced(outcome, job.attempts));
    }
  }

  private async afterDelete({ job, outcome, deliveredInline, audit, tell }: JobFinish<DeleteResult>): Promise<void> {
    const payload = job.payload as DeletePayload;
    if (outcome.status === 'done' && outcome.result.superseded) return;
    if (outcome.status === 'failed' && payload.intent !== undefined) {
      // The connection may still be in Novu: keep the record, so the delete can be tried again.
      await this.store.connections.markState(payload.workspaceKey, 'failed', `The delete failed: ${outcome.error}`, payload.intent);
    }
    await audit({
      action: 'connection.delete',
      outcome: outcome.status === 'done' ? (outcome.result.alreadyGone ? 'not-found' : 'ok') : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: slackIdOf(payload.workspaceKey),
      backend: 'novu',
      backendId: payload.identifier,
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail: { reason: payload.reason, attempts: job.attempts },
    });
    const requestedBy = payload.requestedBy;
    if (!deliveredInline && requestedBy && payload.reason === 'disconnect') {
      await tell(payload.workspaceKey, requestedBy, this.notes.deleted(outcome));
    }
  }
}

export function slackWorkspaceOf(installation: Installation): SlackWorkspace {
  const owner = installation.isEnterpriseInstall ? installation.enterprise : installation.team;
  if (!owner?.id) throw new TerminalJobError('The installation has no team or enterprise');
  return owner.name ? { id: owner.id, name: owner.name } : { id: owner.id };
}
