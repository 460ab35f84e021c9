import { finishedOutcome, type JobDefinition, type JobFinish, type JobRunContext } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { AuditOutcome, BulkItem, BulkRunBase, BulkRunRecords } from '../../store/types.js';
import type { BulkDeps } from '../deps.js';
import { type AuditStep, type BulkFeature, type ItemOutcome, type RunPayload, runItems } from './feature.js';
import { RunMessages } from './run-message.js';
import { SummaryFiles } from './summary-files.js';

/**
 * One bulk run, whatever it does: a dry run gives every item its verdict, stored with the run;
 * once someone confirms, each waiting item becomes one durable job of its own. Progress is one
 * message in the requester's DM, updated as the items' jobs finish; summaries come as CSV files in
 * the same DM. An item is settled by its job's follow-up, which the queue delivers at least once
 * (after a crash, by another worker), so after a restart the queued jobs carry on, the message
 * catches up, and no run waits forever.
 */
export class BulkEngine<Run extends BulkRunBase, Fields, Item extends BulkItem, Result> {
  private readonly messages: RunMessages<Run, Item>;
  private readonly files: SummaryFiles<Run, Item> | undefined;

  constructor(
    private readonly services: BulkDeps,
    private readonly records: BulkRunRecords<Run, Fields, Item>,
    private readonly feature: BulkFeature<Run, Item, Result>,
  ) {
    this.messages = new RunMessages(services, records, feature);
    const { file } = feature.jobs;
    if (file && feature.files) this.files = new SummaryFiles(services, records, this.messages, file, feature.files);
  }

  get definitions(): JobDefinition[] {
    return [
      {
        kind: this.feature.jobs.plan,
        describe: 'look over a CSV import or a Link everyone before writing',
        run: (payload, context) => this.plan(payload, context),
        onFinished: (finish) => this.afterPlan(finish),
        describeError: (error) => this.feature.describePlanError(error),
      } satisfies JobDefinition<RunPayload, { items: number }>,
      {
        kind: this.feature.jobs.apply,
        describe: 'start the writes of a CSV import or a Link everyone',
        run: (payload) => this.queueItems(payload),
        onFinished: (finish) => this.afterApply(finish),
      } satisfies JobDefinition<RunPayload, { queued: number }>,
      ...(this.files?.definitions ?? []),
    ];
  }

  private get statuses() {
    return this.records.kind.statuses;
  }

  /** A run, and its dry run queued. The same intent again starts nothing new. */
  async start(actor: Actor, request: Fields & { intent?: string }): Promise<{ run: Run; created: boolean }> {
    const { run, created } = await this.records.create({ ...request, workspaceKey: actor.tenant.key, requestedBy: actor.userId });
    if (created) await this.audit('start', run, 'queued', actor.userId);
    try {
      // Queued again for a repeated request too (it is the same job): a run whose first request stopped short of this line gets its dry run.
      await this.resume(run);
    } catch (error) {
      // Nothing will check this run: it ends (and is pruned); the caller tells the person to try again.
      if (created)
        await this.records.transition(run.id, [this.statuses.planning], this.statuses.failed, { error: 'The check could not be queued.' }).catch(() => false);
      throw error;
    }
    return { run, created };
  }

  /** Queues the job of a run at work again (once, by its key): a run whose process stopped before storing it would wait forever. */
  async resume(run: Run): Promise<void> {
    if (run.status === this.statuses.planning) await this.enqueue(this.feature.jobs.plan, run, run.requestedBy);
    else if (run.status === this.statuses.applying) await this.enqueue(this.feature.jobs.apply, run, run.confirmedBy ?? run.requestedBy);
  }

  /**
   * Someone confirmed the dry run: a job per waiting item, stored before the run's message says it
   * is under way (when the store cannot take it, `notStored` says so). False when the run is not
   * the actor's workspace's.
   */
  async confirm(actor: Actor, runId: string, notStored: (text: string) => Promise<unknown>): Promise<boolean> {
    const run = await this.tenantsRun(actor, runId, 'confirm');
    if (!run) return false;
    const stored = await this.services.queue.storedThenTold(() => this.storeConfirmation(actor, run), { notStored });
    if (stored?.turned) await this.messages.report(runId, true);
    return true;
  }

