import type { ConnectionLifecycle } from '../connect/lifecycle.js';
import type { RouteDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { ChannelRouteHandlers } from './channel-handlers.js';
import { LinkEveryone } from './link-everyone.js';
import { LinkHandlers } from './link-handlers.js';
import { linkDecisionDirectMessage } from './link-messages.js';
import { routeCreatedDirectMessage, routeRemovedDirectMessage } from './messages.js';
import { RouteJobs } from './route-jobs.js';

/**
 * Delivering into Slack: Novu `slack_channel` and `slack_user` endpoints on the tenant's own
 * connection — channels (`/connect channel`), people (`/connect link`, "link my account",
 * `/connect link-all`), the list (`/connect routes`); all removed when Switchboard is uninstalled.
 */
export function routesFeature(services: RouteDeps, lifecycle: ConnectionLifecycle): Feature {
  const novu = services.backends.novu;
  const scope = services.novuScope;
  if (!novu || !scope) return { register() {} };
  const routes = new RouteJobs(services, novu, scope, {
    created: routeCreatedDirectMessage,
    removed: routeRemovedDirectMessage,
    linkDecided: linkDecisionDirectMessage,
  });
  const channels = new ChannelRouteHandlers(services, routes);
  const everyone = new LinkEveryone(services, novu, routes);
  const links = new LinkHandlers(services, novu, routes, everyone);
  lifecycle.onUninstall(async (tenant, intent, keepConnection) => {
    if (!keepConnection) await routes.enqueueClear(tenant.key, intent);
  });
  return {
    jobs: [...routes.definitions, ...everyone.runs.definitions],
    register(app, router) {
      channels.register(app, router);
      links.register(app, router);
    },
  };
}
