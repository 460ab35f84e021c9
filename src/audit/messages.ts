import { code, isUserId, joinMd, type Mrkdwn, md, mentionUser } from '../slack/mrkdwn.js';
import type { AuditEntry } from '../store/types.js';

const outcomeMarks: Record<AuditEntry['outcome'], string> = { ok: '✅', queued: '⏳', failed: '❌', refused: '🚫', 'not-found': '➖' };

/**
 * One compact line per write for the audit channel. Targets, vendor ids and errors come from
 * people and vendors: they are escaped, so `<!channel>` or a disguised link stays plain text.
 */
export function auditChannelLine(entry: AuditEntry): Mrkdwn {
  const who = entry.userId && isUserId(entry.userId) ? mentionUser(entry.userId) : 'Switchboard';
  const parts = [md`${outcomeMarks[entry.outcome]} ${code(entry.action)} by ${who}`];
  if (entry.target) parts.push(md`on ${code(entry.target)}`);
  if (entry.backend) parts.push(md`→ ${entry.backend}${entry.backendId ? md` ${code(entry.backendId)}` : ''}`);
  if (entry.workspaceKey) parts.push(md`(${entry.workspaceKey})`);
  // One line: a failure's details (the vendor's words) follow its sentence on the same line.
  if (entry.error) parts.push(md`— ${entry.error.replace(/\s*\n\s*/g, ' ')}`);
  return joinMd(parts, ' ');
}
