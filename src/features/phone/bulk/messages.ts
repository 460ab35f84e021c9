import type { KnownBlock, View } from '@slack/types';
import {
  context,
  type EphemeralMessage,
  ephemeral,
  formModal,
  input,
  message,
  noticeModal,
  pickerInput,
  section,
  sectionMessage,
  truncate,
} from '../../../slack/blocks.js';
import type { SlackMessage } from '../../../slack/bot-clients.js';
import { code, joinMd, link, type Mrkdwn, md } from '../../../slack/mrkdwn.js';
import type { ImportProblem, ImportRow, ImportRowCounts, PhoneImport } from '../../../store/types.js';
import { plural } from '../../../util/plural.js';
import type { SummaryFile, SummaryFileKind } from '../../bulk/feature.js';
import { confirmBlock } from '../../bulk/run-message.js';
import { failureDetails, failureSentence } from '../../failure-messages.js';
import { failureParts } from '../../failure-text.js';
import { registerView } from '../messages.js';

export const importView = {
  callbackId: 'phone.csv',
  file: { block: 'file', action: 'phone.csv.file' },
  /** The register form's integration picker: the same loader offers the integrations that deliver to phone numbers. */
  integration: { block: 'integration', action: registerView.integration.action },
} as const;

export const importActions = {
  apply: 'phone.csv.apply',
  cancel: 'phone.csv.cancel',
} as const;

const runActions = { block: 'phone-csv-run', ...importActions };

const title = 'Import phone numbers';

/** How many problems the dry run's message lists; the file sent with it has all of them. */
export const problemsShown = 10;

export function importModal(defaultRegion: string, limits: { maxRows: number }): View {
  return formModal({ callbackId: importView.callbackId }, title, 'Check the file', [
    section(
      md`Register many phone endpoints at once from a CSV file with the columns \`subscriberId,phone[,integration][,identifier]\` (a header row is fine), up to ${limits.maxRows.toLocaleString('en-US')} rows. Nothing is registered yet: Switchboard first checks every row and sends you what it found in a direct message, with a button to register the good rows.`,
    ),
    input(importView.file.block, 'CSV file', { type: 'file_input', action_id: importView.file.action, filetypes: ['csv'], max_files: 1 }),
    pickerInput(
      importView.integration,
      'Default Novu integration',
      'For rows without an integration column. Only integrations that deliver to phone numbers (SMS, WhatsApp) are offered.',
      { placeholder: 'Choose', optional: true },
    ),
    context(
      md`Numbers in any common format; those without a country code are read as ${defaultRegion}. An identifier, when given, is the endpoint's identifier (up to 100 letters, digits and _ . : -); left empty, Switchboard derives one, so a number is never registered twice.`,
    ),
  ]);
}

/** The workspace installed Switchboard before imports existed: Slack grants new permissions only through a reinstall. */
export function reinstallView(missingScopes: string[], installUrl: string): View {
  const scopes = joinMd(missingScopes.map(code), ', ');
  return noticeModal(
    title,
    md`:information_source: Importing a file needs permissions this workspace has not given Switchboard yet (${scopes}). Ask an admin to reinstall it from ${link(installUrl, 'the install page')}, then run \`/phone import-csv\` again.`,
  );
}

export function checkingFileView(fileName: string): View {
  return noticeModal(
    title,
    md`:hourglass_flowing_sand: Checking ${code(fileName)}. The result will be in your direct messages with Switchboard; nothing is registered until you confirm it there.`,
  );
}

/** The run's error when its rows could not be queued: what stopped, and how to finish the job. */
export function rowsNotQueuedError(reason: string): string {
  return `Switchboard could not queue the rows to register (${truncate(reason, 300)}). Rows queued before that are still registered; import the same file again for the rest (numbers registered already are skipped).`;
}

export function noSuchImportMessage(): EphemeralMessage {
  return ephemeral(md`There is no such import in this workspace.`);
}

const problemWords: Record<ImportProblem, [one: string, many: string]> = {
  format: ['row that cannot be read', 'rows that cannot be read'],
  subscriber: ['row without a valid subscriber ID', 'rows without a valid subscriber ID'],
  number: ['invalid number', 'invalid numbers'],
  integration: ['integration problem', 'integration problems'],
  identifier: ['identifier problem', 'identifier problems'],
  duplicate: ['duplicate', 'duplicates'],
};

