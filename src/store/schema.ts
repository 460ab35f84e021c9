/** Table shapes as the database holds them. Times are epoch milliseconds; JSON is stored as text. */
export interface Database {
  installations: InstallationsTable;
  user_installations: UserInstallationsTable;
  oauth_states: OAuthStatesTable;
  jobs: JobsTable;
  audit_log: AuditLogTable;
  processed_events: ProcessedEventsTable;
  locks: LocksTable;
  connections: ConnectionsTable;
  tenants: TenantsTable;
  owned_endpoints: OwnedEndpointsTable;
  owned_numbers: OwnedNumbersTable;
  bulk_runs: BulkRunsTable;
  bulk_items: BulkItemsTable;
  link_requests: LinkRequestsTable;
  number_requests: NumberRequestsTable;
  tenant_subscribers: TenantSubscribersTable;
  delivery_checks: DeliveryChecksTable;
  follow_up_effects: FollowUpEffectsTable;
  number_reports: NumberReportsTable;
  unposted_reports: UnpostedReportsTable;
}

/** Named locks for the embedded store, where processes sharing the file have no advisory locks. */
export interface LocksTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface InstallationsTable {
  /** `team:T…` for a workspace install, `enterprise:E…` for an org-wide install. */
  workspace_key: string;
  team_id: string | null;
  enterprise_id: string | null;
  workspace_name: string | null;
  installer_user_id: string;
  bot_user_id: string | null;
  app_id: string | null;
  bot_expires_at: number | null;
  /** The whole Bolt installation as AES-256-GCM ciphertext. */
  secret: string;
  created_at: number;
  updated_at: number;
}

export interface UserInstallationsTable {
  workspace_key: string;
  user_id: string;
  secret: string;
  updated_at: number;
}

export interface OAuthStatesTable {
  /** SHA-256 of the state value: a database leak does not hand out usable states. */
  state_hash: string;
  install_options: string;
  expires_at: number;
  created_at: number;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobsTable {
  id: string;
  kind: string;
  workspace_key: string | null;
  /** One job per user intent: a second enqueue with the same key returns the first job. */
  dedupe_key: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  result: string | null;
  requested_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** `pending` from the moment the outcome is recorded until the follow-up is delivered; then `done` (or `given-up`). */
  follow_up: FollowUpStatus | null;
  follow_up_at: number | null;
  follow_up_attempts: number;
  follow_up_error: string | null;
}

export type FollowUpStatus = 'pending' | 'done' | 'given-up';

/** Effects of a follow-up already delivered: a follow-up delivered again skips them. */
export interface FollowUpEffectsTable {
  job_id: string;
  effect: string;
  done_at: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  workspace_key: string | null;
  user_id: string | null;
  action: string;
  target: string | null;
  backend: string | null;
  backend_id: string | null;
  outcome: string;
  error: string | null;
  detail: string | null;
}

export interface ProcessedEventsTable {
  event_id: string;
  received_at: number;
}

export interface ConnectionsTable {
  workspace_key: string;
  identifier: string;
  integration_identifier: string;
  connection_mode: string;
  /** JSON object: context type → id. */
  context: string | null;
  subscriber_id: string | null;
  state: string;
  last_error: string | null;
  synced_at: number | null;
  /** The latest intent (install, setup, disconnect…); jobs queued for another one do nothing. */
  intent: string;
  created_at: number;
  updated_at: number;
}

export interface TenantsTable {
  workspace_key: string;
  kind: string;
  slack_id: string;
  name: string | null;
  /** approved, pending or denied */
  status: string;
  installed_by: string | null;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  installs: number;
  created_at: number;
  updated_at: number;
}

export interface OwnedEndpointsTable {
  /** Novu's endpoint identifier (unique in a Novu environment). */
  identifier: string;
  workspace_key: string;
  type: string;
  subscriber_id: string;
  integration_identifier: string;
  connection_identifier: string | null;
  target: string;
  created_by: string;
  created_at: number;
  /** The context keys it was written with, as a sorted JSON array; null for endpoints recorded before they were kept. */
  context_keys: string | null;
}

export interface OwnedNumbersTable {
  backend: string;
  vendor_id: string;
  workspace_key: string;
  number: string | null;
  sip_uri: string | null;
  name: string | null;
  status: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** The job releasing the number, while one is. */
  release_job: string | null;
}

/** A bulk run (a CSV import of phone numbers, "link everyone by email"): a dry run, then a job per item. */
export interface BulkRunsTable {
  id: string;
  /** phone-import or link-everyone */
  kind: string;
  workspace_key: string;
  requested_by: string;
  /** What started it (a form submission): the same intent again finds this run. */
  intent: string;
  /** Its kind's name for planning, planned, applying, done, cancelled or failed. */
  status: string;
  /** JSON: what the kind keeps of its own (the file; the members read so far). */
  fields: string;
  confirmed_by: string | null;
  /** Where the run's progress message is (the requester's DM with the app). */
  channel_id: string | null;
  message_ts: string | null;
  error: string | null;
  reported_at: number;
  created_at: number;
  updated_at: number;
}

export interface BulkItemsTable {
  run_id: string;
  /** The item's place in the run, as planned: pages are read in this order. */
  position: number;
  /** The item's key in its run (a row number, a user id). */
  item_key: string;
  /** The dry run's verdict, then what the item's job did. */
  state: string;
  /** What the item is counted by (a row's kind of problem). */
  tag: string | null;
  detail: string | null;
  /** JSON: the item as planned. */
  data: string;
}

export interface LinkRequestsTable {
  id: string;
  workspace_key: string;
  user_id: string;
  subscriber_id: string;
  /** pending, approved or denied */
  status: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
}

export interface NumberRequestsTable {
  id: string;
  /** The form submission: a double submit finds the request it made. */
  submission: string;
  workspace_key: string;
  requested_by: string;
  /** vapi or signalwire */
  backend: string;
  /** JSON: the exact vendor request, its SIP password sealed. */
  payload: string;
  /** pending, approved, denied or expired */
  status: string;
  requested_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  /** The approved request's provisioning job, once recorded: no other job is ever queued for it. */
  provision_job_id: string | null;
}

/** A Novu subscriber Switchboard made for a tenant (its own in subscriber mode): no other tenant may route it. */
export interface TenantSubscribersTable {
  subscriber_id: string;
  workspace_key: string;
  created_at: number;
}

/** A tenant's latest delivery check: what would not deliver, as JSON. */
export interface DeliveryChecksTable {
  workspace_key: string;
  requested_by: string | null;
  checked_at: number;
  report: string;
}

/** Where a number's calls and texts are reported; the secret the vendor authenticates with is sealed. */
export interface NumberReportsTable {
  backend: string;
  vendor_id: string;
  workspace_key: string;
  channel_id: string;
  sealed_secret: string | null;
  credential_id: string | null;
  set_by: string;
  set_at: number;
  /** When the person who set it was told the bot cannot post there; cleared when the channel changes. */
  warned_at: number | null;
}

/** A call or text Slack would not take into the report channel, kept for the App Home. */
export interface UnpostedReportsTable {
  event_key: string;
  workspace_key: string;
  backend: string;
  vendor_id: string;
  channel_id: string;
  reason: string;
  event: string;
  created_at: number;
}
