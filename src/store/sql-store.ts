import { sql } from 'kysely';
import type { TokenCipher } from './cipher.js';
import type { Engine } from './engine.js';
import { auditRecords } from './records/audit.js';
import { connectionRecords } from './records/connections.js';
import { deliveryCheckRecords } from './records/delivery-checks.js';
import { processedEvents } from './records/events.js';
import { installationRecords } from './records/installations.js';
import { jobRecords } from './records/jobs.js';
import { linkRequestRecords } from './records/link-requests.js';
import { linkRunRecords } from './records/link-runs.js';
import { numberReportRecords } from './records/number-reports.js';
import { numberRequestRecords } from './records/number-requests.js';
import { oauthStateRecords } from './records/oauth-states.js';
import { ownedEndpointRecords } from './records/owned-endpoints.js';
import { ownedNumberRecords } from './records/owned-numbers.js';
import { phoneImportRecords } from './records/phone-imports.js';
import { tenantSubscriberRecords } from './records/tenant-subscribers.js';
import { tenantRecords } from './records/tenants.js';
import type { Store } from './types.js';

export type { Engine } from './engine.js';

/** The store over either engine: one module per record kind, the same SQL through Kysely. */
export function sqlStore(engine: Engine, cipher: TokenCipher): Store {
  const { db } = engine;
  return {
    engine: engine.name,
    installations: installationRecords(engine, cipher),
    oauthStates: oauthStateRecords(db),
    jobs: jobRecords(engine),
    audit: auditRecords(db),
    events: processedEvents(db),
    connections: connectionRecords(db),
    tenants: tenantRecords(engine),
    endpoints: ownedEndpointRecords(db),
    numbers: ownedNumberRecords(db),
    linkRuns: linkRunRecords(db),
    linkRequests: linkRequestRecords(db),
    numberRequests: numberRequestRecords(db),
    phoneImports: phoneImportRecords(db),
    tenantSubscribers: tenantSubscriberRecords(db),
    deliveryChecks: deliveryCheckRecords(db),
    numberReports: numberReportRecords(db),
    onInstallationChanged: (listener) => engine.subscribeInstallationChanges(listener),
    withLock: (name, fn) => engine.withLock(name, fn),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => engine.close(),
  };
}
