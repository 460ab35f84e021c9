import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001_initial.js';
import * as connections from './0002_connections.js';
import * as tenancy from './0003_tenancy.js';
import * as slackRoutes from './0004_slack_routes.js';
import * as numberRequests from './0005_number_requests.js';
import * as phoneImports from './0006_phone_imports.js';
import * as numberRelease from './0007_number_release.js';
import * as delivery from './0008_delivery.js';
import * as followUps from './0009_follow_ups.js';
import * as bulkRuns from './0010_bulk_runs.js';
import * as numberReports from './0011_number_reports.js';

/** Versioned migrations, applied in order on start. Append; never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_connections': connections,
  '0003_tenancy': tenancy,
  '0004_slack_routes': slackRoutes,
  '0005_number_requests': numberRequests,
  '0006_phone_imports': phoneImports,
  '0007_number_release': numberRelease,
  '0008_delivery': delivery,
  '0009_follow_ups': followUps,
  '0010_bulk_runs': bulkRuns,
  '0011_number_reports': numberReports,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
