/**
 * Comma-separated values as spreadsheets write them (RFC 4180): fields in double quotes may hold
 * commas, line breaks and doubled quotes; lines end in CRLF, LF or CR; a UTF-8 byte order mark
 * (Excel's "CSV UTF-8") is dropped. Blank lines are skipped but still counted, so a record's line
 * number is the row a spreadsheet shows.
 */
export interface CsvRecord {
  /** The line the record starts on, from 1. */
  line: number;
  fields: string[];
  /** A quote opened and never closed: the record ran to the end of the file. */
  unclosedQuote?: true;
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let position = 0;
  while (position < input.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let unclosedQuote = false;
    for (;;) {
      if (position >= input.length) {
        fields.push(field);
        unclosedQuote = quoted;
        break;
      }
      const character = input[position] as string;
      if (quoted) {
        if (character === '"' && input[position + 1] === '"') {
          field += '"';
          position += 2;
        } else if (character === '"') {
          quoted = false;
          position += 1;
        } else {
          if (character === '\n' || (character === '\r' && input[position + 1] !== '\n')) line += 1;
          field += character;
          position += 1;
        }
        continue;
      }
      if (character === '"' && field.trim() === '') {
        // A quote opens a field only at its start (spaces before it are a common slip and dropped).
        quoted = true;
        field = '';
        position += 1;
      } else if (character === ',') {
        fields.push(field);
        field = '';
        position += 1;
      } else if (character === '\r' || character === '\n') {
        fields.push(field);
        position += character === '\r' && input[position + 1] === '\n' ? 2 : 1;
        line += 1;
        break;
      } else {
        field += character;
        position += 1;
      }
    }
    if (isBlank(fields) && !unclosedQuote) continue;
    records.push(unclosedQuote ? { line: startLine, fields, unclosedQuote: true } : { line: startLine, fields });
  }
  return records;
}

function isBlank(fields: string[]): boolean {
  return fields.every((field) => field.trim() === '');
}

/** One CSV line per row, CRLF-terminated, quoting fields that need it. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows
    .map((row) => row.map(csvField).join(','))
    .join('\r\n')
    .concat('\r\n');
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
