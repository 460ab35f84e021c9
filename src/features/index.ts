import type { Services } from '../app/services.js';
import { actorOf } from '../slack/actor.js';
import type { InstallHooks } from '../slack/oauth/callbacks.js';
import { Replies } from '../slack/replies.js';
import { tenantOfKey } from '../tenancy/tenant.js';
import { connectFeature } from './connect/index.js';
import { deliveryFeature } from './delivery/index.js';
import type { Feature } from './feature.js';
import { HomeTab } from './home/index.js';
import { numbersFeature } from './numbers/index.js';
import { phoneFeature } from './phone/index.js';
import { SubscriberPhones } from './phone/subscriber-phone.js';
import { routesFeature } from './routes/index.js';
import { TenantApprovals } from './tenants/index.js';

export interface Features {
  all: Feature[];
  installHooks: InstallHooks;
}

export function createFeatures(services: Services): Features {
  // The App Home shows the latest delivery check; it is made after the features it shows.
  let home: HomeTab | undefined;
  // A number registered for SMS becomes the subscriber's phone; the delivery check offers the same.
  const phones = services.backends.novu ? new SubscriberPhones(services, services.backends.novu, new Replies(services)) : undefined;
  const delivery = deliveryFeature(services, {
    refreshHome: async (workspaceKey, userId) => home?.refresh({ userId, tenant: tenantOfKey(workspaceKey) }),
    phones,
  });
  const connect = connectFeature(services, delivery.moves);
  const approvals = new TenantApprovals(services, connect.lifecycle);
  home = new HomeTab(services, approvals);
  const routes = routesFeature(services, connect.lifecycle);
  connect.handlers.refreshHome = (client, actor) => home.publish(client, actor);
  if (routes.links) routes.links.refreshHome = (client, actor) => home.publish(client, actor);
  approvals.refreshHome = ({ client, context }) => home.publish(client, actorOf(context));
  const numbers = numbersFeature(services);
  if (numbers.handlers?.jobs.activation) numbers.handlers.jobs.activation.refreshHome = (actor) => home.refresh(actor);
  if (numbers.release) numbers.release.refreshHome = (actor) => home.refresh(actor);
  return {
    all: [connect, routes, phoneFeature(services, phones), numbers, approvals, delivery, home],
    installHooks: approvals,
  };
}
