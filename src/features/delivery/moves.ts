import type { NovuClient } from '../../backends/novu/client.js';
import { type JobDefinition, type JobFinish, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { ConnectionRecord, EndpointCursor, OwnedEndpoint, Store, WorkspaceKey } from '../../store/types.js';
import { contextKeysOf, sameContextKeys } from '../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../tenancy/tenant.js';
import type { ConnectionDeps } from '../deps.js';
import { bodyOf, type EndpointWriter, type MoveRequest, moveJob, type TargetScope } from '../endpoint-writer.js';
import { describeNovuFailure, novuJobStep } from '../novu-failures.js';
import { routeIdentifier } from '../routes/route-jobs.js';
import { type EndpointLabel, labelOf, type MoveResult } from './model.js';

export { moveJob };

const pageSize = 100;

/** Every endpoint recorded for the tenant, newest first, read a page at a time. */
export async function* recordedEndpoints(store: Store, workspaceKey: WorkspaceKey): AsyncGenerator<OwnedEndpoint> {
  let after: EndpointCursor | undefined;
  for (;;) {
    const page = await store.endpoints.page({ workspaceKey, after, limit: pageSize });
    yield* page;
    after = page.at(-1);
    if (!after || page.length < pageSize) return;
  }
}

/** Where a recorded endpoint belongs now: the connection's context set; a route also on its integration and connection. */
export function targetScope(tenant: Tenant, record: OwnedEndpoint, connection: ConnectionRecord): TargetScope {
  const context = connection.context ?? {};
  if (record.type === 'phone') {
    // A phone endpoint keeps a connection only if it is the tenant's current one: a replaced connection is deleted.
    const connectionIdentifier = record.connectionIdentifier === connection.identifier ? connection.identifier : null;
    return { identifier: record.identifier, integrationIdentifier: record.integrationIdentifier, connectionIdentifier, context };
  }
  return {
    identifier: routeIdentifier(tenant.id, connection.integrationIdentifier, record.type, record.subscriberId, record.target),
    integrationIdentifier: connection.integrationIdentifier,
    connectionIdentifier: connection.identifier,
    context,
  };
}

/** Recorded as written in that scope (an endpoint recorded before contexts were kept is not known to be). */
function recordedInScope(record: OwnedEndpoint, target: TargetScope): boolean {
  return (
    record.identifier === target.identifier &&
    record.integrationIdentifier === target.integrationIdentifier &&
    record.connectionIdentifier === target.connectionIdentifier &&
    record.contextKeys !== null &&
    sameContextKeys(record.contextKeys, contextKeysOf(target.context))
  );
}

/**
 * A change of the connection's context set (or integration) moves every route and phone endpoint
 * of the tenant with it, through the durable queue: Novu's worker would otherwise find the routes
 * under the old context and the connection under the new one, and deliver nothing
 * (docs/decisions.md, "One context per tenant"). Each endpoint is written again in the new scope
 * exactly once (deterministic identifiers, looked up after a lost answer); a job that runs again
 * skips what is already moved. A write that was in flight lands in the old scope and queues its
 * own move (EndpointWriter records what Novu holds and compares it with the tenant's scope).
 */
export class EndpointMoves {
  constructor(
    private readonly services: ConnectionDeps,
    private readonly novu: NovuClient,
    private readonly writer: EndpointWriter,
    /** What the person who asked is told: rendered by the feature's views. */
    private readonly render: (outcome: JobFinish<MoveResult>['outcome']) => SlackMessage,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: moveJob,
        describe: 'move routes and phones to the connection’s new context',
        run: (payload, context) => this.run(payload, context),
        onFinished: (finish) => this.afterMove(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<MoveRequest, MoveResult>,
    ];
  }

  /** Queues a move of the tenant's endpoints (or one of them) to its connection's scope; one job per dedupe key. */
  async enqueue(payload: MoveRequest, dedupeKey: string, runAt?: number): Promise<void> {
    await this.services.queue.enqueue(moveJob, payload, { dedupeKey, runAt });
  }

  /** What a move would touch now: how many endpoints are outside the connection's scope, and the first few. */
  async outOfScope(tenant: Tenant, connection: ConnectionRecord, sampleSize = 10): Promise<{ count: number; sample: EndpointLabel[] }> {
    let count = 0;
    const sample: EndpointLabel[] = [];
    for await (const record of recordedEndpoints(this.services.store, tenant.key)) {
      if (recordedInScope(record, targetScope(tenant, record, connection))) continue;
      count += 1;
      if (sample.length < sampleSize) sample.push(labelOf(record));
    }
    return { count, sample };
  }

  /** One move of a tenant at a time, on every replica: each reads the connection's scope when it starts, so the latest scope wins. */
  private run(payload: MoveRequest, context: JobRunContext): Promise<MoveResult> {
    return this.services.store.withLock(`novu-endpoints-move:${payload.workspaceKey}`, () => this.moveAll(payload, context));
  }

  private async moveAll(payload: MoveRequest, context: JobRunContext): Promise<MoveResult> {
    const tenant = tenantOfKey(payload.workspaceKey);
    const connection = await this.services.store.connections.find(tenant.key);
    if (!connection || connection.state === 'disconnecting' || connection.syncedAt === null)
      return { context: [], moved: [], failed: [], inScope: 0, noConnection: true };
    const result: MoveResult = { context: contextKeysOf(connection.context ?? {}), moved: [], failed: [], inScope: 0 };
    const one = payload.identifier ? await this.services.store.endpoints.find(payload.identifier) : undefined;
    if (payload.identifier && one?.workspaceKey !== tenant.key) throw new TerminalJobError('That route or endpoint is not this workspace’s.');
    const visit = async (record: OwnedEndpoint) => {
      const target = targetScope(tenant, record, connection);
      // A Fix names one endpoint because Novu's copy differs from the record: only Novu's answer counts then.
      if (await this.alreadyThere(record, target, { trustRecord: !payload.identifier })) {
        result.inScope += 1;
        return;
      }
      try {
        // Removed meanwhile: nothing is brought back.
        if (!(await this.writer.move(tenant, record, bodyOf(record, target), context))) return;
        result.moved.push(labelOf({ ...record, identifier: target.identifier }));
      } catch (error) {
        if (!(error instanceof TerminalJobError)) throw error;
        result.failed.push({ ...labelOf(record), reason: error.message });
      }
    };
    if (one) await visit(one);
    else for await (const record of recordedEndpoints(this.services.store, tenant.key)) await visit(record);
    return result;
  }

  /**
   * Recorded in the scope (when the record is trusted), or found in Novu in that scope, which is
   * then recorded instead of writing it again. Without trust, or for an endpoint recorded before
   * contexts were kept, Novu is asked.
   */
  private async alreadyThere(record: OwnedEndpoint, target: TargetScope, { trustRecord }: { trustRecord: boolean }): Promise<boolean> {
    if (trustRecord && recordedInScope(record, target)) return true;
    if ((trustRecord && record.contextKeys !== null) || record.identifier !== target.identifier) return false;
    const found = await novuJobStep(this.novu.findEndpoint(record.identifier));
    const keys = contextKeysOf(target.context);
    const there =
      found !== undefined &&
      sameContextKeys(found.contextKeys, keys) &&
      found.integrationIdentifier === target.integrationIdentifier &&
      (found.connectionIdentifier ?? null) === target.connectionIdentifier;
    if (there) await this.services.store.endpoints.rescope(record.identifier, { ...target, contextKeys: keys });
    return there;
  }

  private async afterMove({ job, payload, outcome, audit, tell }: JobFinish<MoveResult, MoveRequest>): Promise<void> {
    const done = outcome.status === 'done' ? outcome.result : undefined;
    // Nothing moved and nothing failed: nothing to note, nobody to tell.
    if (done && done.moved.length === 0 && done.failed.length === 0) return;
    await audit({
      action: 'delivery.move',
      outcome: outcome.status === 'failed' || (done?.failed.length ?? 0) > 0 ? 'failed' : 'ok',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      backend: 'novu',
      error: outcome.status === 'failed' ? outcome.error : done?.failed.map((failure) => `${failure.identifier}: ${failure.reason}`).join('; ') || undefined,
      detail: done
        ? {
            context: done.context,
            moved: done.moved.map((endpoint) => endpoint.identifier),
            failed: done.failed.map((endpoint) => endpoint.identifier),
            inScope: done.inScope,
          }
        : { attempts: job.attempts },
    });
    if (payload.requestedBy) await tell(payload.workspaceKey, payload.requestedBy, this.render(outcome));
  }
}
