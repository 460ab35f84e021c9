import { code, escapeMrkdwn } from '../slack/blocks.js';
import type { AuditEntry } from '../store/types.js';

const outcomeMarks: Record<AuditEntry['outcome'], string> = {
  ok: '✅',
  queued: '⏳',
  failed: '❌',
  refused: '🚫',
  'not-found': '➖',
};

/**
 * One compact line per write for the audit channel. Targets, vendor ids and errors come from
 * people and vendors: they are escaped, so `<!channel>` or a disguised link stays plain text.
 */
export function auditChannelLine(entry: AuditEntry): string {
  const who = entry.userId && /^[UW][A-Z0-9]+$/.test(entry.userId) ? `<@${entry.userId}>` : 'Switchboard';
  const parts = [`${outcomeMarks[entry.outcome]} ${code(entry.action)} by ${who}`];
  if (entry.target) parts.push(`on ${code(entry.target)}`);
  if (entry.backend) parts.push(`→ ${escapeMrkdwn(entry.backend)}${entry.backendId ? ` ${code(entry.backendId)}` : ''}`);
  if (entry.workspaceKey) parts.push(`(${escapeMrkdwn(entry.workspaceKey)})`);
  if (entry.error) parts.push(`— ${escapeMrkdwn(entry.error)}`);
  return parts.join(' ');
}
