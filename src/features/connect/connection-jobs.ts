import type { Installation } from '@slack/bolt';
import type { Services } from '../../app/services.js';
import type { NovuClient } from '../../backends/novu/client.js';
import { existingConnectionIdentifier, isNovuNotFound } from '../../backends/novu/explain.js';
import { idempotencyKey } from '../../backends/novu/idempotency.js';
import type { ConnectionAuth, CreateConnectionBody } from '../../backends/novu/schemas.js';
import type { NovuConfig } from '../../config/load.js';
import type { JobFinish, JobOutcome, JobQueue, JobRunContext } from '../../jobs/queue.js';
import { TerminalJobError } from '../../jobs/queue.js';
import type { ConnectionRecord, Store, WorkspaceKey } from '../../store/types.js';
import { slackIdOf } from '../../store/workspace-key.js';
import { asNovuJobError, describeNovuFailure } from '../novu-failures.js';
import { connectionDeletedMessage, connectionSyncedMessage } from './messages.js';
import { type ConnectionSettings, connectionIdentifier, defaultSettings, type SlackWorkspace, sameScope, settingsOf } from './settings.js';

export type SyncReason = 'install' | 'rotation' | 'setup';
export type DeleteReason = 'uninstall' | 'disconnect' | 'replaced';

export interface SyncPayload {
  workspaceKey: WorkspaceKey;
  reason: SyncReason;
  /** Set by /connect setup; otherwise the stored settings, or the configured defaults. */
  settings?: ConnectionSettings;
  requestedBy?: string;
}

export interface SyncResult {
  identifier: string;
  integrationIdentifier: string;
  action: 'created' | 'updated' | 'adopted' | 'replaced';
}

export interface DeletePayload {
  workspaceKey: WorkspaceKey;
  identifier: string;
  reason: DeleteReason;
  requestedBy?: string;
}

export interface DeleteResult {
  identifier: string;
  alreadyGone: boolean;
}

export const syncJob = 'novu.connection.sync';
export const deleteJob = 'novu.connection.delete';

/**
 * The two writes behind a workspace's Novu connection, run through the durable queue: create or
 * update (install, reinstall, rotated token, setup) and delete (uninstall, disconnect). Tokens are
 * read from the store when the job runs and never kept in a job's payload.
 */
export class ConnectionJobs {
  constructor(
    private readonly services: Services,
    private readonly novu: NovuClient,
    private readonly novuConfig: NovuConfig,
  ) {
    services.queue.define<SyncPayload, SyncResult>({
      kind: syncJob,
      run: (payload, context) => this.sync(payload, context),
      onFinished: (finish) => this.afterSync(finish),
      describeError: describeNovuFailure,
    });
    services.queue.define<DeletePayload, DeleteResult>({
      kind: deleteJob,
      run: (payload, context) => this.remove(payload, context),
      onFinished: (finish) => this.afterDelete(finish),
      describeError: describeNovuFailure,
    });
  }

  private get queue(): JobQueue {
    return this.services.queue;
  }

  private get store(): Store {
    return this.services.store;
  }

  /** Queues a sync for the worker; `intent` makes it one job per user intent (retries and duplicates share it). */
  async enqueueSync(payload: SyncPayload, intent: string) {
    return this.queue.enqueue(syncJob, payload, this.syncOptions(payload, intent));
  }

  /** Queues a sync and runs it while someone waits, up to `waitMs`; after that it carries on in the background. */
  syncNow(payload: SyncPayload, intent: string, wait: { waitMs: number; inlineRetries: boolean }): Promise<JobOutcome<SyncResult>> {
    return this.queue.enqueueAndRun<SyncResult>(syncJob, payload, this.syncOptions(payload, intent), wait);
  }

  async enqueueDelete(payload: DeletePayload, intent: string) {
    return this.queue.enqueue(deleteJob, payload, this.deleteOptions(payload, intent));
  }

