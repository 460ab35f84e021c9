import fc from 'fast-check';
import { Mrkdwn } from '../../../src/slack/mrkdwn.js';

/**
 * Hostile text for the message builders: what a person, a vendor or a workspace name could carry
 * that Slack would read as markup if it reached mrkdwn unescaped.
 */
export const fragments = ['<!channel>', '<!here>', '<https://evil.example|Approve here>', '<@U123>', '<#C123>', '&amp;', '*_~`', '<', '>', '`'] as const;

/** Raw forms that must never appear in mrkdwn: each would ping, mention or link. */
const forbidden = ['<!channel>', '<!here>', '<https://evil.example', '<@U123>', '<#C123>'];

/**
 * Filler between fragments. It has no `&`, `a` or `…`, so an `&amp;` in the output that is not
 * followed by `a` (its escaped `&amp;amp;`) or `…` (cut short) came through unescaped.
 */
const filler = fc.string({ unit: fc.constantFrom(...'bcdxyz019 -_.:é'), maxLength: 6 });

export const hostileText = fc.array(fc.oneof(fc.constantFrom(...fragments), filler), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));

/** A pool of hostile strings, handed out in turn to every text field of a fixture. */
export const hostilePool = fc.array(hostileText, { minLength: 6, maxLength: 6 });

export class Hostile {
  private next = 0;

  constructor(private readonly pool: readonly string[]) {}

  /** The next hostile string. */
  text(): string {
    const value = this.pool[this.next % this.pool.length] ?? '';
    this.next += 1;
    return value;
  }
}

/** Calls a builder with hostile strings in its text fields; answers everything it built, one result per branch. */
export type Fixture = (h: Hostile) => unknown[];

export interface ModuleCoverage {
  /** The module's path under src/, as the test finds it. */
  path: string;
  module: Record<string, unknown>;
  builders: Record<string, Fixture>;
  /** Exported functions that build no mrkdwn, and why. */
  notBuilders?: Record<string, string>;
  /** For modules found by name only: just these exports must be covered. */
  only?: boolean;
  /** Exported tables of builders (objects, not functions), by export name. */
  tables?: Record<string, Fixture>;
}

/** Every mrkdwn text in a builder's result: `mrkdwn` objects, Mrkdwn values, a message's `text`. */
export function mrkdwnTexts(value: unknown, top = true, found: string[] = []): string[] {
  if (value instanceof Mrkdwn) found.push(value.text);
  else if (typeof value === 'string') {
    if (top) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) mrkdwnTexts(item, false, found);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.type === 'mrkdwn' && typeof record.text === 'string') found.push(record.text);
    else if (top && !('type' in record) && typeof record.text === 'string') found.push(record.text);
    for (const child of Object.values(record)) if (child && typeof child === 'object') mrkdwnTexts(child, false, found);
  }
  return found;
}

/** The only `<…>` Switchboard writes: mentions of valid ids, its date token, links to the hosts it names. */
const tokens =
  /<@[UW][A-Z0-9]+>|<#[CGD][A-Z0-9]+>|<!date\^\d+\^\{date_short_pretty\} \{time\}\|[0-9TZ:.-]+>|<https:\/\/(?:dashboard\.vapi\.ai|storage\.vapi\.ai|space\.example\.com|switchboard\.example\.com)\/[^\s|<>]*\|[^<>]*>/g;

/** What is wrong with one mrkdwn text; empty when every hostile value in it was escaped. */
export function problemsIn(text: string): string[] {
  const problems = forbidden.filter((raw) => text.includes(raw)).map((raw) => `${raw} unescaped`);
  if (/[<>]/.test(text.replace(tokens, ''))) problems.push('a < or > outside a mention, date or link');
  if (/&(?!amp;|lt;|gt;)/.test(text)) problems.push('an & that is not an entity');
  if (/&amp;(?![a…])/.test(text)) problems.push('&amp; unescaped');
  return problems;
}
