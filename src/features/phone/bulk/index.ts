import type { CommandRouter } from '../../../slack/commands/router.js';
import type { SlackListeners } from '../../../slack/listener-table.js';
import type { NovuScope } from '../../../tenancy/novu-scope.js';
import type { PhoneDeps } from '../../deps.js';
import type { Feature } from '../../feature.js';
import type { EndpointJobs } from '../endpoint-jobs.js';
import { ImportHandlers } from './handlers.js';
import { PhoneImports } from './import-runs.js';

/** `/phone import-csv`: many phone endpoints from a CSV file, a dry run first, each row through the register job. */
export function phoneImportFeature(services: PhoneDeps, endpointJobs: EndpointJobs, scope: NovuScope): Feature {
  const handlers = new ImportHandlers(services, new PhoneImports(services, endpointJobs, scope));
  return {
    register(app: SlackListeners, router: CommandRouter) {
      handlers.register(app, router);
    },
  };
}
