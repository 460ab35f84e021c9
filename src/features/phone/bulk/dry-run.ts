import { TerminalJobError } from '../../../jobs/queue.js';
import type { ImportRow, PhoneImport } from '../../../store/types.js';
import type { Tenant } from '../../../tenancy/tenant.js';
import { parseCsv } from '../../bulk/csv.js';
import type { PhoneDeps } from '../../deps.js';
import { endpointIdentifier } from '../endpoint-jobs.js';
import { checkRows, type ImportLine, type RowChecks, readImportLines } from './rows.js';
import { downloadUploadedFile, slackFileHost } from './slack-files.js';

export const importLimits = {
  maxRows: 5_000,
  /** Far above 5,000 rows of a subscriber ID, a number and an integration. */
  maxBytes: 2_000_000,
  downloadTimeoutMs: 15_000,
} as const;

/** What a submitted form hands to the dry run. */
export interface ImportUpload {
  fileId: string;
  fileName: string;
  defaultIntegration?: string;
}

/**
 * The dry run of an import: the file, read with the tenant's own bot token, and a verdict for each
 * of its rows. Nothing is written anywhere. A file that cannot be used is a terminal error in words
 * for the person; Slack or Novu not answering is an ordinary error, and the job tries again.
 */
export async function checkImportFile(services: PhoneDeps, tenant: Tenant, run: PhoneImport): Promise<ImportRow[]> {
  const read = readImportLines(parseCsv(await download(services, run)));
  if ('fileProblem' in read) throw new TerminalJobError(read.fileProblem);
  if (read.lines.length === 0) throw new TerminalJobError('The file has no rows to register.');
  if (read.lines.length > importLimits.maxRows) {
    throw new TerminalJobError(
      `The file has ${read.lines.length.toLocaleString('en-US')} rows; at most ${importLimits.maxRows.toLocaleString('en-US')} are read at a time. Split it into smaller files.`,
    );
  }
  return skipRegistered(services, tenant, checkRows(read.lines, await rowChecks(services, tenant, run, read.lines)));
}

async function download(services: PhoneDeps, run: PhoneImport): Promise<string> {
  const token = (await services.installations.find(run.workspaceKey))?.installation.bot?.token;
  if (!token) throw new TerminalJobError('Switchboard is no longer installed in this workspace.');
  return downloadUploadedFile(services.bots.forToken(token), token, run.fileId, {
    maxBytes: importLimits.maxBytes,
    timeoutMs: importLimits.downloadTimeoutMs,
    trustedOrigins: [slackFileHost, new URL(services.config.slack.apiUrl).origin],
  });
}

/** The checks the register form makes, against Novu's integrations as they are now (a Novu outage retries the dry run). */
async function rowChecks(services: PhoneDeps, tenant: Tenant, run: PhoneImport, lines: ImportLine[]): Promise<RowChecks> {
  const catalog = services.integrations;
  if (!catalog) throw new TerminalJobError('Novu is not configured.');
  await catalog.list();
  const named = new Set(lines.map((line) => line.values.integration ?? run.defaultIntegration).filter((name): name is string => Boolean(name)));
  const problems = new Map<string, string | undefined>();
  for (const identifier of named) problems.set(identifier, await catalog.problem(identifier, 'phone'));
  return {
    defaultRegion: services.config.defaultPhoneRegion,
    defaultIntegration: run.defaultIntegration ?? undefined,
    integrationProblem: (identifier) => problems.get(identifier),
    derivedIdentifier: (integration, subscriberId, e164) => endpointIdentifier(tenant.id, integration, subscriberId, e164),
  };
}

/**
 * Ready rows whose endpoint Switchboard already registered for this tenant are skipped; an
 * identifier another endpoint holds is a problem, in the register form's words.
 */
async function skipRegistered(services: PhoneDeps, tenant: Tenant, rows: ImportRow[]): Promise<ImportRow[]> {
  const checked: ImportRow[] = [];
  for (const row of rows) {
    const record = row.state === 'ready' && row.identifier ? await services.store.endpoints.find(row.identifier) : undefined;
    if (!record) checked.push(row);
    else if (record.workspaceKey === tenant.key && record.type === 'phone' && record.subscriberId === row.subscriberId && record.target === row.phone) {
      checked.push({ ...row, state: 'already-registered' });
    } else {
      checked.push({
        ...row,
        state: 'problem',
        problem: 'identifier',
        detail: `The endpoint identifier ${row.identifier} is already used by another endpoint.`,
      });
    }
  }
  return checked;
}
