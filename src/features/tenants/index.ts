import type { Installation } from '@slack/bolt';
import { parseAuditChannel } from '../../audit/audit-trail.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { ButtonArgs, SlackListeners } from '../../slack/listener-table.js';
import type { InstallHooks } from '../../slack/oauth/callbacks.js';
import type { InstallOutcome, NovuConnectionState } from '../../slack/oauth/pages.js';
import type { TenantRecord, WorkspaceKey } from '../../store/types.js';
import { decideInstall } from '../../tenancy/install-policy.js';
import { tenantName, tenantOfInstallation } from '../../tenancy/tenant.js';
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

  private async decideFromButton({ action, body, client, actor, respond }: ButtonArgs, status: 'approved' | 'denied'): Promise<void> {
    const decided = await this.decide(action.value ?? '', status, actor.userId);
    if (body.view?.type === 'home') await this.services.events.emit('homeChanged', actor, client);
    else await respond({ replace_original: true, ...decisionMessage(decided) }).catch(() => {});
  }

  /** Single-use: a second click (or another operator) finds the tenant decided already and changes nothing. */
  private async decide(workspaceKey: WorkspaceKey, status: 'approved' | 'denied', operatorId: string): Promise<TenantRecord> {
    const { tenants, store, audit } = this.services;
    const decided = await tenants.decide(workspaceKey, status, operatorId);
    if (!decided) {
      const current = await store.tenants.find(workspaceKey);
      if (!current) throw new Error(`No tenant ${workspaceKey}`);
      return current;
    }
    await audit.record({
      action: status === 'approved' ? 'tenant.approve' : 'tenant.deny',
      outcome: 'ok',
      workspaceKey,
      userId: operatorId,
      target: decided.slackId,
    });
    const stored = await store.installations.find(workspaceKey);
    const novu = status === 'approved' && stored ? await this.connect.connect(stored.installation, 'approval') : undefined;
    if (decided.installedBy) await this.services.bots.sendDirectMessage(workspaceKey, decided.installedBy, installerDecisionMessage(decided, novuLine(novu)));
    if (status === 'denied' && stored) {
      await this.handBackToken(stored.installation);
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
