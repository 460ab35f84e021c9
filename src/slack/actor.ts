import type { Context } from '@slack/bolt';
import type { WorkspaceKey } from '../store/types.js';
import { enterpriseKey, teamKey } from '../store/workspace-key.js';

/** Who is acting, and in which workspace installation. */
export interface Actor {
  userId: string;
  workspaceKey: WorkspaceKey;
  teamId?: string;
  enterpriseId?: string;
}

export function actorFromContext(context: Context, userId: string): Actor {
  const enterpriseId = context.enterpriseId;
  const teamId = context.teamId;
  if (context.isEnterpriseInstall && enterpriseId) return { userId, workspaceKey: enterpriseKey(enterpriseId), teamId, enterpriseId };
  if (!teamId) throw new Error('A request without a team');
  return { userId, workspaceKey: teamKey(teamId), teamId, enterpriseId };
}
