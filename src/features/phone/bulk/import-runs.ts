import type { WebClient } from '@slack/web-api';
import type { CreatePhoneEndpointBody } from '../../../backends/novu/schemas.js';
import { BackendError } from '../../../http/errors.js';
import { describeJobError, type JobFinish, type JobRunContext, TerminalJobError } from '../../../jobs/queue.js';
import type { Actor } from '../../../slack/actor.js';
import type { SlackMessage } from '../../../slack/bot-clients.js';
import { keptPhoneDetail } from '../../../store/records/phone-imports.js';
import type { ImportRow, ImportRowState, JobRecord, PhoneImport, WorkspaceKey } from '../../../store/types.js';
import type { NovuScope } from '../../../tenancy/novu-scope.js';
import { type Tenant, tenantOfKey } from '../../../tenancy/tenant.js';
import type { PhoneDeps } from '../../deps.js';
import { describeNovuFailure } from '../../novu-failures.js';
import { type EndpointJobs, type RegisterPayload, type RegisterResult, registerJob } from '../endpoint-jobs.js';
import { toCsv } from './csv.js';
import { checkImportFile, type ImportUpload } from './dry-run.js';
import {
  failuresFileComment,
  failuresFileName,
  importRunMessage,
  problemsFileComment,
  problemsFileName,
  problemsShown,
  rowsFileLines,
  rowsFileNotSentMessage,
  rowsNotQueuedError,
} from './messages.js';
import { postCsv } from './slack-files.js';

export const planImportJob = 'phone.csv.plan';
/** Not `phone.csv.apply`: that is the Register button's action id. */
export const queueRowsJob = 'phone.csv.queue-rows';
export const sendRowsFileJob = 'phone.csv.rows-file';

interface RunPayload {
  workspaceKey: WorkspaceKey;
  runId: string;
  requestedBy: string;
}

interface RowsFilePayload extends RunPayload {
  kind: 'problems' | 'failures';
}

/** The register job of a row: known from the run and the row, so queueing the rows again finds it. */
const rowJobKey = (runId: string, rowNumber: number) => `${registerJob}:csv:${runId}:${rowNumber}`;

/** At most one progress update this often (chat.update is rate limited at about one a second per channel). */
const reportEveryMs = 1_500;
const rowsPerPage = 200;

/**
 * Phone endpoints from a CSV file: a dry run reads the file (with the tenant's own bot token) and
 * gives every row a verdict, stored with the run; once someone confirms, each ready row becomes one
 * durable register job — the same job `/phone register` uses, so the endpoint identifier is the
 * one the form would derive and a row registered twice is one endpoint. Progress is one message in
 * the requester's DM, updated as the rows finish; the rows with problems, and those Novu refused,
 * come as CSV files in the same DM. After a restart the queued jobs carry on and the message
 * catches up. A row is settled by its register job's follow-up, which the queue delivers at least
 * once (after a crash, by another worker), so no run waits forever.
 */
export class PhoneImports {
  constructor(
    private readonly services: PhoneDeps,
    private readonly endpointJobs: EndpointJobs,
    private readonly scope: NovuScope,
  ) {
    services.queue.define<RunPayload, { rows: number }>({
      kind: planImportJob,
      run: (payload, context) => this.plan(payload, context),
      onFinished: (finish) => this.afterPlan(finish),
      describeError: describePlanFailure,
    });
    services.queue.define<RunPayload, { queued: number }>({
      kind: queueRowsJob,
      run: (payload) => this.queueRows(payload),
      onFinished: (finish) => this.afterQueueRows(finish),
    });
    services.queue.define<RowsFilePayload, { rows: number }>({
      kind: sendRowsFileJob,
      run: (payload) => this.sendRowsFile(payload),
      onFinished: (finish) => this.afterRowsFile(finish),
    });
    endpointJobs.onRegistered((payload, outcome) => this.rowFinished(payload, outcome));
  }