  deleteNow(payload: DeletePayload, intent: string, wait: { waitMs: number; inlineRetries: boolean }): Promise<JobOutcome<DeleteResult>> {
    return this.queue.enqueueAndRun<DeleteResult>(deleteJob, payload, this.deleteOptions(payload, intent), wait);
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

  private async sync(payload: SyncPayload, context: JobRunContext): Promise<SyncResult> {
    const stored = await this.store.installations.find(payload.workspaceKey);
    if (!stored) throw new TerminalJobError('Switchboard is no longer installed in this workspace');
    const workspace = slackWorkspaceOf(stored.installation);
    const existing = await this.store.connections.find(payload.workspaceKey);
    const settings = payload.settings ?? (existing ? settingsOf(existing) : defaultSettings(this.novuConfig, workspace));
    if (!settings) throw new TerminalJobError('No Novu integration is chosen: run /connect setup, or set NOVU_INTEGRATION_IDENTIFIER');
    const identifier = connectionIdentifier(settings.integrationIdentifier, workspace.id);
    const auth = authOf(stored.installation);
    const write = { retry: context.retry, deadlineMs: context.deadlineMs };

    const result = await this.writeConnection({ identifier, settings, workspace, auth, existing, jobId: context.job.id, write });
    await this.store.connections.save({
      workspaceKey: payload.workspaceKey,
      identifier: result.identifier,
      integrationIdentifier: settings.integrationIdentifier,
      mode: settings.mode,
      context: Object.keys(settings.context).length > 0 ? settings.context : null,
      subscriberId: settings.subscriberId ?? null,
      state: 'connected',
      lastError: null,
      syncedAt: Date.now(),
    });
    if (existing && existing.identifier !== result.identifier) {
      await this.enqueueDelete({ workspaceKey: payload.workspaceKey, identifier: existing.identifier, reason: 'replaced' }, `replaced-by:${context.job.id}`);
    }
    return { identifier: result.identifier, integrationIdentifier: settings.integrationIdentifier, action: result.action };
  }

  /** PATCH when we know the connection is ours and unchanged in scope; otherwise POST, adopting a 409. */
  private async writeConnection(input: {
    identifier: string;
    settings: ConnectionSettings;
    workspace: SlackWorkspace;
    auth: ConnectionAuth;
    existing: ConnectionRecord | undefined;
    jobId: string;
    write: { retry: JobRunContext['retry']; deadlineMs?: number };
  }): Promise<{ identifier: string; action: SyncResult['action'] }> {
    const { identifier, settings, workspace, auth, existing, jobId, write } = input;
    const known = existing?.identifier === identifier && existing.state === 'connected';
    if (known && sameScope(settingsOf(existing), settings)) {
      try {
        await this.update(identifier, workspace, auth, jobId, write);
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
      await this.novu.createConnection(body, { ...write, idempotencyKey: idempotencyKey('channel-connections.create', jobId, body) });
      return { identifier, action: known ? 'replaced' : 'created' };
    } catch (error) {
      const adopt = existingConnectionIdentifier(error);
      if (!adopt) throw asNovuJobError(error);
      await this.update(adopt, workspace, auth, jobId, write);
      return { identifier: adopt, action: 'adopted' };
    }
  }

  private async update(
    identifier: string,
    workspace: SlackWorkspace,
    auth: ConnectionAuth,
    jobId: string,
    write: { retry: JobRunContext['retry']; deadlineMs?: number },
  ) {
    const body = { workspace, auth };
    await this.novu.updateConnection(identifier, body, {
      ...write,
      idempotencyKey: idempotencyKey('channel-connections.update', `${jobId}:${identifier}`, body),
    });
  }

  private async deleteIgnoringMissing(identifier: string, write: { retry: JobRunContext['retry']; deadlineMs?: number }): Promise<boolean> {
    try {
      await this.novu.deleteConnection(identifier, write);
      return true;
    } catch (error) {
      if (isNovuNotFound(error)) return false;
      throw asNovuJobError(error);
    }
  }

  private async remove(payload: DeletePayload, context: JobRunContext): Promise<DeleteResult> {
    const deleted = await this.deleteIgnoringMissing(payload.identifier, { retry: context.retry, deadlineMs: context.deadlineMs });
    return { identifier: payload.identifier, alreadyGone: !deleted };
  }

  private async afterSync({ job, outcome, deliveredInline }: JobFinish<SyncResult>): Promise<void> {
    const payload = job.payload as SyncPayload;
    if (outcome.status === 'failed') await this.store.connections.markState(payload.workspaceKey, 'failed', outcome.error);
    await this.services.audit.record({
      action: payload.reason === 'setup' ? 'connection.setup' : payload.reason === 'rotation' ? 'connection.rotate' : 'connection.install',
      outcome: outcome.status === 'done' ? 'ok' : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: slackIdOf(payload.workspaceKey),
      backend: 'novu',
      backendId: outcome.status === 'done' ? outcome.result.identifier : undefined,
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail:
        outcome.status === 'done'
          ? { action: outcome.result.action, integration: outcome.result.integrationIdentifier, attempts: job.attempts }
          : { attempts: job.attempts },
    });
    if (!deliveredInline && payload.requestedBy) {
      await this.services.bots.sendDirectMessage(payload.workspaceKey, payload.requestedBy, connectionSyncedMessage(outcome, job.attempts));
    }
  }

  private async afterDelete({ job, outcome, deliveredInline }: JobFinish<DeleteResult>): Promise<void> {
    const payload = job.payload as DeletePayload;
    await this.services.audit.record({
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
    if (!deliveredInline && payload.requestedBy && payload.reason === 'disconnect') {
      await this.services.bots.sendDirectMessage(payload.workspaceKey, payload.requestedBy, connectionDeletedMessage(outcome));
    }
  }
}

export function slackWorkspaceOf(installation: Installation): SlackWorkspace {
  const owner = installation.isEnterpriseInstall ? installation.enterprise : installation.team;
  if (!owner?.id) throw new TerminalJobError('The installation has no team or enterprise');
  return owner.name ? { id: owner.id, name: owner.name } : { id: owner.id };
}

function authOf(installation: Installation): ConnectionAuth {
  const bot = installation.bot;
  if (!bot?.token) throw new TerminalJobError('The installation has no bot token');
  return {
    accessToken: bot.token,
    ...(bot.refreshToken ? { refreshToken: bot.refreshToken } : {}),
    ...(bot.expiresAt ? { expiresAt: new Date(bot.expiresAt * 1000).toISOString() } : {}),
  };
}
