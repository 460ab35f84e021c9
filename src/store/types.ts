import type { AuditRecords } from './records/audit.js';
import type { ConnectionRecords } from './records/connections.js';
import type { DeliveryCheckRecords } from './records/delivery-checks.js';
import type { ProcessedEvents } from './records/events.js';
import type { InstallationRecords } from './records/installations.js';
import type { JobRecords } from './records/jobs.js';
import type { LinkRequestRecords } from './records/link-requests.js';
import type { LinkRunRecords } from './records/link-runs.js';
import type { NumberReportRecords } from './records/number-reports.js';
import type { NumberRequestRecords } from './records/number-requests.js';
import type { OAuthStateRecords } from './records/oauth-states.js';
import type { OwnedEndpointRecords } from './records/owned-endpoints.js';
import type { OwnedNumberRecords } from './records/owned-numbers.js';
import type { PhoneImportRecords } from './records/phone-imports.js';
import type { TenantSubscriberRecords } from './records/tenant-subscribers.js';
import type { TenantRecords } from './records/tenants.js';
import type { WorkspaceKey } from './workspace-key.js';

export type { AuditEntry, AuditOutcome, NewAuditEntry } from './records/audit.js';
export type { BulkItem, BulkRunBase, BulkRunRecords, ItemCounts } from './records/bulk-runs.js';
export type { ConnectionRecord, ConnectionScope } from './records/connections.js';
export type { StoredInstallation } from './records/installations.js';
export type { JobRecord, JobStatus, NewJob } from './records/jobs.js';
export type { LinkRequest } from './records/link-requests.js';
export type { LinkCounts, LinkItem, LinkRun } from './records/link-runs.js';
export type { NumberReport, UnpostedReport } from './records/number-reports.js';
export type { NewNumberRequest, NumberRequest } from './records/number-requests.js';
export type { EndpointCursor, OwnedEndpoint, OwnedEndpointType } from './records/owned-endpoints.js';
export type { NumberBackend, OwnedNumber } from './records/owned-numbers.js';
export type { ImportProblem, ImportRow, ImportRowCounts, NewPhoneImportFields, PhoneImport } from './records/phone-imports.js';
export type { NewTenantInstall, TenantRecord, TenantStatus } from './records/tenants.js';
export type { WorkspaceKey } from './workspace-key.js';

/** The one store interface; two engines (SQLite, PostgreSQL) stand behind it. */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly installations: InstallationRecords;
  readonly oauthStates: OAuthStateRecords;
  readonly jobs: JobRecords;
  readonly audit: AuditRecords;
  readonly events: ProcessedEvents;
  readonly connections: ConnectionRecords;
  readonly tenants: TenantRecords;
  readonly endpoints: OwnedEndpointRecords;
  readonly numbers: OwnedNumberRecords;
  readonly linkRuns: LinkRunRecords;
  readonly linkRequests: LinkRequestRecords;
  readonly numberRequests: NumberRequestRecords;
  readonly phoneImports: PhoneImportRecords;
  readonly tenantSubscribers: TenantSubscriberRecords;
  readonly deliveryChecks: DeliveryCheckRecords;
  readonly numberReports: NumberReportRecords;
  /** Called when any replica saves or deletes an installation (the key), or with `*` when changes may have been missed. */
  onInstallationChanged(listener: (workspaceKey: WorkspaceKey | '*') => void): () => void;
  /** Runs `fn` while holding a lock named `name`, across every process sharing this store. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
