import type { Installation, InstallationQuery } from '@slack/bolt';

/** A tenant's key: `team:T…` for a workspace install, `enterprise:E…` for an org-wide (Enterprise Grid) install. */
export type WorkspaceKey = string;

/** Org-wide installs are keyed by enterprise, everything else by team, as Slack's own stores do. */
export function workspaceKeyOf(installation: Installation): WorkspaceKey {
  if (installation.isEnterpriseInstall && installation.enterprise?.id) return enterpriseKey(installation.enterprise.id);
  if (installation.team?.id) return teamKey(installation.team.id);
  throw new Error('An installation without a team or an enterprise cannot be stored');
}

export function workspaceKeyOfQuery(query: InstallationQuery<boolean>): WorkspaceKey {
  if (query.isEnterpriseInstall && query.enterpriseId) return enterpriseKey(query.enterpriseId);
  if (query.teamId) return teamKey(query.teamId);
  throw new Error('An installation query without a team or an enterprise');
}

export const teamKey = (teamId: string): WorkspaceKey => `team:${teamId}`;
export const enterpriseKey = (enterpriseId: string): WorkspaceKey => `enterprise:${enterpriseId}`;

/** The Slack id inside a key: the team or enterprise id Novu sees as the workspace id. */
export function slackIdOf(workspaceKey: WorkspaceKey): string {
  return workspaceKey.slice(workspaceKey.indexOf(':') + 1);
}

export function isEnterpriseKey(workspaceKey: WorkspaceKey): boolean {
  return workspaceKey.startsWith('enterprise:');
}
