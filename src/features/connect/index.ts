import type { Services } from '../../app/services.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { AfterInstall } from '../../slack/oauth/callbacks.js';
import type { Feature } from '../index.js';
import { ConnectionJobs } from './connection-jobs.js';
import { ConnectHandlers } from './handlers.js';
import { ConnectionLifecycle } from './lifecycle.js';

/** Connect workspaces to Novu: the install writes the channel connection; /connect manages it. */
export function connectFeature(services: Services, options: { refreshHome?: ConnectHandlers['refreshHome'] } = {}): Feature & { afterInstall: AfterInstall } {
  const novuConfig = services.config.novu;
  const novuClient = services.backends.novu;
  const jobs = novuConfig && novuClient ? new ConnectionJobs(services, novuClient, novuConfig) : undefined;
  const lifecycle = new ConnectionLifecycle(services, jobs, novuConfig);
  const handlers = new ConnectHandlers(services, jobs, novuClient, novuConfig);
  handlers.refreshHome = options.refreshHome;
  return {
    register(app: SlackListeners, router: CommandRouter) {
      handlers.register(app, router);
      lifecycle.register(app);
    },
    afterInstall: (installation) => lifecycle.afterInstall(installation),
  };
}
