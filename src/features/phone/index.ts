import type { PhoneDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { ImportHandlers } from './bulk/handlers.js';
import { phoneImportRuns } from './bulk/import-runs.js';
import { EndpointHandlers } from './endpoint-handlers.js';
import type { SubscriberPhones } from './subscriber-phone.js';

/** `/phone`: Novu phone endpoints (register, list, remove, import-csv). */
export function phoneFeature(services: PhoneDeps, phones: SubscriberPhones | undefined): Feature {
  const novu = services.backends.novu;
  const scope = services.novuScope;
  if (!novu || !scope || !phones) return { register() {} };
  const endpoints = new EndpointHandlers(services, novu, scope, phones);
  // Many phone endpoints from a CSV file: a dry run first, each row through the register job.
  const runs = phoneImportRuns(services, endpoints.jobs, scope);
  const imports = new ImportHandlers(services, runs);
  return {
    jobs: [...endpoints.jobs.definitions, ...runs.definitions],
    register(app, router) {
      endpoints.register(app, router);
      imports.register(app, router);
    },
  };
}
