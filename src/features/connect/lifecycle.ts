import { randomUUID } from 'node:crypto';
import type { Installation } from '@slack/bolt';
import type { NovuConfig } from '../../config/load.js';
import type { Accepted } from '../../jobs/queue.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { NovuConnectionState } from '../../slack/oauth/pages.js';
import { type Tenant, tenantOfInstallation } from '../../tenancy/tenant.js';
import { sha256 } from '../../util/ids.js';
import type { ConnectionDeps } from '../deps.js';
import { failureParts } from '../failure-text.js';
import type { ConnectionJobs, SyncReason, SyncResult } from './connection-jobs.js';
import { EndedInstallations } from './ended-installations.js';

/** How long the install page waits for Novu before it says "being completed in the background". */
const installWaitMs = 4_000;

/** Told when a tenant uninstalled Switchboard; `keepConnection` when its Novu connection stays (and what is bound to it). */
export type UninstallListener = (tenant: Tenant, intent: string, keepConnection: boolean) => Promise<void>;

/**
 * The install, token rotation and uninstall side of a tenant's Novu connection: an approved
 * install writes it (inline if Novu answers quickly, else in the background), rotation updates it,
 * uninstall deletes it. Every write goes through the durable queue.
 */
export class ConnectionLifecycle {
  private readonly ended: EndedInstallations;
  private readonly uninstallListeners: UninstallListener[] = [];

  constructor(
    private readonly services: ConnectionDeps,
    private readonly jobs: ConnectionJobs | undefined,
    private readonly novu: NovuConfig | null,
  ) {
    this.ended = new EndedInstallations(services, services.logger.child({ component: 'uninstall' }));
    services.installations.onSaved(async ({ stored, reason }) => {
      if (reason === 'rotation') await this.afterRotation(tenantOfInstallation(stored.installation), stored.installation);
    });
  }

  onUninstall(listener: UninstallListener): void {
    this.uninstallListeners.push(listener);
  }

  /** Writes the connection of a tenant that may use Switchboard (installed and approved); its answer goes on the page or in the DM. */
  async connect(installation: Installation, reason: Extract<SyncReason, 'install' | 'approval'>): Promise<NovuConnectionState> {
    const accepted = await this.acceptConnect(installation, reason);
    return 'state' in accepted ? accepted : this.runConnect(accepted);
  }

  /** Stores the connection's write (`runConnect` then writes it); the state to tell when there is nothing to write. */
  async acceptConnect(installation: Installation, reason: Extract<SyncReason, 'install' | 'approval'>): Promise<Accepted<SyncResult> | NovuConnectionState> {
    if (!this.jobs || !this.novu) return { state: 'not-configured', missing: 'NOVU_SECRET_KEY is not set, so Novu is switched off' };
    const tenant = tenantOfInstallation(installation);
    const accepted = await this.jobs.acceptSync(tenant, reason, `${reason}:${randomUUID()}`, { requestedBy: installation.user.id });
    return accepted ?? { state: 'not-configured', missing: 'NOVU_INTEGRATION_IDENTIFIER is not set, so no integration is chosen yet' };
  }

  /** One quick attempt: a slow or failing Novu must not hold the person's browser; the write carries on in the background. */
  async runConnect(accepted: Accepted<SyncResult>): Promise<NovuConnectionState> {
    const outcome = await accepted.run({ waitMs: Math.min(installWaitMs, this.services.config.tuning.inlineWaitMs), inlineRetries: false });
    if (outcome.status === 'done') return { state: 'connected', identifier: outcome.result.identifier, integration: outcome.result.integrationIdentifier };
    if (outcome.status === 'failed') return { state: 'failed', reason: failureParts(outcome.error).text, details: failureParts(outcome.error).details };
    const last = outcome.lastError === undefined ? undefined : failureParts(outcome.lastError);
    return { state: 'pending', reason: last?.text, details: last?.details };
  }

  private async afterRotation(tenant: Tenant, installation: Installation): Promise<void> {
    if (!this.jobs || !(await this.services.store.connections.find(tenant.key))) return;
    const fingerprint = sha256(installation.bot?.token ?? '').slice(0, 16);
    await this.jobs.enqueueSync({ workspaceKey: tenant.key, reason: 'rotation' }, `rotation:${fingerprint}`);
  }

  /**
   * `app_uninstalled` and `tokens_revoked` may both arrive, in either order, and be redelivered:
   * the first one removes the installation and queues one delete of the Novu connection; the
   * rest find nothing left to do.
   */
  register(app: SlackListeners): void {
    app.event('app_uninstalled', async ({ body }) => {
      for (const tenant of await this.ended.of(body)) await this.uninstall(tenant, 'app_uninstalled');
    });
    app.event('tokens_revoked', async ({ event, body }) => {
      if ((event.tokens.bot ?? []).length === 0) return;
      for (const tenant of await this.ended.of(body)) await this.uninstall(tenant, 'tokens_revoked');
    });
  }

  private async uninstall(tenant: Tenant, cause: string): Promise<void> {
    const { installations, store, audit, logger } = this.services;
    const removedInstallation = await installations.delete(tenant.key);
    const connection = await store.connections.find(tenant.key);
    const connectionLeft = connection !== undefined && connection.state !== 'disconnecting';
    if (!removedInstallation && !connectionLeft) return;
    logger.info({ workspaceKey: tenant.key, cause }, 'Switchboard was uninstalled from a workspace');
    await audit.record({ action: 'workspace.uninstall', outcome: 'ok', workspaceKey: tenant.key, target: tenant.id, detail: { cause } });
    const intent = `uninstall:${randomUUID()}`;
    const keepConnection = Boolean(this.novu?.keepConnectionOnUninstall);
    for (const listener of this.uninstallListeners) await listener(tenant, intent, keepConnection);
    if (!connectionLeft || !this.jobs) return;
    if (keepConnection) {
      await store.connections.delete(tenant.key);
      await audit.record({
        action: 'connection.keep',
        outcome: 'ok',
        workspaceKey: tenant.key,
        backend: 'novu',
        backendId: connection.identifier,
        detail: { cause },
      });
      return;
    }
    const payload = await this.jobs.beginDelete(tenant, 'uninstall', intent);
    if (payload) await this.jobs.enqueueDelete(payload);
  }
}
