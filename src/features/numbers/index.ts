import type { Services } from '../../app/services.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { Feature } from '../index.js';
import { NumberHandlers } from './handlers.js';

/** Provisioning: Vapi numbers and SIP URIs, SignalWire imports, and the overview of both. */
export function numbersFeature(services: Services): Feature {
  const handlers = services.backends.vapi || services.backends.signalwire ? new NumberHandlers(services) : undefined;
  return {
    register(app: SlackListeners, router: CommandRouter) {
      handlers?.register(app, router);
    },
  };
}