  /** A form was submitted: a run, and its dry run queued. Submitting the same form again starts nothing new. */
  async start(actor: Actor, upload: ImportUpload, intent: string): Promise<void> {
    const { run, created } = await this.services.store.phoneImports.create({
      workspaceKey: actor.tenant.key,
      requestedBy: actor.userId,
      intent,
      fileId: upload.fileId,
      fileName: upload.fileName,
      defaultIntegration: upload.defaultIntegration,
    });
    if (created) {
      await this.services.audit.record({
        action: 'phone.csv.start',
        outcome: 'queued',
        workspaceKey: run.workspaceKey,
        userId: actor.userId,
        target: run.fileName,
        detail: { run: run.id, file: run.fileId, defaultIntegration: run.defaultIntegration },
      });
    }
    try {
      // Queued again for a repeated submission too (it is the same job): a run whose first submission died before this line gets its dry run.
      await this.enqueue(planImportJob, run, run.requestedBy);
    } catch (error) {
      // Nothing will check this run: mark it ended (and prunable); the caller tells the person to try again.
      if (created)
        await this.services.store.phoneImports.transition(run.id, ['reading'], 'failed', { error: 'The check could not be queued.' }).catch(() => false);
      throw error;
    }
  }

  /** Someone confirmed the dry run: a job per ready row. False when the run is not the actor's tenant's. */
  async confirm(actor: Actor, runId: string): Promise<boolean> {
    const run = await this.tenantsRun(actor, runId, 'phone.csv.confirm');
    if (!run) return false;
    const confirmed = await this.services.store.phoneImports.transition(runId, ['planned'], 'registering', { confirmedBy: actor.userId });
    if (!confirmed && run.status !== 'registering') return true;
    if (confirmed) {
      const counts = await this.services.store.phoneImports.counts(runId);
      await this.services.audit.record({
        action: 'phone.csv.confirm',
        outcome: 'queued',
        workspaceKey: run.workspaceKey,
        userId: actor.userId,
        target: run.fileName,
        detail: { run: runId, rows: counts.ready },
      });
    }
    // One job per run, whoever clicks and however often: a click on a run confirmed before a crash queues what was missing.
    const requestedBy = run.confirmedBy ?? actor.userId;
    await this.enqueue(queueRowsJob, run, requestedBy);
    if (confirmed) await this.report(runId, { final: true });
    return true;
  }

  async cancel(actor: Actor, runId: string): Promise<boolean> {
    const run = await this.tenantsRun(actor, runId, 'phone.csv.cancel');
    if (!run) return false;
    if (await this.services.store.phoneImports.transition(runId, ['planned'], 'cancelled')) {
      await this.services.audit.record({
        action: 'phone.csv.cancel',
        outcome: 'ok',
        workspaceKey: run.workspaceKey,
        userId: actor.userId,
        target: run.fileName,
        detail: { run: runId },
      });
      await this.report(runId, { final: true });
    }
    return true;
  }

  /** The run, when it is the actor's tenant's; a try at another tenant's is audited as refused. */
  private async tenantsRun(actor: Actor, runId: string, action: string): Promise<PhoneImport | undefined> {
    const run = await this.services.store.phoneImports.get(runId);
    if (run?.workspaceKey === actor.tenant.key) return run;
    await this.services.audit.record({
      action,
      outcome: 'refused',
      workspaceKey: actor.tenant.key,
      userId: actor.userId,
      error: 'No such import in this workspace',
      detail: { run: runId.slice(0, 64) },
    });
    return undefined;
  }

  private async enqueue(kind: string, run: PhoneImport, requestedBy: string, extra: Partial<RowsFilePayload> = {}): Promise<void> {
    const payload = { workspaceKey: run.workspaceKey, runId: run.id, requestedBy, ...extra };
    await this.services.queue.enqueue(kind, payload, {
      dedupeKey: [kind, run.id, extra.kind].filter(Boolean).join(':'),
      workspaceKey: run.workspaceKey,
      requestedBy,
    });
  }

