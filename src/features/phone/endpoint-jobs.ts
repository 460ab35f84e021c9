import type { NovuClient } from '../../backends/novu/client.js';
import type { CreatePhoneEndpointBody } from '../../backends/novu/schemas.js';
import { type Accepted, finishAudit, type JobDefinition, type JobFinish, type JobRunContext, type Requester, TerminalJobError } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { JobRecord } from '../../store/types.js';
import type { NovuScope } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import { sha256 } from '../../util/ids.js';
import type { PhoneDeps } from '../deps.js';
import { EndpointWriteError, EndpointWriter, type RemovedEndpoint, type WrittenEndpoint, withContext } from '../endpoint-writer.js';
import { describeNovuFailure } from '../novu-failures.js';
import type { PhoneOutcome, SubscriberPhones } from './subscriber-phone.js';

export interface RegisterPayload extends Requester {
  /** The body as the form made it, with the tenant's context entry: the job checks it again before sending. */
  body: CreatePhoneEndpointBody;
  /** Set for a row of a CSV import: the import follows its rows, and tells the person once for all of them. */
  importRow?: { runId: string; row: number };
}

export interface RegisterResult extends WrittenEndpoint {
  /** On an SMS integration: what became of the subscriber's phone, where Novu's SMS steps send. */
  phone?: PhoneOutcome;
}

export interface RemovePayload extends Requester {
  identifier: string;
}

export type RemoveResult = RemovedEndpoint;

export const registerJob = 'novu.endpoint.register';
export const removeJob = 'novu.endpoint.remove';

/**
 * One identifier per (tenant, integration, subscriber, number): a repeated registration finds the
 * first, and two workspaces registering the same number never meet on one identifier.
 */
export function endpointIdentifier(tenantId: string, integrationIdentifier: string, subscriberId: string, e164: string): string {
  const digest = sha256(`${tenantId}\u0000${integrationIdentifier}\u0000${subscriberId}\u0000${e164}`).slice(0, 16);
  const slug = integrationIdentifier
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 40);
  return `phone-${slug}-${digest}`;
}

/** The direct messages a finished endpoint job sends: rendered by the feature's views, handed in where the jobs are made. */
export interface EndpointNotes {
  registered(body: CreatePhoneEndpointBody, outcome: JobFinish<RegisterResult>['outcome']): SlackMessage;
  deleted(identifier: string, outcome: JobFinish<RemoveResult>['outcome']): SlackMessage;
}

/**
 * Phone endpoint writes through the durable queue: one job per user intent, audited, told by DM
 * when late. Each job checks, when it runs, that what it writes or deletes is the tenant's own:
 * the tenant's context set on what it creates, the tenant's record and Novu's scope on what it
 * deletes. Operators may act on any tenant's endpoints.
 */
export class EndpointJobs {
  private readonly writer: EndpointWriter;
  /** Told when a register job finishes: a CSV import follows its rows this way. */
  onRegistered?: (payload: RegisterPayload, outcome: JobFinish<RegisterResult>['outcome']) => Promise<void>;

  constructor(
    private readonly services: PhoneDeps,
    novu: NovuClient,
    scope: NovuScope,
    private readonly phones: SubscriberPhones,
    private readonly notes: EndpointNotes,
  ) {
    this.writer = new EndpointWriter(services, novu, scope);
  }

