import type { Installation } from '@slack/bolt';
import type { NovuClient } from '../../backends/novu/client.js';
import { deletedByEarlierAttempt, existingConnectionIdentifier, isNovuNotFound } from '../../backends/novu/explain.js';
import type { ConnectionAuth, CreateConnectionBody } from '../../backends/novu/schemas.js';
import { writeOnce } from '../../backends/novu/write-once.js';
import type { NovuConfig } from '../../config/load.js';
import { BackendError } from '../../http/errors.js';
import type { JobRunContext } from '../../jobs/queue.js';
import { TerminalJobError } from '../../jobs/queue.js';
import type { ConnectionRecord, Store } from '../../store/types.js';
import type { NovuScope } from '../../tenancy/novu-scope.js';
import type { Tenant } from '../../tenancy/tenant.js';
import { asNovuJobError } from '../novu-failures.js';
import { type ConnectionSettings, connectionIdentifier, type SlackWorkspace, sameScope, settingsOf } from './settings.js';

/** How this run of a job writes: its retry mode and deadline, and its own keys (`<job id>.<attempt>`). */
export interface WriteOptions {
  retry: JobRunContext['retry'];
  deadlineMs?: number;
  intent: string;
  /** A later run of the job: an earlier one may have written and lost the answer. */
  rerun: boolean;
}

function slackWorkspaceOf(installation: Installation): SlackWorkspace {
  const owner = installation.isEnterpriseInstall ? installation.enterprise : installation.team;
  if (!owner?.id) throw new TerminalJobError('The installation has no team or enterprise');
  return owner.name ? { id: owner.id, name: owner.name } : { id: owner.id };
}

function throwAsJobError(error: unknown): never {
  throw asNovuJobError(error);
}

/** What a write did to the tenant's connection in Novu. */
export type WriteAction = 'created' | 'updated' | 'adopted' | 'replaced';

/** The writes to Novu behind a connection job: one connection per tenant, never another tenant's, its subscriber made when missing. */
export class ConnectionWriter {
  constructor(
    private readonly novu: NovuClient,
    private readonly store: Store,
    private readonly novuConfig: NovuConfig,
    private readonly scope: NovuScope,
  ) {}

  /**
   * PATCH when the recorded connection is ours and unchanged in scope; otherwise POST, adopting a
   * 409 only when it is this tenant's. In subscriber mode, the subscriber is made first.
   */
  async write(
    tenant: Tenant,
    settings: ConnectionSettings,
    installation: Installation,
    record: ConnectionRecord,
    context: JobRunContext,
  ): Promise<{ identifier: string; action: WriteAction }> {
    const identifier = connectionIdentifier(settings.integrationIdentifier, tenant.id);
    const workspace = slackWorkspaceOf(installation);
    const write: WriteOptions = { retry: context.retry, deadlineMs: context.deadlineMs, intent: context.runId, rerun: context.attempt > 1 };
    if (settings.mode === 'subscriber' && settings.subscriberId) await this.ensureSubscriber(tenant, settings.subscriberId, workspace, write);
    const auth = this.authOf(installation);
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

  /**
   * A 409 names a connection that already holds this scope. It is taken over only when it is this
   * tenant's: Novu says its workspace is this tenant, and no other tenant's record claims it.
   * Otherwise nothing is written.
   */
  private async assertOwnConnection(tenant: Tenant, identifier: string): Promise<void> {
    const claimedElsewhere = (await this.store.connections.list()).some((other) => other.identifier === identifier && other.workspaceKey !== tenant.key);
    const workspaceId = (await this.novu.getConnection(identifier).catch(throwAsJobError)).workspace?.id;
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
    if (await this.novu.findSubscriber(subscriberId).catch(throwAsJobError)) return;
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
  async update(identifier: string, workspace: SlackWorkspace, auth: ConnectionAuth, write: WriteOptions) {
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

  async deleteIgnoringMissing(identifier: string, write: Pick<WriteOptions, 'retry' | 'deadlineMs'>): Promise<boolean> {
    try {
      await this.novu.deleteConnection(identifier, write);
      return true;
    } catch (error) {
      if (isNovuNotFound(error)) return deletedByEarlierAttempt(error);
      throw asNovuJobError(error);
    }
  }
}
