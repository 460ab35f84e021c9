import type { Services } from '../services.js';
import type { SlackMessage } from '../slack/bot-clients.js';
import type { WorkspaceKey } from '../store/types.js';

/**
 * A direct message to every operator (`OPERATORS`), sent through an approved workspace an
 * operator installed, else through the `fallback` workspaces (where an operator may be a member
 * too): for each operator, the first workspace that delivers it.
 */
export async function messageOperators(
  { config, bots, store }: Pick<Services, 'config' | 'bots' | 'store'>,
  message: SlackMessage,
  fallback: WorkspaceKey[] = [],
): Promise<void> {
  const operatorHomes = (await store.tenants.list({ statuses: ['approved'], limit: 100 }))
    .filter((home) => home.installedBy !== null && config.operators.includes(home.installedBy))
    .map((home) => home.workspaceKey);
  const routes = [...new Set([...operatorHomes, ...fallback])];
  for (const operator of config.operators) {
    for (const workspaceKey of routes) if (await bots.sendDirectMessage(workspaceKey, operator, message)) break;
  }
}
