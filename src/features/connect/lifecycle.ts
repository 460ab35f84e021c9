import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, Installation, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { Services } from '../../app/services.js';
import type { NovuConfig } from '../../config/load.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { NovuConnectionState } from '../../slack/oauth/pages.js';
import type { WorkspaceKey } from '../../store/types.js';
import { enterpriseKey, teamKey, workspaceKeyOf } from '../../store/workspace-key.js';
import { sha256 } from '../../util/ids.js';
import { type ConnectionJobs, slackWorkspaceOf } from './connection-jobs.js';
import { defaultSettings } from './settings.js';

/** How long the install page waits for Novu before it says "being completed in the background". */
const installWaitMs = 4_000;

/**
 * The install, token rotation and uninstall side of a workspace's Novu connection: install writes
 * it (inline if Novu answers quickly, else in the background), rotation updates it, uninstall
 * deletes it. Every write goes through the durable queue.
 */
export class ConnectionLifecycle {
  constructor(
    private readonly services: Services,
    private readonly jobs: ConnectionJobs | undefined,
    private readonly novu: NovuConfig | null,
  ) {
    services.installations.onSaved(async ({ stored, reason }) => {
      if (reason === 'rotation') await this.afterRotation(stored.workspaceKey, stored.installation);
    });
  }

  /** Runs after Bolt stored the installation; its answer goes on the success page. */
  async afterInstall(installation: Installation): Promise<NovuConnectionState> {
    if (!this.jobs || !this.novu) return { state: 'not-configured', missing: 'NOVU_SECRET_KEY is not set, so Novu is switched off' };
    const workspaceKey = workspaceKeyOf(installation);
    const existing = await this.services.store.connections.find(workspaceKey);
    if (!existing && !defaultSettings(this.novu, slackWorkspaceOf(installation))) {
      return { state: 'not-configured', missing: 'NOVU_INTEGRATION_IDENTIFIER is not set, so no integration is chosen yet' };
    }
    // One quick attempt: a slow or failing Novu must not hold the person's browser.
    const outcome = await this.jobs.syncNow({ workspaceKey, reason: 'install', requestedBy: installation.user.id }, `install:${randomUUID()}`, {
      waitMs: Math.min(installWaitMs, this.services.config.tuning.inlineWaitMs),
      inlineRetries: false,
    });
    switch (outcome.status) {
      case 'done':
        return { state: 'connected', identifier: outcome.result.identifier, integration: outcome.result.integrationIdentifier };
      case 'failed':
        return { state: 'failed', reason: outcome.error };
      case 'queued':
        return { state: 'pending', reason: outcome.lastError };
    }
  }

  private async afterRotation(workspaceKey: WorkspaceKey, installation: Installation): Promise<void> {
    if (!this.jobs || !(await this.services.store.connections.find(workspaceKey))) return;
    const token = installation.bot?.token ?? '';
    const fingerprint = sha256(token).slice(0, 16);
    await this.jobs.enqueueSync({ workspaceKey, reason: 'rotation' }, `rotation:${fingerprint}`);
  }

  /**
   * `app_uninstalled` and `tokens_revoked` may both arrive, in either order, and be redelivered:
   * the first one removes the installation and queues one delete of the Novu connection; the
   * rest find nothing left to do.
   */
  register(app: SlackListeners): void {
    app.event('app_uninstalled', async ({ context }) => {
      await this.uninstall(workspaceKeyOfEvent(context), 'app_uninstalled');
    });
    app.event('tokens_revoked', async ({ event, context }: SlackEventMiddlewareArgs<'tokens_revoked'> & AllMiddlewareArgs) => {
      if ((event.tokens.bot ?? []).length === 0) return;
      await this.uninstall(workspaceKeyOfEvent(context), 'tokens_revoked');
    });
  }

  private async uninstall(workspaceKey: WorkspaceKey | undefined, cause: string): Promise<void> {
    if (!workspaceKey) return;
    const { installations, store, audit, logger } = this.services;
    const removedInstallation = await installations.delete(workspaceKey);
    const connection = await store.connections.delete(workspaceKey);
    if (!removedInstallation && !connection) return;
    logger.info({ workspaceKey, cause }, 'Switchboard was uninstalled from a workspace');
    await audit.record({ action: 'workspace.uninstall', outcome: 'ok', workspaceKey, target: workspaceKey, detail: { cause } });
    if (!connection || !this.jobs) return;
    if (this.novu?.keepConnectionOnUninstall) {
      await audit.record({ action: 'connection.keep', outcome: 'ok', workspaceKey, backend: 'novu', backendId: connection.identifier, detail: { cause } });
      return;
    }
    await this.jobs.enqueueDelete({ workspaceKey, identifier: connection.identifier, reason: 'uninstall' }, `uninstall:${connection.createdAt}`);
  }
}

function workspaceKeyOfEvent(context: AllMiddlewareArgs['context']): WorkspaceKey | undefined {
  if (context.isEnterpriseInstall && context.enterpriseId) return enterpriseKey(context.enterpriseId);
  return context.teamId ? teamKey(context.teamId) : undefined;
}
