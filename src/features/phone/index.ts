import type { Services } from '../../app/services.js';
import type { CommandRouter } from '../../slack/commands/router.js';
import type { SlackListeners } from '../../slack/listener-table.js';
import type { Feature } from '../index.js';
import { ImportHandlers } from './bulk/handlers.js';
import { phoneImportRuns } from './bulk/import-runs.js';
import { EndpointHandlers } from './endpoint-handlers.js';
import type { SubscriberPhones } from './subscriber-phone.js';

/** `/phone`: Novu phone endpoints (register, list, remove, import-csv). */
export function phoneFeature(services: Services, phones: SubscriberPhones | undefined): Feature & { endpoints?: EndpointHandlers } {
  const novu = services.backends.novu;
  const scope = services.novuScope;
  const endpoints = novu && scope && phones ? new EndpointHandlers(services, novu, scope, phones) : undefined;
  // Many phone endpoints from a CSV file: a dry run first, each row through the register job.
  const imports = endpoints && scope ? new ImportHandlers(services, phoneImportRuns(services, endpoints.jobs, scope)) : undefined;
  return {
    endpoints,
    register(app: SlackListeners, router: CommandRouter) {
      endpoints?.register(app, router);
      imports?.register(app, router);
    },
  };
}
