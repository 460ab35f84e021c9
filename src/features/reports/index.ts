import type { ReportDeps } from '../deps.js';
import type { Feature } from '../feature.js';
import { ReportHandlers } from './handlers.js';
import { reportNotes } from './messages.js';
import { ReportJobs } from './report-jobs.js';
import { reportWebhooks } from './webhooks.js';

/** Calls and texts of a number, reported into a channel of the workspace that owns it. */
export function reportsFeature(services: ReportDeps): Feature {
  if (!services.backends.vapi && !services.backends.signalwire) return { register() {} };
  const jobs = new ReportJobs(services, reportNotes);
  const handlers = new ReportHandlers(services, jobs);
  return {
    jobs: jobs.definitions,
    routes: reportWebhooks({
      store: services.store,
      targets: jobs.targets,
      keep: (report, event) => jobs.store(report, event),
      publicUrl: services.config.publicUrl,
      signingKey: services.config.signalwire?.signingKey,
      logger: services.logger,
    }),
    register(app) {
      handlers.register(app);
    },
  };
}
