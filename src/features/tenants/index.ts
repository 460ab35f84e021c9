import type { Installation } from '@slack/bolt';
import { parseAuditChannel } from '../../audit/audit-trail.js';
import type { Accepted } from '../../jobs/queue.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners } from '../../slack/listener-table.js';
import type { InstallHooks } from '../../slack/oauth/callbacks.js';
import type { InstallOutcome, NovuConnectionState } from '../../slack/oauth/pages.js';
import { notStoredBesideClick } from '../../slack/replies.js';
import type { TenantRecord, WorkspaceKey } from '../../store/types.js';
import { decideInstall } from '../../tenancy/install-policy.js';
import { tenantName, tenantOfInstallation } from '../../tenancy/tenant.js';
import type { SyncResult } from '../connect/connection-jobs.js';
import type { ConnectionLifecycle } from '../connect/lifecycle.js';
import type { TenantDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { messageOperators } from '../operators.js';
import { approvalRequestMessage, decisionMessage, installerDecisionMessage } from './messages.js';

/**
 * Who may install Switchboard, and the operators' answer to a new workspace. The install policy
 * runs before Bolt stores anything; a workspace that waits for approval is stored but can do
 * nothing, and nothing of it reaches Novu, until an operator clicks Approve.
 */
export class TenantApprovals implements Feature, InstallHooks {
  constructor(
    private readonly services: TenantDeps,
    private readonly connect: ConnectionLifecycle,
  ) {}

  register(app: SlackListeners, _router: CommandRouter): void {
    app.action(/^tenants\.approve(:\d+)?$/, { may: 'tenants.decide' }, (args: ButtonArgs) => this.decideFromButton(args, 'approved'));
    app.action(/^tenants\.deny(:\d+)?$/, { may: 'tenants.decide' }, (args: ButtonArgs) => this.decideFromButton(args, 'denied'));
  }

  async beforeStore(installation: Installation): Promise<'store' | 'refuse'> {
    const { config, permissions, tenants, audit } = this.services;
    const tenant = tenantOfInstallation(installation);
    const installer = { userId: installation.user.id, isOperator: permissions.isOperator(installation.user.id) };
    const decision = decideInstall(config.install, installer, tenant, installation.enterprise?.id);
    if (decision.status === 'refused') {
      await this.handBackToken(installation);
      await audit.record({
        action: 'tenant.install',
        outcome: 'refused',
        workspaceKey: tenant.key,
        userId: installer.userId,
        target: tenant.id,
        error: 'not on INSTALL_ALLOWLIST',
      });
      return 'refuse';
    }
    await tenants.recordInstall({
      workspaceKey: tenant.key,
      kind: tenant.kind,
      slackId: tenant.id,
      name: tenantName(installation) ?? null,
      installedBy: installer.userId,
      status: decision.status,
      decidedBy: decision.status === 'approved' ? decision.by : undefined,
    });
    return 'store';
  }

  async afterInstall(installation: Installation): Promise<InstallOutcome> {
    const { store, audit, config } = this.services;
    const tenant = tenantOfInstallation(installation);
    const record = await store.tenants.find(tenant.key);
    const approved = record?.status === 'approved';
    await audit.record({
      action: 'tenant.install',
      outcome: approved ? 'ok' : 'queued',
      workspaceKey: tenant.key,
      userId: installation.user.id,
      target: tenant.id,
      detail: approved ? { approvedBy: record.decidedBy } : { waitingFor: 'approval' },
    });
    if (approved) return { tenant: 'approved', novu: await this.connect.connect(installation, 'install') };
    if (record) await this.askOperators(record);
    return { tenant: 'pending', installerId: installation.user.id, operatorsConfigured: config.operators.length > 0 };
  }

  /**
   * Operators hear of a new workspace in the audit channel (when it names its workspace) and by
   * direct message, sent through a workspace an operator installed; the Home tab lists it too.
   */
  private async askOperators(record: TenantRecord): Promise<void> {
    const { config, bots } = this.services;
    const message = approvalRequestMessage(record);
    const channel = parseAuditChannel(config.audit.channel);
    if (channel?.workspaceKey) await bots.postToChannel(channel.workspaceKey, channel.channelId, message);
    await messageOperators(this.services, message);
  }

  private async decideFromButton(args: ButtonArgs, status: 'approved' | 'denied'): Promise<void> {
    const { action, body, client, actor, respond } = args;
    // The decision, and an approval's connection write, are stored before anyone is told.
    const stored = await this.services.queue.storedThenTold(() => this.storeDecision(action.value ?? '', status, actor.userId), {
      notStored: notStoredBesideClick(this.services.bots, args),
    });
    if (!stored) return;
    const decided = 'current' in stored ? stored.current : await this.carryOut(stored);
    if (body.view?.type === 'home') await this.services.events.emit('homeChanged', actor, client);
    else await respond({ replace_original: true, ...decisionMessage(decided) }).catch(() => {});
  }

  /** Single-use: a second click (or another operator) finds the tenant decided already (`current`) and changes nothing. */
  private async storeDecision(workspaceKey: WorkspaceKey, status: 'approved' | 'denied', operatorId: string): Promise<StoredDecision> {
    const { tenants, store, audit } = this.services;
    const decided = await tenants.decide(workspaceKey, status, operatorId);
    if (!decided) {
      const current = await store.tenants.find(workspaceKey);
      if (!current) throw new Error(`No tenant ${workspaceKey}`);
      return { current };
    }
    await audit.record({
      action: status === 'approved' ? 'tenant.approve' : 'tenant.deny',
      outcome: 'ok',
      workspaceKey,
      userId: operatorId,
      target: decided.slackId,
    });
    const installation = (await store.installations.find(workspaceKey))?.installation;
    const connecting = status === 'approved' && installation ? await this.connect.acceptConnect(installation, 'approval') : undefined;
    return { decided, status, installation, connecting };
  }

  /** What a stored decision does: an approval writes the connection; the installer hears of it; a denied install is handed back. */
  private async carryOut({ decided, status, installation, connecting }: Exclude<StoredDecision, { current: TenantRecord }>): Promise<TenantRecord> {
    const workspaceKey = decided.workspaceKey;
    const novu = connecting && !('state' in connecting) ? await this.connect.runConnect(connecting) : connecting;
    if (decided.installedBy) await this.services.bots.sendDirectMessage(workspaceKey, decided.installedBy, installerDecisionMessage(decided, novuLine(novu)));
    if (status === 'denied' && installation) {
      await this.handBackToken(installation);
      await this.services.installations.delete(workspaceKey);
    }
    return decided;
  }

  /** Undoes an install Switchboard will not keep: Slack removes the app from the workspace. */
  private async handBackToken(installation: Installation): Promise<void> {
    const token = installation.bot?.token;
    if (!token) return;
    const { config, bots, logger } = this.services;
    try {
      await bots.forToken(token).apps.uninstall({ client_id: config.slack.clientId, client_secret: config.slack.clientSecret });
    } catch (error) {
      logger.warn({ err: error }, 'could not uninstall Switchboard from a workspace it refused');
    }
  }
}

/** A decision as stored: the tenant as another click left it, or this one's decision with an approval's connection write. */
type StoredDecision =
  | { current: TenantRecord }
  | { decided: TenantRecord; status: 'approved' | 'denied'; installation?: Installation; connecting?: Accepted<SyncResult> | NovuConnectionState };

function novuLine(state: NovuConnectionState | undefined): string | undefined {
  switch (state?.state) {
    case 'connected':
      return `It is connected to Novu (channel connection \`${state.identifier}\`).`;
    case 'pending':
      return 'Its Novu connection is being completed in the background.';
    case 'failed':
      return `The Novu connection was not made: ${state.reason.trim().replace(/([^.!?])$/, '$1.')} An admin can try again with /connect setup.${state.details ? ` (Details: ${state.details})` : ''}`;
    default:
      return undefined;
  }
}
