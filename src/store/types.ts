import type { Installation } from '@slack/bolt';
import type { JobStatus } from './schema.js';

export type { JobStatus } from './schema.js';

/** `team:T…` for a workspace install, `enterprise:E…` for an org-wide (Enterprise Grid) install. */
export type WorkspaceKey = string;

export interface StoredInstallation {
  workspaceKey: WorkspaceKey;
  installation: Installation;
  createdAt: number;
  updatedAt: number;
}

export interface InstallationRecords {
  /** Upsert. An older rotated token never replaces a newer one (compared by bot token expiry). */
  save(installation: Installation, now?: number): Promise<StoredInstallation>;
  /** With `userId`, the user token is that user's (or absent), as Bolt expects. */
  find(workspaceKey: WorkspaceKey, userId?: string): Promise<StoredInstallation | undefined>;
  delete(workspaceKey: WorkspaceKey): Promise<boolean>;
  /** Bot tokens of these workspaces expire before `before` (epoch ms); for scheduled rotation. */
  expiringBefore(before: number, limit: number): Promise<WorkspaceKey[]>;
  count(): Promise<number>;
}

export interface OAuthStateRecords {
  create(stateHash: string, installOptions: string, expiresAt: number, now?: number): Promise<void>;
  exists(stateHash: string): Promise<boolean>;
  /** Deletes and returns the state: a second use finds nothing. */
  consume(stateHash: string): Promise<{ installOptions: string; expiresAt: number } | undefined>;
  pruneExpired(now: number): Promise<number>;
}

export interface JobRecord {
  id: string;
  kind: string;
  workspaceKey: WorkspaceKey | null;
  dedupeKey: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  result: unknown;
  requestedBy: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface NewJob {
  kind: string;
  dedupeKey: string;
  payload: unknown;
  maxAttempts: number;
  workspaceKey?: WorkspaceKey;
  requestedBy?: string;
  runAt?: number;
}

export interface JobRecords {
  /** Inserts unless a job with the same dedupe key exists; returns the job either way. */
  enqueue(job: NewJob, now?: number): Promise<{ job: JobRecord; created: boolean }>;
  /** Claims the next due job (or one whose lease ran out); no two workers get the same job. */
  claimNext(workerId: string, leaseMs: number, now?: number): Promise<JobRecord | undefined>;
  /** Claims this job now, whatever its schedule, unless it is finished or leased by a live worker. */
  claim(id: string, workerId: string, leaseMs: number, now?: number): Promise<JobRecord | undefined>;
  extendLease(id: string, workerId: string, leaseMs: number, now?: number): Promise<boolean>;
  complete(id: string, workerId: string, result: unknown, now?: number): Promise<boolean>;
  /** Schedules another attempt at `retryAt`, or marks the job dead when `retryAt` is undefined. */
  fail(id: string, workerId: string, error: string, retryAt: number | undefined, now?: number): Promise<boolean>;
  /** A dead job gets a fresh set of attempts. */
  revive(id: string, now?: number): Promise<boolean>;
  get(id: string): Promise<JobRecord | undefined>;
  findByDedupeKey(dedupeKey: string): Promise<JobRecord | undefined>;
  list(filter: { statuses?: JobStatus[]; workspaceKey?: WorkspaceKey; kinds?: string[]; limit: number }): Promise<JobRecord[]>;
  countByStatus(): Promise<Record<JobStatus, number>>;
  nextRunAt(): Promise<number | undefined>;
  pruneFinished(before: number): Promise<number>;
}

export type AuditOutcome = 'ok' | 'failed' | 'refused' | 'queued' | 'not-found';

export interface AuditEntry {
  id: string;
  at: number;
  workspaceKey: WorkspaceKey | null;
  userId: string | null;
  action: string;
  target: string | null;
  backend: string | null;
  backendId: string | null;
  outcome: AuditOutcome;
  error: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAuditEntry = Partial<Omit<AuditEntry, 'id' | 'at' | 'action' | 'outcome'>> & Pick<AuditEntry, 'action' | 'outcome'>;

export interface AuditRecords {
  append(entry: NewAuditEntry, now?: number): Promise<AuditEntry>;
  list(filter: { workspaceKey?: WorkspaceKey; actions?: string[]; limit: number; before?: number }): Promise<AuditEntry[]>;
  pruneBefore(before: number): Promise<number>;
}

export interface ProcessedEvents {
  /** True the first time an event id is seen; false for a redelivery. */
  markFirstDelivery(eventId: string, now?: number): Promise<boolean>;
  pruneBefore(before: number): Promise<number>;
}

export type ConnectionState = 'connected' | 'pending' | 'failed';

/** The Novu channel connection of a workspace, as Switchboard last wrote it. */
export interface ConnectionRecord {
  workspaceKey: WorkspaceKey;
  identifier: string;
  integrationIdentifier: string;
  mode: 'shared' | 'subscriber';
  context: Record<string, string> | null;
  subscriberId: string | null;
  state: ConnectionState;
  lastError: string | null;
  syncedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type ConnectionUpdate = Omit<ConnectionRecord, 'createdAt' | 'updatedAt'>;

export interface ConnectionRecords {
  find(workspaceKey: WorkspaceKey): Promise<ConnectionRecord | undefined>;
  /** Upsert; keeps the first `createdAt`. */
  save(connection: ConnectionUpdate, now?: number): Promise<ConnectionRecord>;
  /** Records how the latest write went, without touching the settings. */
  markState(workspaceKey: WorkspaceKey, state: ConnectionState, error: string | null, now?: number): Promise<void>;
  delete(workspaceKey: WorkspaceKey): Promise<ConnectionRecord | undefined>;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly installations: InstallationRecords;
  readonly oauthStates: OAuthStateRecords;
  readonly jobs: JobRecords;
  readonly audit: AuditRecords;
  readonly events: ProcessedEvents;
  readonly connections: ConnectionRecords;
  /** Called when any replica saves or deletes an installation (the key), or with `*` when changes may have been missed. */
  onInstallationChanged(listener: (workspaceKey: WorkspaceKey | '*') => void): () => void;
  /** Runs `fn` while holding a lock named `name`, across every process sharing this store. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
