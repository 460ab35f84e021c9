import type { CreatePhoneEndpointBody } from '../../../backends/novu/schemas.js';
import { BackendError } from '../../../http/errors.js';
import { describeJobError, TerminalJobError } from '../../../jobs/queue.js';
import { keptPhoneTag } from '../../../store/records/phone-imports.js';
import type { ImportProblem, ImportRow, NewPhoneImportFields, PhoneImport } from '../../../store/types.js';
import type { NovuScope } from '../../../tenancy/novu-scope.js';
import { tenantOfKey } from '../../../tenancy/tenant.js';
import { BulkEngine } from '../../bulk/engine.js';
import type { BulkAudit, ItemOutcome } from '../../bulk/feature.js';
import type { PhoneDeps } from '../../deps.js';
import { failureLine, failureText } from '../../failure-text.js';
import { describeNovuFailure } from '../../novu-failures.js';
import { type EndpointJobs, type RegisterResult, registerJob } from '../endpoint-jobs.js';
import { checkImportFile } from './dry-run.js';
import { type DryRunDetails, importFiles, importRunMessage, problemsShown, rowsNotQueuedError } from './messages.js';

export const planImportJob = 'phone.csv.plan';
/** Not `phone.csv.apply`: that is the Register button's action id. */
export const queueRowsJob = 'phone.csv.queue-rows';
export const sendRowsFileJob = 'phone.csv.rows-file';

export type PhoneImports = BulkEngine<PhoneImport, NewPhoneImportFields, ImportRow, RegisterResult>;

/**
 * Phone endpoints from a CSV file, as a bulk run: the dry run reads the file (with the tenant's own
 * bot token) and gives every row a verdict; once someone confirms, each ready row becomes one
 * register job — the same job `/phone register` uses, so the endpoint identifier is the one the
 * form would derive and a row registered twice is one endpoint. The rows with problems, and those
 * Novu refused, come as CSV files in the requester's DM.
 */
export function phoneImportRuns(services: PhoneDeps, endpointJobs: EndpointJobs, scope: NovuScope): PhoneImports {
  const engine = new BulkEngine(services, services.store.phoneImports, {
    jobs: { plan: planImportJob, apply: queueRowsJob, file: sendRowsFileJob },
    plan: (run) => checkImportFile(services, tenantOfKey(run.workspaceKey), run),
    describePlanError: describePlanFailure,
    enqueue: (run, row, requestedBy) => {
      const body: CreatePhoneEndpointBody = {
        identifier: row.identifier ?? '',
        type: 'phone',
        subscriberId: row.subscriberId ?? '',
        integrationIdentifier: row.integration ?? '',
        context: scope.context(tenantOfKey(run.workspaceKey)),
        endpoint: { phoneNumber: row.phone ?? '' },
      };
      const payload = { workspaceKey: run.workspaceKey, requestedBy, body, importRow: { runId: run.id, row: row.rowNumber } };
      // Known from the run and the row, so queueing the rows again finds the same job.
      return endpointJobs.enqueueRegister(payload, `${registerJob}:csv:${run.id}:${row.rowNumber}`);
    },
    settlement: rowSettlement,
    message: async (run, counts) => importRunMessage(run, counts, await dryRunDetails(services, run)),
    notQueued: rowsNotQueuedError,
    audit: importAudit,
    files: importFiles,
  });
  endpointJobs.onRegistered = async (payload, outcome) => {
    if (payload.importRow) await engine.itemFinished(payload.importRow.runId, payload.importRow.row, outcome);
  };
  return engine;
}

function rowSettlement(outcome: ItemOutcome<RegisterResult>): { state: ImportRow['state']; detail?: string; tag?: string } {
  if (outcome.status === 'failed') return { state: 'failed', detail: failureLine(outcome.error).slice(0, 500) };
  const state = outcome.result.existing ? 'existing' : 'created';
  const phone = outcome.result.phone;
  return phone?.kind === 'kept' ? { state, detail: `phone kept: ${phone.current}`, tag: keptPhoneTag } : { state };
}

/** What the message shows besides the counts: the dry run's problems; at the end, the numbers whose subscriber kept another phone. */
async function dryRunDetails({ store }: PhoneDeps, run: PhoneImport): Promise<DryRunDetails | undefined> {
  if (run.status === 'done') return { problems: {}, firstProblems: [], keptPhones: (await store.phoneImports.tagCounts(run.id))[keptPhoneTag] ?? 0 };
  if (run.status !== 'planned') return undefined;
  return {
    problems: (await store.phoneImports.tagCounts(run.id)) as Partial<Record<ImportProblem, number>>,
    firstProblems: await store.phoneImports.items(run.id, { states: ['problem'], limit: problemsShown }),
  };
}

const importAudit: BulkAudit<PhoneImport, ImportRow> = {
  prefix: 'phone.csv',
  target: (run) => run.fileName,
  notFound: 'No such import in this workspace',
  detail: (step, run, counts) => {
    switch (step) {
      case 'start':
        return { file: run.fileId, defaultIntegration: run.defaultIntegration };
      case 'check':
        return { ready: counts.ready, alreadyRegistered: counts['already-registered'], problems: counts.problem };
      case 'confirm':
        return { rows: counts.ready };
      case 'cancel':
        return {};
      case 'finish': {
        const registered = { created: counts.created, alreadyRegistered: counts['already-registered'] + counts.existing, failed: counts.failed };
        return { ...registered, ...(run.status === 'failed' ? { waiting: counts.ready } : {}) };
      }
    }
  },
};

/** Words for a dry run that stopped: the file's problem, Novu's, or Slack's. */
function describePlanFailure(error: unknown): string {
  if (error instanceof TerminalJobError || error instanceof BackendError) return describeNovuFailure(error);
  return failureText('Slack did not hand over the file. Upload it again in a few minutes.', `Slack: ${describeJobError(error)}`);
}