const problemOrder: readonly ImportProblem[] = ['number', 'integration', 'duplicate', 'subscriber', 'identifier', 'format'];

function tally(problems: Partial<Record<ImportProblem, number>>): string {
  return problemOrder
    .filter((kind) => (problems[kind] ?? 0) > 0)
    .map((kind) => {
      const count = problems[kind] ?? 0;
      return `${count} ${problemWords[kind][count === 1 ? 0 : 1]}`;
    })
    .join(', ');
}

export interface DryRunDetails {
  problems: Partial<Record<ImportProblem, number>>;
  firstProblems: ImportRow[];
  /** At the end: registered rows whose subscriber kept another phone for SMS. */
  keptPhones?: number;
}

/** The run's message: reading, then the dry run with its buttons, the progress, and the end. */
export function importRunMessage(run: PhoneImport, counts: ImportRowCounts, details?: DryRunDetails): SlackMessage {
  const file = code(run.fileName);
  switch (run.status) {
    case 'reading':
      return sectionMessage(md`:hourglass_flowing_sand: Import of ${file}: reading and checking the rows…`);
    case 'planned':
      return dryRunMessage(run, counts, details ?? { problems: {}, firstProblems: [] });
    case 'registering': {
      const done = counts.created + counts.existing + counts.failed;
      const total = done + counts.ready;
      return sectionMessage(
        md`:hourglass_flowing_sand: Import of ${file}: registering… ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} done${counts.failed ? ` (${counts.failed} failed)` : ''}.`,
      );
    }
    case 'done':
      return summaryMessage(run, counts, details?.keptPhones ?? 0);
    case 'cancelled':
      return sectionMessage(md`Import of ${file} cancelled: nothing was registered.`);
    case 'failed':
      return sectionMessage(md`:x: Import of ${file} stopped: ${failureSentence(run.error ?? 'unknown error')}`, ...failureDetails(run.error ?? undefined));
  }
}

function dryRunMessage(run: PhoneImport, counts: ImportRowCounts, details: DryRunDetails): SlackMessage {
  const rows = counts.ready + counts['already-registered'] + counts.problem;
  const lines = [
    md`*Import of ${code(run.fileName)}: dry run* (${plural(rows, 'row', 'rows')}, nothing registered yet)`,
    md`• ${plural(counts.ready, 'number will be registered', 'numbers will be registered')}`,
    md`• ${plural(counts['already-registered'], 'is registered already and will be skipped', 'are registered already and will be skipped')}`,
    md`• ${plural(counts.problem, 'row has a problem', 'rows have problems')} and will be skipped${counts.problem ? `: ${tally(details.problems)}` : ''}`,
  ];
  const blocks: KnownBlock[] = [section(joinMd(lines, '\n'))];
  const more = counts.problem - details.firstProblems.length;
  if (details.firstProblems.length > 0) {
    blocks.push(
      section(problemList(details.firstProblems)),
      context(
        md`${more > 0 ? `${plural(more, 'more problem', 'more problems')} not shown. ` : ''}Every problem, row by row, is in ${code(importFiles.problems.name(run))} below.`,
      ),
    );
  }
  blocks.push(
    confirmBlock(run.id, runActions, {
      count: counts.ready,
      label: `Register ${plural(counts.ready, 'number', 'numbers')}`,
      title: 'Register them?',
      text: md`Novu gets ${plural(counts.ready, 'phone endpoint', 'phone endpoints')}. Rows with problems and numbers registered already are skipped.`,
      confirm: 'Register',
      nothing: md`Nothing to register.`,
    }),
  );
  return message(
    md`Dry run of ${run.fileName}: ${counts.ready} to register, ${counts['already-registered']} already registered, ${counts.problem} with problems.`,
    blocks,
  );
}

/** "Row 12: …" lines, each kept short, all within one section's 3,000 characters. */
function problemList(rows: ImportRow[]): Mrkdwn {
  const lines = rows.map((row) => md`• Row ${row.rowNumber}: ${truncate(row.detail ?? 'problem', 220)}`);
  return md`*First problems*\n${joinMd(lines, '\n')}`;
}

