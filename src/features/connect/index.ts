import type { EndpointMoves } from '../delivery/moves.js';
import type { ConnectionDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { ConnectionJobs } from './connection-jobs.js';
import { ConnectionWriter } from './connection-writer.js';
import { ConnectHandlers } from './handlers.js';
import { ConnectionLifecycle } from './lifecycle.js';
import { connectionDeletedMessage, connectionSyncedMessage } from './messages.js';

/** Connect workspaces to Novu: an approved install writes the channel connection; /connect manages it. */
export function connectFeature(services: ConnectionDeps, moves: EndpointMoves | undefined): Feature & { lifecycle: ConnectionLifecycle } {
  const { config, backends, novuScope } = services;
  const notes = { synced: connectionSyncedMessage, deleted: connectionDeletedMessage };
  const jobs =
    config.novu && backends.novu && novuScope && moves
      ? new ConnectionJobs(services, new ConnectionWriter(backends.novu, services.store, config.novu, novuScope), config.novu, novuScope, moves, notes)
      : undefined;
  const lifecycle = new ConnectionLifecycle(services, jobs, config.novu);
  const handlers = new ConnectHandlers(services, jobs);
  return {
    lifecycle,
    jobs: jobs?.definitions,
    register(app, router) {
      handlers.register(app, router);
      lifecycle.register(app);
    },
  };
}
