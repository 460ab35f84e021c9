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
import { numberRequestRecords } from './records/number-requests.js';
import { oauthStateRecords } from './records/oauth-states.js';
import { ownedEndpointRecords } from './records/owned-endpoints.js';
import { ownedNumberRecords } from './records/owned-numbers.js';
import { phoneImportRecords } from './records/phone-imports.js';
import { tenantSubscriberRecords } from './records/tenant-subscribers.js';
import { tenantRecords } from './records/tenants.js';
import type {
  AuditRecords,
  ConnectionRecords,
  DeliveryCheckRecords,
  InstallationRecords,
  JobRecords,
  LinkRequestRecords,
  LinkRunRecords,
  NumberRequestRecords,
  OAuthStateRecords,
  OwnedEndpointRecords,
  OwnedNumberRecords,
  PhoneImportRecords,
  ProcessedEvents,
  Store,
  TenantRecords,
  TenantSubscriberRecords,
  WorkspaceKey,
} from './types.js';

export type { Engine } from './engine.js';

/** The store over either engine: one module per record kind, the same SQL through Kysely. */
export class SqlStore implements Store {
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

  constructor(
    private readonly backing: Engine,
    cipher: TokenCipher,
  ) {
    this.engine = backing.name;
    this.installations = installationRecords(backing, cipher);
    this.oauthStates = oauthStateRecords(backing.db);
    this.jobs = jobRecords(backing);
    this.audit = auditRecords(backing.db);
    this.events = processedEvents(backing.db);
    this.connections = connectionRecords(backing.db);
    this.tenants = tenantRecords(backing);
    this.endpoints = ownedEndpointRecords(backing.db);
    this.numbers = ownedNumberRecords(backing.db);
    this.linkRuns = linkRunRecords(backing.db);
    this.linkRequests = linkRequestRecords(backing.db);
    this.numberRequests = numberRequestRecords(backing.db);
    this.phoneImports = phoneImportRecords(backing.db);
    this.tenantSubscribers = tenantSubscriberRecords(backing.db);
    this.deliveryChecks = deliveryCheckRecords(backing.db);
  }

  onInstallationChanged(listener: (workspaceKey: WorkspaceKey | '*') => void): () => void {
    return this.backing.subscribeInstallationChanges(listener);
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.backing.withLock(name, fn);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.backing.db);
  }

  close(): Promise<void> {
    return this.backing.close();
  }
}
