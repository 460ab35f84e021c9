import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { NumberDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { NumberHandlers } from './handlers.js';
import { NumberRelease } from './release.js';
import { ReleaseHandlers } from './release-handlers.js';
import { releasedMessage } from './release-messages.js';

/** Numbers on Vapi and SignalWire: provisioning, the overview of both, activation and release. */
export function numbersFeature(services: NumberDeps): Feature & { handlers?: NumberHandlers; release?: NumberRelease } {
  const configured = Boolean(services.backends.vapi || services.backends.signalwire);
  const handlers = configured ? new NumberHandlers(services) : undefined;
  const release = configured ? new NumberRelease(services, { released: releasedMessage }) : undefined;
  const releaseHandlers = release ? new ReleaseHandlers(services, release) : undefined;
  return {
    handlers,
    release,
    jobs: [...(handlers?.definitions ?? []), ...(release?.definitions ?? [])],
    register(app: SlackListeners, router: CommandRouter) {
      handlers?.register(app, router);
      releaseHandlers?.register(app);
    },
  };
}
