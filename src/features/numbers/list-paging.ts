import type { KnownBlock } from '@slack/types';
import { backendLabels } from '../../http/errors.js';
import { button, context, section } from '../../slack/blocks.js';
import { code, md } from '../../slack/mrkdwn.js';
import type { NumberBackend } from '../../store/types.js';
import { plural } from '../../util/plural.js';

/** How far `/phone numbers` read a vendor's list, when it did not read all of it. */
export interface ListNote {
  /** Numbers read from the vendor. */
  read: number;
  /** Switchboard stopped at its bound while the vendor had more: how many when the vendor says. */
  more?: number | 'unknown';
  /** Of the workspace's own numbers, how many were not among those read (for a workspace, not operators). */
  missing?: number;
  /** A later page failed: what the vendor said. The numbers read before it are listed. */
  error?: string;
}

/** "Show more" under a list longer than one message (`numbers.list.more:<vendor>`): the value names the vendor and where the next part starts. */
export const numbersMorePattern = /^numbers\.list\.more(:.+)?$/;
const moreActionId = (backend: NumberBackend) => `numbers.list.more:${backend}`;

export interface ListPart {
  backend: NumberBackend;
  from: number;
}

export function moreValue(part: ListPart): string {
  return `${part.backend}:${part.from}`;
}

export function readMoreValue(value: string | undefined): ListPart | undefined {
  const match = /^(vapi|signalwire):(\d{1,6})$/.exec(value ?? '');
  return match ? { backend: match[1] as NumberBackend, from: Number(match[2]) } : undefined;
}

/** Where the list goes on: the part shown, and the button to the next part. */
export function moreBlock(backend: NumberBackend, shown: { from: number; to: number; total: number }): KnownBlock {
  const text = md`Showing ${shown.from + 1}–${shown.to} of ${plural(shown.total, `${backendLabels[backend]} number`)}.`;
  if (shown.to >= shown.total) return context(text);
  return section(text, { accessory: button('Show more', moreActionId(backend), { value: moreValue({ backend, from: shown.to }) }) });
}

/** What a list read only in part says: why, what is missing, and the next step. */
export function noteBlocks(backend: NumberBackend, note: ListNote | undefined): KnownBlock[] {
  if (!note) return [];
  const who = backendLabels[backend];
  const read = plural(note.read, 'number');
  if (note.error) {
    return [
      section(md`:warning: ${who} stopped answering after ${read}, so this list may be incomplete. Run \`/phone numbers\` again in a minute.`),
      context(md`Details: ${note.error}`),
    ];
  }
  if (note.more === undefined) return [];
  if (note.missing !== undefined) {
    if (note.missing === 0) return [];
    return [
      section(
        md`:information_source: ${plural(note.missing, 'number')} of this workspace ${note.missing === 1 ? 'is' : 'are'} not among the newest ${read} on ${who} that Switchboard reads. Look ${note.missing === 1 ? 'it' : 'them'} up in the ${who} dashboard.`,
      ),
    ];
  }
  const beyond = note.more === 'unknown' ? md`${who} has more` : md`${who} has ${plural(note.more, 'more number')}`;
  return [section(md`:information_source: Switchboard reads the newest ${read} on ${who}; ${beyond}. See the rest in the ${who} dashboard.`)];
}

/** The sentence for a `Show more` click Switchboard cannot follow (a value it did not make). */
export const unknownPart = md`This list is not one Switchboard can continue. Run ${code('/phone numbers')} again.`;
