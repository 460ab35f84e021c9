import type { Services } from '../services.js';
import type { InstallHooks } from '../slack/oauth/callbacks.js';
import { Replies } from '../slack/replies.js';
import { connectFeature } from './connect/index.js';
import { deliveryFeature } from './delivery/index.js';
import type { Feature } from './feature.js';
import { HomeTab } from './home/index.js';
import { numbersFeature } from './numbers/index.js';
import { phoneFeature } from './phone/index.js';
import { SubscriberPhones } from './phone/subscriber-phone.js';
import { reportsFeature } from './reports/index.js';
import { routesFeature } from './routes/index.js';
import { TenantApprovals } from './tenants/index.js';

export interface Features {
  all: Feature[];
  installHooks: InstallHooks;
}

export function createFeatures(services: Services): Features {
  // A number registered for SMS becomes the subscriber's phone; the delivery check offers the same.
  const phones = services.backends.novu ? new SubscriberPhones(services, services.backends.novu, new Replies(services)) : undefined;
  const delivery = deliveryFeature(services, phones);
  const connect = connectFeature(services, delivery.moves);
  const approvals = new TenantApprovals(services, connect.lifecycle);
  const home = new HomeTab(services);
  return {
    all: [
      connect,
      routesFeature(services, connect.lifecycle),
      phoneFeature(services, phones),
      numbersFeature(services),
      reportsFeature(services),
      approvals,
      delivery,
      home,
    ],
    installHooks: approvals,
  };
}