  /** The run turned to applying (once) and its one job stored, whoever clicks and however often: a click on a run confirmed before a crash queues what was missing. */
  private async storeConfirmation(actor: Actor, run: Run): Promise<{ turned: boolean }> {
    const turned = await this.records.transition(run.id, [this.statuses.planned], this.statuses.applying, { confirmedBy: actor.userId });
    if (!turned && run.status !== this.statuses.applying) return { turned };
    if (turned) await this.audit('confirm', run, 'queued', actor.userId);
    await this.enqueue(this.feature.jobs.apply, run, run.confirmedBy ?? actor.userId);
    return { turned };
  }

  /** False when the run is not the actor's workspace's. */
  async cancel(actor: Actor, runId: string): Promise<boolean> {
    const run = await this.tenantsRun(actor, runId, 'cancel');
    if (!run) return false;
    if (await this.records.transition(runId, [this.statuses.planned], this.statuses.cancelled)) {
      await this.audit('cancel', run, 'ok', actor.userId);
      await this.messages.report(runId, true);
    }
    return true;
  }

  /** An item's job finished (from its follow-up, delivered at least once): the item is settled, the run reported or finished. */
  async itemFinished(runId: string, key: string | number, outcome: ItemOutcome<Result>): Promise<void> {
    const settled = await this.settle(runId, key, outcome);
    // Settled before (this follow-up delivered again after a crash): the run may still need finishing.
    if (!(await this.finishIfDone(runId)) && settled) await this.messages.report(runId);
  }

  /** Brings the run's message up to date (at most every 1.5 s). */
  report(runId: string): Promise<void> {
    return this.messages.report(runId);
  }

  /** The run, when it is the actor's workspace's; a try at another's is audited as refused. */
  private async tenantsRun(actor: Actor, runId: string, step: AuditStep): Promise<Run | undefined> {
    const run = await this.records.get(runId);
    if (run?.workspaceKey === actor.tenant.key) return run;
    const audit = this.feature.audit;
    if (audit) {
      const entry = { action: `${audit.prefix}.${step}`, outcome: 'refused' as const, workspaceKey: actor.tenant.key, userId: actor.userId };
      await this.services.audit.record({ ...entry, error: audit.notFound, detail: { run: runId.slice(0, 64) } });
    }
    return undefined;
  }

  private async enqueue(kind: string, run: Run, requestedBy: string): Promise<void> {
    const payload: RunPayload = { workspaceKey: run.workspaceKey, runId: run.id, requestedBy };
    await this.services.queue.enqueue(kind, payload, { dedupeKey: `${kind}:${run.id}` });
  }

  private async audit(step: AuditStep, run: Run, outcome: AuditOutcome, userId: string, error?: string): Promise<void> {
    const audit = this.feature.audit;
    if (!audit) return;
    const detail = audit.detail(step, run, await this.records.counts(run.id));
    await this.services.audit.record({
      action: `${audit.prefix}.${step}`,
      outcome,
      workspaceKey: run.workspaceKey,
      userId,
      target: audit.target(run),
      ...(step === 'finish' ? { backend: 'novu' } : {}),
      error,
      detail: { run: run.id, ...detail },
    });
  }

  /** The dry run: the feature's verdict on each item, stored with the run. Nothing is written elsewhere. */
  private async plan({ runId }: RunPayload, context: JobRunContext): Promise<{ items: number }> {
    const run = await this.records.get(runId);
    if (run?.status !== this.statuses.planning) return { items: 0 };
    await this.messages.report(runId, true);
    const items = await this.feature.plan(run, context);
    await this.records.saveItems(runId, items);
    context.logger.info({ runId, kind: this.records.kind.name, items: items.length }, 'bulk run planned');
    return { items: items.length };
  }

