import type { Installation } from '@slack/bolt';
import type { WorkspaceKey } from '../store/types.js';
import { enterpriseKey, isEnterpriseKey, slackIdOf, teamKey, workspaceKeyOf } from '../store/workspace-key.js';

/**
 * Whose data a request may touch: a Slack workspace, or the enterprise for an org-wide (Enterprise
 * Grid) install. Switchboard holds one key per vendor, so it keeps tenants apart itself: every
 * record, job and vendor write carries the tenant it belongs to.
 */
export interface Tenant {
  /** The store key: `team:T…` or `enterprise:E…`. */
  key: WorkspaceKey;
  kind: 'team' | 'enterprise';
  /** The Slack team or enterprise id: Novu's `workspace.id`, and the id in the tenant's Novu context. */
  id: string;
}

export function tenantOfKey(key: WorkspaceKey): Tenant {
  return { key, kind: isEnterpriseKey(key) ? 'enterprise' : 'team', id: slackIdOf(key) };
}

export function tenantOfInstallation(installation: Installation): Tenant {
  return tenantOfKey(workspaceKeyOf(installation));
}

/** The tenant Bolt authorized a request for: the enterprise for an org-wide install, else the team. */
export function tenantOfAuthorization(source: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): Tenant | undefined {
  if (source.isEnterpriseInstall && source.enterpriseId) return tenantOfKey(enterpriseKey(source.enterpriseId));
  return source.teamId ? tenantOfKey(teamKey(source.teamId)) : undefined;
}

/** The workspace's (or org's) name as Slack gave it at install. */
export function tenantName(installation: Installation | undefined): string | undefined {
  return (installation?.isEnterpriseInstall ? installation.enterprise?.name : installation?.team?.name) ?? undefined;
}
