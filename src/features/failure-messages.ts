import type { KnownBlock } from '@slack/types';
import { context, section } from '../slack/blocks.js';
import { type Mrkdwn, md } from '../slack/mrkdwn.js';
import { failureParts } from './failure-text.js';

/**
 * A failure on a surface: the sentence says what happened and what to do; the vendor's own words
 * (and ids) wait in a "Details:" context line behind it (failure-text.ts keeps the two apart).
 */

/** What happened and what to do, without the vendor's words, for a sentence. */
export function failureSentence(error: string): Mrkdwn {
  return md`${failureParts(error).text}`;
}

/** The vendor's words behind a failure, as a "Details:" line; nothing when it said none. */
export function failureDetails(error: string | undefined): KnownBlock[] {
  const details = error === undefined ? undefined : failureParts(error).details;
  return details ? [context(md`Details: ${details}`)] : [];
}

/** A failure in a section that starts with `lead`, its details behind it. */
export function failureBlocks(lead: Mrkdwn, error: string): KnownBlock[] {
  return [section(md`${lead}${failureSentence(error)}`), ...failureDetails(error)];
}

/**
 * The last answer of a write still being retried, for a details line: Switchboard's words and
 * the vendor's, together, since both are only the background of "still trying".
 */
export function lastAnswerDetails(lastError: string | undefined): KnownBlock[] {
  if (!lastError) return [];
  const { text, details } = failureParts(lastError);
  return [context(md`Details: last answer: ${text}${details ? ` ${details}` : ''}`)];
}
