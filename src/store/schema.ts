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
  link_runs: LinkRunsTable;
  link_run_items: LinkRunItemsTable;
  link_requests: LinkRequestsTable;
  number_requests: NumberRequestsTable;
  phone_imports: PhoneImportsTable;
  phone_import_rows: PhoneImportRowsTable;
  tenant_subscribers: TenantSubscribersTable;
  delivery_checks: DeliveryChecksTable;
  follow_up_effects: FollowUpEffectsTable;
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

export interface LinkRunsTable {
  id: string;
  workspace_key: string;
  requested_by: string;
  /** planning, planned, linking, done, cancelled or failed */
  status: string;
  /** Where the run's progress message is (the requester's DM with the app). */
  channel_id: string | null;
  message_ts: string | null;
  members_seen: number;
  error: string | null;
  reported_at: number;
  created_at: number;
  updated_at: number;
}

export interface LinkRunItemsTable {
  run_id: string;
  user_id: string;
  subscriber_id: string | null;
  /** matched, unmatched, conflict, already-linked, linked or failed */
  state: string;
  detail: string | null;
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

export interface PhoneImportsTable {
  id: string;
  workspace_key: string;
  requested_by: string;
  /** The form submission that started it: a double submit or Slack's retry finds this run. */
  intent: string;
  /** reading, planned, registering, done, cancelled or failed */
  status: string;
  /** The uploaded file, as Slack knows it. */
  file_id: string;
  file_name: string;
  /** The integration for rows that name none. */
  default_integration: string | null;
  confirmed_by: string | null;
  /** Where the run's progress message is (the requester's DM with the app). */
  channel_id: string | null;
  message_ts: string | null;
  error: string | null;
  reported_at: number;
  created_at: number;
  updated_at: number;
}

export interface PhoneImportRowsTable {
  run_id: string;
  /** The line of the file the row starts on, as a spreadsheet numbers it. */
  row_number: number;
  subscriber_id: string | null;
  /** E.164 when the number was understood, else as typed (cut short). */
  phone: string | null;
  integration: string | null;
  /** The endpoint identifier the row registers. */
  identifier: string | null;
  /** ready, problem, already-registered, created, existing or failed */
  state: string;
  /** For a row with a problem: what kind (number, integration, duplicate…). */
  problem: string | null;
  detail: string | null;
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
