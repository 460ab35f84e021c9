import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { PhoneDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { phoneImportFeature } from './bulk/index.js';
import { EndpointHandlers } from './endpoint-handlers.js';
import type { SubscriberPhones } from './subscriber-phone.js';

/** `/phone`: Novu phone endpoints (register, list, remove, import-csv). */
export function phoneFeature(services: PhoneDeps, phones: SubscriberPhones | undefined): Feature & { endpoints?: EndpointHandlers } {
  const novu = services.backends.novu;
  const scope = services.novuScope;
  const endpoints = novu && scope && phones ? new EndpointHandlers(services, novu, scope, phones) : undefined;
  const imports = endpoints && scope ? phoneImportFeature(services, endpoints.jobs, scope) : undefined;
  return {
    endpoints,
    jobs: [...(endpoints?.jobs.definitions ?? []), ...(imports?.jobs ?? [])],
    register(app: SlackListeners, router: CommandRouter) {
      endpoints?.register(app, router);
      imports?.register(app, router);
    },
  };
}