  get definitions(): JobDefinition[] {
    return [
      {
        kind: registerJob,
        describe: 'register a phone in Novu',
        run: (payload, context) => this.register(payload, context),
        onFinished: (finish) => this.afterRegister(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<RegisterPayload, RegisterResult>,
      {
        kind: removeJob,
        describe: 'remove a phone from Novu',
        run: (payload, context) => this.remove(payload, context),
        onFinished: (finish) => this.afterRemove(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<RemovePayload, RemoveResult>,
    ];
  }

  /** Queued for the worker; the same `dedupeKey` again is the same job. */
  async enqueueRegister(payload: RegisterPayload, dedupeKey: string): Promise<{ job: JobRecord; created: boolean }> {
    return this.services.queue.enqueue(registerJob, payload, { dedupeKey });
  }

  /** Stores a registration for a person waiting; `run` runs it. */
  acceptRegister(payload: RegisterPayload, intent: string): Promise<Accepted<RegisterResult>> {
    return this.services.queue.accept<RegisterResult>(registerJob, payload, `${registerJob}:${intent}`);
  }

  acceptRemove(payload: RemovePayload, intent: string): Promise<Accepted<RemoveResult>> {
    return this.services.queue.accept<RemoveResult>(removeJob, payload, `${removeJob}:${payload.workspaceKey}:${payload.identifier}:${intent}`);
  }

  /** Why the requester may not name this connection: only the tenant's own, or none (operators: any). */
  async connectionProblem(tenant: Tenant, userId: string, connectionIdentifier: string | undefined): Promise<string | undefined> {
    if (!connectionIdentifier || this.services.permissions.isOperator(userId)) return undefined;
    const own = await this.services.store.connections.find(tenant.key);
    return own?.identifier === connectionIdentifier ? undefined : 'Choose this workspace’s connection, or none.';
  }

  /**
   * Written in the tenant's context set as it is now: a job queued before a change of context
   * follows the change. The body may name no other tenant's connection (operators excepted).
   */
  private async register({ workspaceKey, requestedBy, body }: RegisterPayload, context: JobRunContext): Promise<RegisterResult> {
    const tenant = tenantOfKey(workspaceKey);
    const hint = await this.connectionProblem(tenant, requestedBy, body.connectionIdentifier);
    if (hint)
      throw new EndpointWriteError({ reason: `Connection ${body.connectionIdentifier} is not this workspace's`, hint, field: 'connection', terminal: true });
    const written = await this.writer.create(tenant, requestedBy, withContext(body, await this.writer.contexts.of(tenant)), context);
    if (!(await this.phones.isSms(body.integrationIdentifier))) return written;
    return { ...written, phone: await this.phones.afterRegistration(body.subscriberId, body.endpoint.phoneNumber, context) };
  }

  /** Deletes only what the tenant owns: its own record, and an endpoint Novu still has in its scope. */
  private remove({ workspaceKey, requestedBy, identifier }: RemovePayload, context: JobRunContext): Promise<RemoveResult> {
    const notOwn = () =>
      new TerminalJobError(`There is no phone endpoint ${identifier} in this workspace (Switchboard only changes the endpoints a workspace registered).`);
    return this.writer.remove(tenantOfKey(workspaceKey), requestedBy, identifier, ['phone'], context, notOwn);
  }

  private async afterRegister({ job, payload, outcome, deliveredInline, once, audit, tell }: JobFinish<RegisterResult, RegisterPayload>): Promise<void> {
    const done = outcome.status === 'done' ? outcome.result : undefined;
    const who = { workspaceKey: payload.workspaceKey, userId: payload.requestedBy, target: payload.body.subscriberId, backend: 'novu' } as const;
    // A CSV import's rows go to the audit trail only: its run posts once for all of them.
    const toChannel = !payload.importRow;
    await audit(
      {
        action: 'endpoint.register',
        outcome: done ? 'ok' : 'failed',
        ...who,
        backendId: payload.body.identifier,
        error: outcome.status === 'failed' ? outcome.error : undefined,
        detail: {
          integration: payload.body.integrationIdentifier,
          number: payload.body.endpoint.phoneNumber,
          existing: done?.existing,
          phone: done?.phone?.kind,
          attempts: job.attempts,
          importRun: payload.importRow?.runId,
        },
      },
      { toChannel },
    );
    if (done?.phone?.kind === 'set') {
      const detail = { phone: payload.body.endpoint.phoneNumber, previous: null, endpoint: payload.body.identifier };
      await once('audit:phone', () => this.services.audit.record({ action: 'subscriber.phone', outcome: 'ok', ...who, detail }, { toChannel }));
    }
    await once('listeners', async () => this.onRegistered?.(payload, outcome));
    if (!deliveredInline && !payload.importRow) await tell(payload.workspaceKey, payload.requestedBy, this.notes.registered(payload.body, outcome));
  }

  private async afterRemove({ payload, outcome, deliveredInline, audit, tell }: JobFinish<RemoveResult, RemovePayload>): Promise<void> {
    await audit({
      action: 'endpoint.remove',
      ...finishAudit(payload, outcome),
      backend: 'novu',
      backendId: payload.identifier,
    });
    if (!deliveredInline) await tell(payload.workspaceKey, payload.requestedBy, this.notes.deleted(payload.identifier, outcome));
  }
}
