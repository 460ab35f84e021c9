import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../../src/features/bulk/csv.js';
import { planImportJob, queueRowsJob, sendRowsFileJob } from '../../../src/features/phone/bulk/import-runs.js';
import { importActions, importView } from '../../../src/features/phone/bulk/messages.js';
import { checkRows, type ImportLine, type RowChecks, readImportLines } from '../../../src/features/phone/bulk/rows.js';
import { endpointIdentifier } from '../../../src/features/phone/endpoint-jobs.js';

/** The CSV reader, the import file's columns and the dry run's checks of each row, without Slack or Novu. */
describe('parseCsv', () => {
  it('reads plain rows, with their line numbers', () => {
    expect(parseCsv('a,b\nc,d\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });

  it('takes CRLF, LF and CR line ends, and a last line without one', () => {
    expect(parseCsv('a,b\r\nc,d\re,f\ng,h').map((record) => record.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('drops a UTF-8 byte order mark (Excel’s CSV UTF-8)', () => {
    expect(parseCsv('\uFEFFsubscriberId,phone\r\n')[0]?.fields).toEqual(['subscriberId', 'phone']);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks; the next record keeps its own line number', () => {
    const records = parseCsv('"Smith, Jane","say ""hi""","two\nlines"\r\nnext,row\n');
    expect(records[0]).toEqual({ line: 1, fields: ['Smith, Jane', 'say "hi"', 'two\nlines'] });
    expect(records[1]).toEqual({ line: 3, fields: ['next', 'row'] });
  });

  it('keeps empty fields and quoted empty strings; a quote after spaces still opens the field', () => {
    expect(parseCsv('a,,""\n  "b",c\n').map((record) => record.fields)).toEqual([
      ['a', '', ''],
      ['b', 'c'],
    ]);
  });

  it('skips blank lines but counts them, so row numbers are what a spreadsheet shows', () => {
    const records = parseCsv('a,b\n\n\r\n , \nc,d\n');
    expect(records.map((record) => record.line)).toEqual([1, 5]);
  });

  it('marks a quote that is never closed', () => {
    const [first, second] = parseCsv('ok,1\n"open,2\nthree,4\n');
    expect(first?.unclosedQuote).toBeUndefined();
    expect(second).toMatchObject({ line: 2, unclosedQuote: true });
  });
});

describe('toCsv', () => {
  it('quotes what needs it, defuses formulas, keeps phone numbers as they are, and round-trips', () => {
    const rows = [
      ['row', 'value'],
      ['2', 'has, comma'],
      ['3', 'has "quotes"'],
      ['4', '=HYPERLINK("http://x")'],
      ['5', '+1 415 555 0100'],
      ['6', '+cmd'],
      ['7', '@SUM(A1)'],
    ];
    const text = toCsv(rows);
    expect(text.endsWith('\r\n')).toBe(true);
    const back = parseCsv(text).map((record) => record.fields);
    expect(back[1]).toEqual(['2', 'has, comma']);
    expect(back[2]).toEqual(['3', 'has "quotes"']);
    expect(back[3]).toEqual(['4', `'=HYPERLINK("http://x")`]);
    expect(back[4]).toEqual(['5', '+1 415 555 0100']);
    expect(back[5]).toEqual(['6', "'+cmd"]);
    expect(back[6]).toEqual(['7', "'@SUM(A1)"]);
  });
});

describe('toCsv and parseCsv', () => {
  it('read back whatever was written: commas, quotes, line breaks, spaces, any text (cells a spreadsheet would run are covered above)', () => {
    const cell = fc
      .string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\n', '\r', '\t', ' ', '\u00e9', '\u2028', ';', "'", '=', '+') })
      .filter((value) => !/^[=@+\-\t\r]/.test(value));
    const row = fc.array(cell, { minLength: 1, maxLength: 5 }).filter((cells) => cells.some((value) => value.trim() !== ''));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows) => {
        expect(parseCsv(toCsv(rows)).map((record) => record.fields)).toEqual(rows);
      }),
    );
  });
});

describe('readImportLines', () => {
  const lines = (text: string) => {
    const read = readImportLines(parseCsv(text));
    if ('fileProblem' in read) throw new Error(read.fileProblem);
    return read.lines;
  };

  it('without a header, reads subscriberId, phone, integration, identifier in that order', () => {
    expect(lines('sub-1,+14155550100,twilio-sms,my-id\nsub-2,415 555 0101\n')).toEqual([
      { line: 1, values: { subscriberId: 'sub-1', phone: '+14155550100', integration: 'twilio-sms', identifier: 'my-id' } },
      { line: 2, values: { subscriberId: 'sub-2', phone: '415 555 0101' } },
    ]);
  });

  it('detects a header row in any case and spelling, and maps columns by it', () => {
    expect(lines('Phone Number,Subscriber_ID\n+14155550100,sub-1\n')).toEqual([{ line: 2, values: { subscriberId: 'sub-1', phone: '+14155550100' } }]);
    expect(lines('subscriberId,phone,integration\r\nsub-1,+14155550100,\r\n')[0]).toEqual({
      line: 2,
      values: { subscriberId: 'sub-1', phone: '+14155550100' },
    });
  });

  it('a first row with digits is data, even when it holds a column name', () => {
    expect(lines('phone,+14155550100\n')[0]?.values).toEqual({ subscriberId: 'phone', phone: '+14155550100' });
  });

  it('refuses a header with an unknown, repeated or missing column', () => {
    expect(readImportLines(parseCsv('subscriberId,phone,email\n'))).toEqual({ fileProblem: expect.stringContaining('"email"') });
    expect(readImportLines(parseCsv('phone,phone,subscriberId\n'))).toEqual({ fileProblem: expect.stringContaining('twice') });
    expect(readImportLines(parseCsv('subscriberId,integration\n'))).toEqual({ fileProblem: expect.stringContaining('no phone column') });
  });

  it('flags too many columns, but not trailing empty cells; one column with semicolons gets a hint', () => {
    const [tooMany, trailing, semicolons] = lines('a,+14155550100,sms,id,extra\nb,+14155550101,,,,\nc;+14155550102\n');
    expect(tooMany?.unreadable).toMatch(/Too many columns: 5/);
    expect(trailing?.unreadable).toBeUndefined();
    expect(semicolons?.unreadable).toMatch(/separate the columns with commas/);
    expect(lines('subscriberId,phone\nsub-1,+14155550100,twilio\n')[0]?.unreadable).toMatch(/3 columns; the header has 2/);
  });

  it('an empty file has no lines', () => {
    expect(lines('')).toEqual([]);
    expect(lines('\uFEFF\r\n\r\n')).toEqual([]);
  });
});

describe('checkRows', () => {
  const checks: RowChecks = {
    defaultRegion: 'US',
    defaultIntegration: 'twilio-sms',
    integrationProblem: (identifier) =>
      identifier === 'twilio-sms' || identifier === 'whatsapp-business' ? undefined : `${identifier} is not an active integration in Novu.`,
    derivedIdentifier: (integration, subscriberId, e164) => endpointIdentifier('T1', integration, subscriberId, e164),
  };
  const line = (number: number, values: ImportLine['values'], unreadable?: string): ImportLine => ({
    line: number,
    values,
    ...(unreadable ? { unreadable } : {}),
  });

  it('a good row is ready, with the E.164 number, the default integration and the identifier the register form derives', () => {
    const [row] = checkRows([line(2, { subscriberId: 'sub-1', phone: '(415) 555-0100' })], checks);
    expect(row).toEqual({
      rowNumber: 2,
      subscriberId: 'sub-1',
      phone: '+14155550100',
      integration: 'twilio-sms',
      identifier: endpointIdentifier('T1', 'twilio-sms', 'sub-1', '+14155550100'),
      state: 'ready',
      problem: null,
      detail: null,
    });
  });

  it('says every problem of a row in plain words, with the phone parser’s own wording', () => {
    const [row] = checkRows([line(3, { phone: '+1 415 555 01', integration: 'sendgrid-x', identifier: 'has spaces' })], checks);
    expect(row?.state).toBe('problem');
    expect(row?.problem).toBe('subscriber');
    expect(row?.detail).toContain('No subscriber ID.');
    expect(row?.detail).toContain('too short');
    expect(row?.detail).toContain('sendgrid-x is not an active integration in Novu.');
    expect(row?.detail).toContain('endpoint identifier must be up to 100 letters');
  });

  it('a row without an integration and no default is a problem; an unreadable row is one too', () => {
    const [noIntegration] = checkRows([line(2, { subscriberId: 'a', phone: '+14155550100' })], { ...checks, defaultIntegration: undefined });
    expect(noIntegration).toMatchObject({ state: 'problem', problem: 'integration' });
    const [unreadable] = checkRows([line(4, { subscriberId: 'a', phone: '+14155550100' }, 'Too many columns: 6.')], checks);
    expect(unreadable).toMatchObject({ state: 'problem', problem: 'format', detail: 'Too many columns: 6.' });
  });

  it('a repeated row (however the number is written) and a repeated identifier are duplicates of the first', () => {
    const rows = checkRows(
      [
        line(2, { subscriberId: 'a', phone: '+1 415 555 0100' }),
        line(3, { subscriberId: 'a', phone: '(415) 555-0100' }),
        line(4, { subscriberId: 'a', phone: '(415) 555-0100', integration: 'whatsapp-business' }),
        line(5, { subscriberId: 'b', phone: '+14155550111', identifier: 'shared-id' }),
        line(6, { subscriberId: 'c', phone: '+14155550122', identifier: 'shared-id' }),
      ],
      checks,
    );
    expect(rows.map((row) => row.state)).toEqual(['ready', 'problem', 'ready', 'ready', 'problem']);
    expect(rows[1]?.detail).toBe('Duplicate of row 2: the same subscriber, number and integration.');
    expect(rows[4]?.detail).toBe('The endpoint identifier shared-id is also on row 5.');
  });
});

describe('job kinds and action ids', () => {
  it('no job of an import shares its name with a button or form of it (a log line or the queue view names one thing)', () => {
    const jobKinds = [planImportJob, queueRowsJob, sendRowsFileJob];
    const interactionIds = [...Object.values(importActions), importView.callbackId, importView.file.action];
    expect(new Set(jobKinds).size).toBe(jobKinds.length);
    for (const kind of jobKinds) expect(interactionIds).not.toContain(kind);
    expect(queueRowsJob).toBe('phone.csv.queue-rows');
  });
});