  /** The dry run: reads the file with the tenant's bot token and gives each row its verdict. Nothing is written to Novu. */
  private async plan({ workspaceKey, runId }: RunPayload, context: JobRunContext): Promise<{ rows: number }> {
    const run = await this.services.store.phoneImports.get(runId);
    if (run?.status !== 'reading') return { rows: 0 };
    await this.postProgressMessage(run);
    const rows = await checkImportFile(this.services, tenantOfKey(workspaceKey), run);
    await this.services.store.phoneImports.saveRows(runId, rows);
    context.logger.info({ runId, rows: rows.length }, 'phone import checked');
    return { rows: rows.length };
  }

  private async afterPlan({ job, outcome, once }: JobFinish<{ rows: number }>): Promise<void> {
    const { runId, requestedBy } = job.payload as RunPayload;
    const { store } = this.services;
    // A follow-up delivered again finds the run moved already, and goes on with what is left of it.
    if (outcome.status === 'done') await store.phoneImports.transition(runId, ['reading'], 'planned');
    else await store.phoneImports.transition(runId, ['reading'], 'failed', { error: outcome.error });
    const run = await store.phoneImports.get(runId);
    if (run?.status !== (outcome.status === 'done' ? 'planned' : 'failed')) return;
    const counts = await store.phoneImports.counts(runId);
    await once('audit', () =>
      this.services.audit.record({
        action: 'phone.csv.check',
        outcome: outcome.status === 'done' ? 'ok' : 'failed',
        workspaceKey: run.workspaceKey,
        userId: requestedBy,
        target: run.fileName,
        error: outcome.status === 'failed' ? outcome.error : undefined,
        detail: { run: runId, ready: counts.ready, alreadyRegistered: counts['already-registered'], problems: counts.problem },
      }),
    );
    await this.report(runId, { final: true });
    if (counts.problem > 0) await once('problems-file', () => this.enqueue(sendRowsFileJob, run, requestedBy, { kind: 'problems' }));
  }

  /** Queues the ready rows' jobs, a page at a time; run again after a restart, it queues no row twice. */
  private async queueRows({ workspaceKey, runId, requestedBy }: RunPayload): Promise<{ queued: number }> {
    // A run that stopped (this job gave up before, and was retried by hand since) writes nothing more.
    if ((await this.services.store.phoneImports.get(runId))?.status !== 'registering') return { queued: 0 };
    const tenant = tenantOfKey(workspaceKey);
    let queued = 0;
    let settled = 0;
    let afterRow: number | undefined;
    for (;;) {
      const page = await this.services.store.phoneImports.rows(runId, { states: ['ready'], afterRow, limit: rowsPerPage });
      for (const row of page) {
        const payload: RegisterPayload = { workspaceKey, requestedBy, body: this.bodyOf(tenant, row), importRow: { runId, row: row.rowNumber } };
        const { job, created } = await this.endpointJobs.enqueueRegister(payload, rowJobKey(runId, row.rowNumber));
        // Queued before a restart and finished since, but not followed up: take the job's outcome.
        if (!created) settled += (await this.settleFromJob(runId, row.rowNumber, job)) ? 1 : 0;
        queued += 1;
      }
      afterRow = page.at(-1)?.rowNumber;
      if (page.length < rowsPerPage) break;
    }
    if (!(await this.finishIfDone(runId)) && settled > 0) await this.report(runId);
    return { queued };
  }

  /** The rows-queueing job gave up: the run stops there, and the people involved hear why. */
  private async afterQueueRows({ job, outcome, once }: JobFinish<{ queued: number }>): Promise<void> {
    if (outcome.status === 'done') return;
    const { runId, requestedBy } = job.payload as RunPayload;
    const { store } = this.services;
    await store.phoneImports.transition(runId, ['registering'], 'failed', { error: rowsNotQueuedError(outcome.error) });
    const run = await store.phoneImports.get(runId);
    if (run?.status !== 'failed') return;
    const counts = await store.phoneImports.counts(runId);
    await once('audit', () =>
      this.services.audit.record({
        action: 'phone.csv.finish',
        outcome: 'failed',
        workspaceKey: run.workspaceKey,
        userId: requestedBy,
        target: run.fileName,
        backend: 'novu',
        error: outcome.error,
        detail: {
          run: runId,
          created: counts.created,
          alreadyRegistered: counts['already-registered'] + counts.existing,
          failed: counts.failed,
          waiting: counts.ready,
        },
      }),
    );
    await this.report(runId, { final: true });
    await this.tellPeople(run, importRunMessage(run, counts), once);
  }