function summaryMessage(run: PhoneImport, counts: ImportRowCounts, keptPhones: number): SlackMessage {
  const already = counts['already-registered'] + counts.existing;
  const head = md`Import of ${code(run.fileName)}: ${plural(counts.created, 'number registered', 'numbers registered')}, ${plural(already, 'was registered already', 'were registered already')}, ${plural(counts.failed, 'failed', 'failed')}.`;
  const blocks: KnownBlock[] = [section(md`${counts.failed ? ':warning:' : ':white_check_mark:'} ${head}`)];
  const notes: Mrkdwn[] = [];
  if (counts.failed) notes.push(md`The rows Novu did not take, with its reason for each, are in ${code(importFiles.failures.name(run))} below.`);
  if (counts.problem) notes.push(md`${plural(counts.problem, 'row with problems was', 'rows with problems were')} skipped (see the dry run).`);
  if (keptPhones) {
    // Novu's SMS step sends to the subscriber's own phone: one it already had is never replaced without asking.
    const kept = plural(
      keptPhones,
      'number on an SMS integration belongs to a subscriber who already has another phone in Novu, where their SMS still go',
      'numbers on an SMS integration belong to subscribers who already have another phone in Novu, where their SMS still go',
    );
    notes.push(md`${kept}. \`/connect check\` lists ${keptPhones === 1 ? 'it' : 'them'}, each with *Use this number*.`);
  }
  if (notes.length) blocks.push(context(joinMd(notes, ' ')));
  return message(md`Import of ${run.fileName}: ${counts.created} registered, ${already} already registered, ${counts.failed} failed.`, blocks);
}

function baseName(fileName: string): string {
  const base = fileName
    .replace(/\.csv$/i, '')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .slice(0, 60);
  return base || 'import';
}

/** A CSV of some rows of the file, each with the problem or reason in its last column. */
function rowsFile(
  state: ImportRow['state'],
  suffix: string,
  column: string,
  words: { comment: string; what: (file: Mrkdwn) => Mrkdwn },
): SummaryFile<PhoneImport, ImportRow> {
  const name = (run: PhoneImport) => `${baseName(run.fileName)}-${suffix}.csv`;
  return {
    state,
    name,
    comment: (run, count) => md`The ${plural(count, 'row', 'rows')} of ${code(run.fileName)} ${words.comment}`,
    lines: (rows) => [
      ['row', 'subscriberId', 'phone', 'integration', 'identifier', column],
      ...rows.map((row) => [String(row.rowNumber), row.subscriberId ?? '', row.phone ?? '', row.integration ?? '', row.identifier ?? '', row.detail ?? '']),
    ],
    notSent: (run, reason) =>
      sectionMessage(
        md`:warning: Switchboard could not send ${code(name(run))}, ${words.what(code(run.fileName))}: ${truncate(failureParts(reason).text, 300)}`,
        ...failureDetails(reason),
      ),
  };
}

/** The rows with problems, sent after the dry run; those Novu did not register, at the end. */
export const importFiles: Record<SummaryFileKind, SummaryFile<PhoneImport, ImportRow>> = {
  problems: rowsFile('problem', 'problems', 'problem', {
    comment: 'that will not be registered, with the problem of each.',
    what: (file) => md`the rows of ${file} that have problems (the dry run message shows the first ${problemsShown})`,
  }),
  failures: rowsFile('failed', 'failures', 'reason', {
    comment: 'that Novu did not register, with the reason for each.',
    what: (file) => md`the rows of ${file} that Novu did not register (importing the same file again tries them again; numbers registered already are skipped)`,
  }),
};

/** A file's name as the form reports it, for the modal and messages. */
export function shownFileName(name: string | undefined): string {
  return truncate(name?.trim() || 'file.csv', 80);
}

export const fileProblems = {
  missing: 'Choose a CSV file.',
  notCsv: 'That is not a CSV file. Save the sheet as CSV (comma-separated values) and upload that.',
  oneFile: 'Choose one file.',
  tooLarge: (maxBytes: number) => `The file is larger than ${Math.round(maxBytes / 1_000_000)} MB. Split it into smaller files.`,
};