  private async afterPlan({ payload: { runId, requestedBy }, outcome, once }: JobFinish<{ items: number }, RunPayload>): Promise<void> {
    const { planning, planned, failed } = this.statuses;
    // A follow-up delivered again finds the run moved already, and goes on with what is left of it.
    if (outcome.status === 'done') await this.records.transition(runId, [planning], planned);
    else await this.records.transition(runId, [planning], failed, { error: outcome.error });
    const run = await this.records.get(runId);
    if (run?.status !== (outcome.status === 'done' ? planned : failed)) return;
    const error = outcome.status === 'failed' ? outcome.error : undefined;
    await once('audit', () => this.audit('check', run, error ? 'failed' : 'ok', requestedBy, error));
    await this.messages.report(runId, true);
    const files = this.files;
    if (!error && files) await once('problems-file', () => files.queue(run, 'problems', requestedBy));
  }

  /** Queues the waiting items' jobs, a page at a time; run again after a restart, it queues none twice. */
  private async queueItems({ runId, requestedBy }: RunPayload): Promise<{ queued: number }> {
    const run = await this.records.get(runId);
    // A run that stopped (this job gave up before, and was retried by hand since) writes nothing more.
    if (run?.status !== this.statuses.applying) return { queued: 0 };
    let queued = 0;
    let settled = 0;
    for await (const item of runItems(this.records, runId, this.records.kind.waiting)) {
      const { job, created } = await this.feature.enqueue(run, item, requestedBy);
      // Queued before a restart and finished since, but not followed up: take the job's outcome.
      const outcome = created ? undefined : finishedOutcome<Result>(job);
      if (outcome && (await this.settle(runId, this.records.kind.key(item), outcome))) settled += 1;
      queued += 1;
    }
    if (!(await this.finishIfDone(runId)) && settled > 0) await this.messages.report(runId);
    return { queued };
  }

  /** The job queueing the items gave up: the run stops there, and the people involved hear why. */
  private async afterApply({ payload: { runId, requestedBy }, outcome, once }: JobFinish<{ queued: number }, RunPayload>): Promise<void> {
    if (outcome.status === 'done') return;
    const error = this.feature.notQueued?.(outcome.error) ?? outcome.error;
    await this.records.transition(runId, [this.statuses.applying], this.statuses.failed, { error });
    const run = await this.records.get(runId);
    if (run?.status !== this.statuses.failed) return;
    await once('audit', () => this.audit('finish', run, 'failed', requestedBy, outcome.error));
    await this.messages.report(runId, true);
    await this.messages.tell(run, await this.messages.current(run), once);
  }

  private settle(runId: string, key: string | number, outcome: ItemOutcome<Result>): Promise<boolean> {
    const { state, detail, tag } = this.feature.settlement(outcome);
    return this.records.settle(runId, key, state, detail, tag);
  }

  /**
   * True when no item is waiting any more; the first to see it ends the run, with its audit line and
   * its failures file. A run found done already — by this follow-up before a crash cut it short,
   * or by another item's — gets its message and its failures file again (both idempotent), so a
   * process killed between the turn to done and the message leaves no run that says "Linking…".
   */
  private async finishIfDone(runId: string): Promise<boolean> {
    const counts = await this.records.counts(runId);
    if (counts[this.records.kind.waiting] > 0) return false;
    if (!(await this.records.transition(runId, [this.statuses.applying], this.statuses.done))) {
      const done = await this.records.get(runId);
      if (done?.status !== this.statuses.done) return true;
      await this.messages.report(runId, true);
      await this.files?.queue(done, 'failures', done.confirmedBy ?? done.requestedBy);
      return true;
    }
    const run = await this.records.get(runId);
    if (!run) return true;
    const by = run.confirmedBy ?? run.requestedBy;
    await this.audit('finish', run, counts[this.records.kind.failed] > 0 ? 'failed' : 'ok', by);
    await this.messages.report(runId, true);
    await this.files?.queue(run, 'failures', by);
    return true;
  }
}
