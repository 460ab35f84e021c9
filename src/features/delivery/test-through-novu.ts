import { setTimeout as sleep } from 'node:timers/promises';
import type { NovuClient } from '../../backends/novu/client.js';
import type { TriggerBody } from '../../backends/novu/schemas.js';
import { BackendError } from '../../http/errors.js';
import { finishedOutcome, type JobDefinition, type JobFinish, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import { md } from '../../slack/mrkdwn.js';
import type { Replies, Reply } from '../../slack/replies.js';
import type { WorkspaceKey } from '../../store/types.js';
import { contextKeysOf } from '../../tenancy/novu-scope.js';
import { tenantOfKey } from '../../tenancy/tenant.js';
import type { TenantContexts } from '../../tenancy/tenant-contexts.js';
import type { ConnectionDeps } from '../deps.js';
import { asNovuJobError, describeNovuFailure, novuJobStep } from '../novu-failures.js';
import { labelOf, type TestPayload, type TestResult } from './model.js';
import type { TestChannel, TestWorkflows } from './test-workflows.js';
import { readVerdict, type TestedEndpoint, type Verdict } from './verdict.js';

export const testJob = 'novu.delivery.test';

/**
 * Test through Novu: a real trigger of Switchboard's own workflow for the endpoint's subscriber, in
 * the tenant's context, followed through Novu's own records until Novu has delivered it or said
 * where it stopped (bounded; in a job, never in a request). The transactionId is the job's, so a
 * retried job triggers nothing twice (Novu's worker refuses a transactionId it has seen).
 */
export class DeliveryTests {
  constructor(
    private readonly services: ConnectionDeps,
    private readonly novu: NovuClient,
    private readonly workflows: TestWorkflows,
    private readonly contexts: TenantContexts,
    private readonly replies: Replies,
    /** The result as the person reads it: rendered by the feature's views. */
    private readonly render: (outcome: JobFinish<TestResult>['outcome']) => Reply,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: testJob,
        describe: 'send a test through Novu',
        run: (payload, context) => this.run(payload, context),
        onFinished: (finish) => this.afterTest(finish),
        describeError: describeNovuFailure,
      } satisfies JobDefinition<TestPayload, TestResult>,
    ];
  }

  /** A test of this endpoint still on its way, if any: a second click joins it. */
  async running(workspaceKey: WorkspaceKey, identifier: string): Promise<boolean> {
    const jobs = await this.services.store.jobs.list({ statuses: ['pending', 'running'], workspaceKey, kinds: [testJob], limit: 50 });
    return jobs.some((job) => (job.payload as TestPayload).identifier === identifier);
  }

  /** Stores the test; the worker runs it. Returns the job's id. */
  async enqueue(payload: TestPayload, intent: string): Promise<string> {
    const { job } = await this.services.queue.enqueue(testJob, payload, {
      dedupeKey: `${testJob}:${payload.identifier}:${intent}`,
    });
    return job.id;
  }

  /** The result, if the test finished already (its own reply may have been drawn over by "Testing…"). */
  async finishedReply(jobId: string): Promise<Reply | undefined> {
    const job = await this.services.store.jobs.get(jobId);
    const outcome = job && finishedOutcome<TestResult>(job);
    return outcome && this.render(outcome);
  }

  private async run(payload: TestPayload, context: JobRunContext): Promise<TestResult> {
    const record = await this.services.store.endpoints.find(payload.identifier);
    if (!record || (record.workspaceKey !== payload.workspaceKey && !this.services.permissions.isOperator(payload.requestedBy)))
      throw new TerminalJobError('There is no such route or phone endpoint in this workspace.');
    const integrations = await novuJobStep(this.services.integrations?.list() ?? Promise.resolve([]));
    const integration = integrations.find((candidate) => candidate.identifier === record.integrationIdentifier);
    const channel: TestChannel = integration?.channel === 'sms' ? 'sms' : 'chat';
    // An operator's test of another workspace's endpoint runs in that workspace's context.
    const tenantContext = await this.contexts.of(tenantOfKey(record.workspaceKey));
    const result = (verdict: Verdict): TestResult => ({
      verdict,
      endpoint: labelOf(record),
      integration: record.integrationIdentifier,
      channel,
      context: contextKeysOf(tenantContext),
    });
    const transactionId = `switchboard-test-${context.job.id}`;
    if (!integration) return result({ outcome: 'integration-inactive', transactionId, details: [] });

    const body: TriggerBody = {
      name: await novuJobStep(this.workflows.ensure(channel)),
      to: record.subscriberId,
      payload: { message: testText(channel, record.subscriberId) },
      transactionId,
      ...(Object.keys(tenantContext).length > 0 ? { context: tenantContext } : {}),
      // Novu's SMS step sends through the primary SMS integration unless the trigger names one.
      ...(channel === 'sms' ? { overrides: { sms: { integrationIdentifier: record.integrationIdentifier } } } : {}),
    };
    try {
      const answer = await this.novu.trigger(body, { idempotencyKey: context.runId, retry: 'unsent', deadlineMs: context.deadlineMs });
      if (answer.status !== 'processed') return result({ outcome: 'trigger-refused', transactionId, error: answer.status, details: answer.error ?? [] });
    } catch (error) {
      if (error instanceof BackendError && error.status === 422 && /workflow_not_found/.test(error.vendorMessage ?? '')) {
        // Someone deleted Switchboard's workflow in Novu: it is made again on the next attempt.
        this.workflows.forget(channel);
        throw new Error('Novu no longer had Switchboard’s test workflow; it is made again and the test retried');
      }
      throw asNovuJobError(error);
    }
    return result(await this.follow(record, channel, transactionId));
  }

  /** Reads Novu's records until the step is finished, or the configured wait is over. */
  private async follow(record: TestedEndpoint, channel: TestChannel, transactionId: string): Promise<Verdict> {
    const deadline = Date.now() + (this.services.config.novu?.testWaitMs ?? 60_000);
    for (let round = 0; ; round += 1) {
      try {
        const activities = await this.novu.activities(transactionId);
        const messages = channel === 'sms' && activities.length > 0 ? await this.novu.messages(transactionId) : [];
        const verdict = readVerdict(record, channel, transactionId, activities, messages);
        if (verdict) return verdict;
      } catch (error) {
        // A failed read is not the test's outcome: read again until the wait is over.
        this.services.logger.warn({ err: error, transactionId }, 'could not read Novu’s record of a test');
      }
      if (Date.now() >= deadline) return { outcome: 'not-processed', transactionId, details: [] };
      await sleep(Math.min(250 * 2 ** round, 3_000, Math.max(0, deadline - Date.now())));
    }
  }

  private async afterTest({ payload, outcome, once, audit }: JobFinish<TestResult, TestPayload>): Promise<void> {
    await audit({
      action: 'delivery.test',
      outcome: outcome.status === 'done' && outcome.result.verdict.outcome === 'delivered' ? 'ok' : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: outcome.status === 'done' ? `${outcome.result.endpoint.type} ${outcome.result.endpoint.target}` : payload.identifier,
      backend: 'novu',
      backendId: outcome.status === 'done' ? outcome.result.verdict.transactionId : undefined,
      error: outcome.status === 'failed' ? outcome.error : outcome.result.verdict.outcome === 'delivered' ? undefined : outcome.result.verdict.outcome,
      detail: { endpoint: payload.identifier },
    });
    await once('reply', () => this.replies.send(payload.workspaceKey, payload.requestedBy, payload.replyTo, this.render(outcome)));
  }
}

/** The test's text: Slack reads a chat step's body as mrkdwn, an SMS is plain. */
function testText(channel: TestChannel, subscriberId: string): string {
  const who = channel === 'chat' ? md`${subscriberId}`.text : subscriberId;
  return `Test notification from Switchboard for subscriber ${who}, sent through Novu to check that it arrives here. Nothing to do.`;
}
