import type { ImportProblem, ImportRow } from '../../../store/types.js';
import type { CsvRecord } from '../../bulk/csv.js';
import { endpointIdentifierPattern } from '../../endpoint-writer.js';
import { maxSubscriberIdLength } from '../messages.js';
import { parsePhoneNumber } from '../phone-number.js';

/** The columns of an import file, in the order they are read when the file has no header row. */
export const importColumns = ['subscriberId', 'phone', 'integration', 'identifier'] as const;
export type ImportColumn = (typeof importColumns)[number];

/** What a header may call each column: compared without case, spaces, `_` or `-`. */
const columnNames: Record<string, ImportColumn> = {
  subscriberid: 'subscriberId',
  subscriber: 'subscriberId',
  phone: 'phone',
  phonenumber: 'phone',
  number: 'phone',
  integration: 'integration',
  integrationidentifier: 'integration',
  identifier: 'identifier',
  endpointidentifier: 'identifier',
};

const longestKeptPhone = 64;
export const columnsHelp = 'subscriberId, phone, and optionally integration and identifier';

/** A data line of the file: its values by column, or what makes it unreadable. */
export interface ImportLine {
  line: number;
  values: Partial<Record<ImportColumn, string>>;
  unreadable?: string;
}

/** Finds the header row (if any), maps each record's fields to columns, and flags records that do not fit. */
export function readImportLines(records: CsvRecord[]): { lines: ImportLine[] } | { fileProblem: string } {
  const [first, ...rest] = records;
  if (!first) return { lines: [] };
  if (!isHeader(first)) {
    return { lines: records.map((record) => toLine(record, importColumns, (count) => `Too many columns: ${count}. A row has ${columnsHelp}.`)) };
  }
  const columns: ImportColumn[] = [];
  for (const name of first.fields.map((field) => field.trim())) {
    const column = columnNames[normalise(name)];
    if (!column) return { fileProblem: `The header names a column Switchboard does not read, "${name.slice(0, 40)}". Use ${columnsHelp}.` };
    if (columns.includes(column)) return { fileProblem: `The header names the ${column} column twice.` };
    columns.push(column);
  }
  for (const needed of ['subscriberId', 'phone'] as const) {
    if (!columns.includes(needed)) return { fileProblem: `The header has no ${needed} column. Use ${columnsHelp}.` };
  }
  return { lines: rest.map((record) => toLine(record, columns, (count) => `This row has ${count} columns; the header has ${columns.length}.`)) };
}

/** A header names columns and has no digits: a first row with a phone number in it is data. */
function isHeader(record: CsvRecord): boolean {
  return record.fields.some((field) => normalise(field) in columnNames) && !record.fields.some((field) => /\d/.test(field));
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

function toLine(record: CsvRecord, columns: readonly ImportColumn[], tooMany: (count: number) => string): ImportLine {
  const values: Partial<Record<ImportColumn, string>> = {};
  columns.forEach((column, index) => {
    const value = record.fields[index]?.trim();
    if (value) values[column] = value;
  });
  const unreadable = unreadableReason(record, columns.length, tooMany);
  return unreadable ? { line: record.line, values, unreadable } : { line: record.line, values };
}

function unreadableReason(record: CsvRecord, columnCount: number, tooMany: (count: number) => string): string | undefined {
  if (record.unclosedQuote) return 'A quote (") is opened and never closed, so the rest of the file was read as one value.';
  const [only] = record.fields;
  if (record.fields.length === 1 && only && /[;\t]/.test(only)) return 'Only one column: separate the columns with commas.';
  // Trailing empty cells, as spreadsheets export them, are not extra columns.
  const lastFilled = record.fields.findLastIndex((field) => field.trim() !== '');
  return lastFilled >= columnCount ? tooMany(record.fields.length) : undefined;
}

export interface RowChecks {
  defaultRegion: string;
  /** The form's integration, for rows that name none. */
  defaultIntegration?: string;
  /** Why an integration cannot take phone endpoints, or undefined when it can. */
  integrationProblem(identifier: string): string | undefined;
  /** The endpoint identifier Switchboard derives, as the register form does. */
  derivedIdentifier(integration: string, subscriberId: string, e164: string): string;
}

/**
 * The dry run's verdict on each line, without asking anyone: `ready`, or `problem` with every
 * problem of the row in plain words (the kind is its first). A line that repeats an earlier one
 * (the same endpoint identifier) is a duplicate of it. Whether a row is registered already is
 * for the caller, which knows the records.
 */
export function checkRows(lines: ImportLine[], checks: RowChecks): ImportRow[] {
  const firstLineOf = new Map<string, number>();
  return lines.map((line) => {
    const row = checkRow(line, checks);
    if (row.state !== 'ready' || !row.identifier) return row;
    const earlier = firstLineOf.get(row.identifier);
    if (earlier === undefined) {
      firstLineOf.set(row.identifier, line.line);
      return row;
    }
    const detail = line.values.identifier
      ? `The endpoint identifier ${row.identifier} is also on row ${earlier}.`
      : `Duplicate of row ${earlier}: the same subscriber, number and integration.`;
    return { ...row, state: 'problem', problem: 'duplicate', detail };
  });
}

function checkRow(line: ImportLine, checks: RowChecks): ImportRow {
  const { subscriberId, phone: typed = '', identifier: givenIdentifier } = line.values;
  const integration = line.values.integration ?? checks.defaultIntegration;
  const problems: [ImportProblem, string][] = [];
  if (line.unreadable) problems.push(['format', line.unreadable]);
  if (!subscriberId) problems.push(['subscriber', 'No subscriber ID.']);
  else if (subscriberId.length > maxSubscriberIdLength) problems.push(['subscriber', `The subscriber ID is longer than ${maxSubscriberIdLength} characters.`]);
  const phone = parsePhoneNumber(typed, checks.defaultRegion);
  if (!phone.ok) problems.push(['number', phone.problem]);
  const integrationProblem = integration
    ? checks.integrationProblem(integration)
    : 'No integration: add an integration column, or choose a default integration in the form.';
  if (integrationProblem) problems.push(['integration', integrationProblem]);
  if (givenIdentifier && !endpointIdentifierPattern.test(givenIdentifier)) {
    problems.push(['identifier', 'The endpoint identifier must be up to 100 letters, digits and _ . : -, starting with a letter or digit.']);
  }
  const base = {
    rowNumber: line.line,
    subscriberId: subscriberId?.slice(0, maxSubscriberIdLength) ?? null,
    phone: phone.ok ? phone.e164 : typed.slice(0, longestKeptPhone) || null,
    integration: integration ?? null,
  };
  const [first] = problems;
  if (first || !phone.ok || !subscriberId || !integration) {
    return { ...base, identifier: null, state: 'problem', problem: first?.[0] ?? 'format', detail: problems.map(([, text]) => text).join(' ') };
  }
  const identifier = givenIdentifier ?? checks.derivedIdentifier(integration, subscriberId, phone.e164);
  return { ...base, identifier, state: 'ready', problem: null, detail: null };
}
