import type { Services } from '../app/services.js';
import type { CommandRouter } from '../slack/commands/router.js';
import type { SlackListeners } from '../slack/listener-table.js';
import type { AfterInstall } from '../slack/oauth/callbacks.js';
import { connectFeature } from './connect/index.js';
import { HomeTab } from './home/index.js';
import { numbersFeature } from './numbers/index.js';
import { phoneFeature } from './phone/index.js';

/** A capability: its commands, modals, actions, events and jobs, registered in one call. */
export interface Feature {
  register(app: SlackListeners, router: CommandRouter): void;
}

export interface Features {
  all: Feature[];
  afterInstall: AfterInstall;
}

export function createFeatures(services: Services): Features {
  const home = new HomeTab(services);
  const connect = connectFeature(services, { refreshHome: (client, actor) => home.publish(client, actor) });
  return {
    all: [connect, phoneFeature(services), numbersFeature(services), home],
    afterInstall: connect.afterInstall,
  };
}