  private bodyOf(tenant: Tenant, row: ImportRow): CreatePhoneEndpointBody {
    return {
      identifier: row.identifier ?? '',
      type: 'phone',
      subscriberId: row.subscriberId ?? '',
      integrationIdentifier: row.integration ?? '',
      context: this.scope.context(tenant),
      endpoint: { phoneNumber: row.phone ?? '' },
    };
  }

  /** A finished job's outcome for its row; true when the row was waiting for it. The caller reports. */
  private async settleFromJob(runId: string, rowNumber: number, job: JobRecord): Promise<boolean> {
    if (job.status === 'done') return this.settleRow(runId, rowNumber, { status: 'done', result: job.result as RegisterResult });
    if (job.status === 'dead') return this.settleRow(runId, rowNumber, { status: 'failed', error: job.lastError ?? 'failed' });
    return false;
  }

  private async rowFinished(payload: RegisterPayload, outcome: JobFinish<RegisterResult>['outcome']): Promise<void> {
    if (payload.importRow) await this.settle(payload.importRow.runId, payload.importRow.row, outcome);
  }

  private async settle(runId: string, rowNumber: number, outcome: JobFinish<RegisterResult>['outcome']): Promise<void> {
    if (!(await this.settleRow(runId, rowNumber, outcome))) return;
    if (!(await this.finishIfDone(runId))) await this.report(runId);
  }

  private settleRow(runId: string, rowNumber: number, outcome: JobFinish<RegisterResult>['outcome']): Promise<boolean> {
    const state: Extract<ImportRowState, 'created' | 'existing' | 'failed'> =
      outcome.status === 'failed' ? 'failed' : outcome.result.existing ? 'existing' : 'created';
    const kept = outcome.status === 'done' && outcome.result.phone?.kind === 'kept' ? outcome.result.phone.current : undefined;
    const detail = outcome.status === 'failed' ? outcome.error.slice(0, 500) : kept ? `${keptPhoneDetail}${kept}` : undefined;
    return this.services.store.phoneImports.settleRow(runId, rowNumber, state, detail);
  }

  private async finishIfDone(runId: string): Promise<boolean> {
    const { store } = this.services;
    const counts = await store.phoneImports.counts(runId);
    if (counts.ready > 0) return false;
    if (!(await store.phoneImports.transition(runId, ['registering'], 'done'))) return true;
    const run = await store.phoneImports.get(runId);
    if (!run) return true;
    await this.services.audit.record({
      action: 'phone.csv.finish',
      outcome: counts.failed > 0 ? 'failed' : 'ok',
      workspaceKey: run.workspaceKey,
      userId: run.confirmedBy ?? run.requestedBy,
      target: run.fileName,
      backend: 'novu',
      detail: { run: runId, created: counts.created, alreadyRegistered: counts['already-registered'] + counts.existing, failed: counts.failed },
    });
    await this.report(runId, { final: true });
    if (counts.failed > 0) await this.enqueue(sendRowsFileJob, run, run.confirmedBy ?? run.requestedBy, { kind: 'failures' });
    return true;
  }

  /** The rows with problems (after the dry run) or those Novu refused (at the end), as a CSV in the requester's DM. */
  private async sendRowsFile({ workspaceKey, runId, kind }: RowsFilePayload): Promise<{ rows: number }> {
    const run = await this.services.store.phoneImports.get(runId);
    if (!run) return { rows: 0 };
    const rows = await this.allRows(runId, kind === 'problems' ? 'problem' : 'failed');
    if (rows.length === 0) return { rows: 0 };
    const client = await this.services.bots.forWorkspace(workspaceKey);
    if (!client) throw new TerminalJobError('Switchboard is no longer installed in this workspace.');
    const content = toCsv(rowsFileLines(rows, kind === 'problems' ? 'problem' : 'reason'));
    const filename = kind === 'problems' ? problemsFileName(run) : failuresFileName(run);
    const comment = kind === 'problems' ? problemsFileComment(run, rows.length) : failuresFileComment(run, rows.length);
    await postCsv(client, run.channelId ?? (await this.directMessageChannel(client, run.requestedBy)), { filename, title: filename, content, comment });
    return { rows: rows.length };
  }

