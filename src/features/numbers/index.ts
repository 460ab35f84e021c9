import type { NumberDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { NumberHandlers } from './handlers.js';
import { NumberListHandlers } from './list-handlers.js';
import { NumberRelease } from './release.js';
import { ReleaseHandlers } from './release-handlers.js';
import { releasedMessage } from './release-messages.js';

/** Numbers on Vapi and SignalWire: provisioning, the overview of both, activation and release. */
export function numbersFeature(services: NumberDeps): Feature {
  if (!services.backends.vapi && !services.backends.signalwire) return { register() {} };
  const handlers = new NumberHandlers(services);
  const release = new NumberRelease(services, { released: releasedMessage });
  const releaseHandlers = new ReleaseHandlers(services, release);
  return {
    jobs: [...handlers.definitions, ...release.definitions],
    register(app, router) {
      handlers.register(app, router);
      new NumberListHandlers(services).register(app, router);
      releaseHandlers.register(app);
    },
  };
}
