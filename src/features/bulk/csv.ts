import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { TerminalJobError } from '../../jobs/queue.js';

/**
 * Comma-separated values as spreadsheets write them (RFC 4180, read by `csv-parse`): fields in
 * double quotes may hold commas, line breaks and doubled quotes; lines end in CRLF, LF or CR; a
 * UTF-8 byte order mark (Excel's "CSV UTF-8") is dropped. Blank lines are skipped but still
 * counted, so a record's line number is the row a spreadsheet shows.
 */
export interface CsvRecord {
  /** The line the record starts on, from 1. */
  line: number;
  fields: string[];
  /** A quote opened and never closed: the record ran to the end of the file. */
  unclosedQuote?: true;
}

const options = {
  bom: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true,
  relax_quotes: true,
  // Spaces around a field are a common slip: a quote after them still opens the field.
  trim: true,
  raw: true,
};

const lineBreaks = /\r\n|\r|\n/g;
/** With `raw`, csv-parse hands each record over with its text. */
const rawRecord = z.object({ record: z.array(z.string()), raw: z.string() });

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  try {
    parse(text, {
      ...options,
      on_record: (value: unknown) => {
        const { record, raw } = rawRecord.parse(value);
        if (record.some((field) => field.trim() !== '')) records.push({ line, fields: record });
        // The raw record holds the line breaks inside its quotes, and (the first character of) its own.
        line += raw.match(lineBreaks)?.length ?? 0;
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.code !== 'CSV_QUOTE_NOT_CLOSED')
      throw new TerminalJobError(`Row ${line} cannot be read: a quoted value is followed by more text before the next comma.`);
    records.push({ line, fields: unclosedFields(text, line), unclosedQuote: true });
  }
  return records;
}

/** The record that opened a quote and never closed it: what it holds when the quote closes at the end of the file. */
function unclosedFields(text: string, line: number): string[] {
  const rest = text.split(/(?<=\r\n|\r(?!\n)|\n)/).slice(line - 1);
  const [record] = parse(`${rest.join('')}"`, { ...options, raw: false }) as string[][];
  return record ?? [];
}

/** One CSV line per row, CRLF-terminated, quoting fields that need it. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  const safe = defuseFormula(value);
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A spreadsheet runs a cell that starts with = + - @ as a formula. Values here come from people and
 * vendors, so such a cell gets a leading apostrophe, which spreadsheets show as text. Phone numbers
 * written +1 415… or -style are left alone: digits and separators only are not a formula.
 */
function defuseFormula(value: string): string {
  if (/^[=@\t\r]/.test(value)) return `'${value}`;
  if (/^[+-]/.test(value) && !/^[+-][\d\s().-]*$/.test(value)) return `'${value}`;
  return value;
}
