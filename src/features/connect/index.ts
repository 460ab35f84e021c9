import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { EndpointMoves } from '../delivery/moves.js';
import type { ConnectDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { ConnectionJobs } from './connection-jobs.js';
import { ConnectHandlers } from './handlers.js';
import { ConnectionLifecycle } from './lifecycle.js';
import { connectionDeletedMessage, connectionSyncedMessage } from './messages.js';

/** Connect workspaces to Novu: an approved install writes the channel connection; /connect manages it. */
export function connectFeature(
  services: ConnectDeps,
  moves: EndpointMoves | undefined,
): Feature & { lifecycle: ConnectionLifecycle; handlers: ConnectHandlers } {
  const novuConfig = services.config.novu;
  const novuClient = services.backends.novu;
  const scope = services.novuScope;
  const jobs =
    novuConfig && novuClient && scope && moves
      ? new ConnectionJobs(services, novuClient, novuConfig, scope, moves, { synced: connectionSyncedMessage, deleted: connectionDeletedMessage })
      : undefined;
  const lifecycle = new ConnectionLifecycle(services, jobs, novuConfig);
  const handlers = new ConnectHandlers(services, jobs);
  return {
    lifecycle,
    handlers,
    jobs: jobs?.definitions,
    register(app: SlackListeners, router: CommandRouter) {
      handlers.register(app, router);
      lifecycle.register(app);
    },
  };
}
