import { failureParts } from '../features/failure-text.js';
import { truncate } from '../slack/blocks.js';
import { joinMd, type Mrkdwn, md, slackDate } from '../slack/mrkdwn.js';
import type { AuditEntry } from '../store/types.js';
import { auditDetails, auditSentence } from './sentences.js';

/** A failure or a refusal is marked; everything else reads as its sentence. */
export const auditMarks: Partial<Record<AuditEntry['outcome'], string>> = { failed: '❌', refused: '🚫' };

/**
 * One line per write for the audit channel: the sentence, then its details (vendor ids, the
 * error, the workspace). Targets, vendor ids and errors come from people and vendors: they are
 * escaped, so `<!channel>` or a disguised link stays plain text.
 */
export function auditChannelLine(entry: AuditEntry): Mrkdwn {
  const mark = auditMarks[entry.outcome];
  const details = [auditDetails(entry), entry.workspaceKey ? md`workspace ${entry.workspaceKey}` : undefined].filter((part) => part !== undefined);
  const sentence = mark ? md`${mark} ${auditSentence(entry)}` : auditSentence(entry);
  return details.length ? md`${sentence}\n_Details: ${joinMd(details, ' · ')}_` : sentence;
}

/** One entry in a list of recent changes (the Home tab, `/connect audit`): mark, when, the sentence, and a failure's reason cut at a word. */
export function auditListLine(entry: AuditEntry): Mrkdwn {
  const mark = auditMarks[entry.outcome];
  const reason = entry.error && entry.outcome === 'failed' ? md` _${truncate(failureParts(entry.error).text, 160)}_` : '';
  return md`${mark ? md`${mark} ` : ''}${slackDate(entry.at)} ${auditSentence(entry)}${reason}`;
}