  /** The rows file could not be sent: the requester hears so, instead of waiting for it. */
  private async afterRowsFile({ job, outcome, once }: JobFinish<{ rows: number }>): Promise<void> {
    if (outcome.status === 'done') return;
    const { runId, kind } = job.payload as RowsFilePayload;
    const run = await this.services.store.phoneImports.get(runId);
    if (run) await this.tellPeople(run, rowsFileNotSentMessage(run, kind, outcome.error), once);
  }

  /** A direct message to who started the run, and to who confirmed it if someone else did; each once, from a follow-up. */
  private async tellPeople(run: PhoneImport, message: SlackMessage, once: JobFinish['once']): Promise<void> {
    const people = new Set([run.requestedBy, ...(run.confirmedBy ? [run.confirmedBy] : [])]);
    for (const userId of people) await once(`dm:${userId}`, () => this.services.bots.sendDirectMessage(run.workspaceKey, userId, message));
  }

  private async allRows(runId: string, state: ImportRowState): Promise<ImportRow[]> {
    const rows: ImportRow[] = [];
    for (;;) {
      const page = await this.services.store.phoneImports.rows(runId, { states: [state], afterRow: rows.at(-1)?.rowNumber, limit: rowsPerPage });
      rows.push(...page);
      if (page.length < rowsPerPage) return rows;
    }
  }

  private async directMessageChannel(client: WebClient, userId: string): Promise<string> {
    const opened = await client.conversations.open({ users: userId });
    if (!opened.channel?.id) throw new Error('Slack opened no direct message channel');
    return opened.channel.id;
  }

  private async postProgressMessage(run: PhoneImport): Promise<void> {
    if (run.messageTs) return;
    const client = await this.services.bots.forWorkspace(run.workspaceKey);
    if (!client) return;
    try {
      const posted = await client.chat.postMessage({
        channel: run.requestedBy,
        ...importRunMessage(run, await this.services.store.phoneImports.counts(run.id)),
      } as never);
      if (posted.channel && posted.ts) await this.services.store.phoneImports.setMessage(run.id, posted.channel, posted.ts);
    } catch (error) {
      this.services.logger.warn({ err: error, runId: run.id }, 'could not post the progress message of a phone import');
    }
  }

  /** Brings the run's message up to date: at most every 1.5 s while it works, always at a turn of its state. */
  private async report(runId: string, { final = false } = {}): Promise<void> {
    const { store, bots, logger } = this.services;
    await store.withLock(`phone-import-report:${runId}`, async () => {
      if (!(await store.phoneImports.claimReport(runId, final ? 0 : reportEveryMs))) return;
      const run = await store.phoneImports.get(runId);
      if (!run?.channelId || !run.messageTs) return;
      const counts = await store.phoneImports.counts(runId);
      const details =
        run.status === 'done'
          ? { problems: {}, firstProblems: [], keptPhones: await store.phoneImports.keptPhones(runId) }
          : run.status === 'planned'
            ? {
                problems: await store.phoneImports.problemCounts(runId),
                firstProblems: await store.phoneImports.rows(runId, { states: ['problem'], limit: problemsShown }),
              }
            : undefined;
      const client = await bots.forWorkspace(run.workspaceKey);
      await client?.chat
        .update({ channel: run.channelId, ts: run.messageTs, ...importRunMessage(run, counts, details) } as never)
        .catch((error: unknown) => logger.warn({ err: error, runId }, 'could not update the progress message of a phone import'));
    });
  }
}

/** Words for a dry run that stopped: the file's problem, Novu's, or Slack's. */
function describePlanFailure(error: unknown): string {
  if (error instanceof TerminalJobError || error instanceof BackendError) return describeNovuFailure(error);
  return `Slack did not answer (${describeJobError(error)}). Upload the file again in a few minutes.`;
}
