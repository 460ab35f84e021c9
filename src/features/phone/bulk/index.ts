import type { Services } from '../../../app/services.js';
import type { CommandRouter } from '../../../slack/commands/router.js';
import type { SlackListeners } from '../../../slack/listener-table.js';
import type { NovuScope } from '../../../tenancy/novu-scope.js';
import type { Feature } from '../../index.js';
import type { EndpointJobs } from '../endpoint-jobs.js';
import { ImportHandlers } from './handlers.js';
import { phoneImportRuns } from './import-runs.js';

/** `/phone import-csv`: many phone endpoints from a CSV file, a dry run first, each row through the register job. */
export function phoneImportFeature(services: Services, endpointJobs: EndpointJobs, scope: NovuScope): Feature {
  const handlers = new ImportHandlers(services, phoneImportRuns(services, endpointJobs, scope));
  return {
    register(app: SlackListeners, router: CommandRouter) {
      handlers.register(app, router);
    },
  };
}
