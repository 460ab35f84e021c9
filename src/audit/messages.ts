import type { AuditEntry } from '../store/types.js';

const outcomeMarks: Record<AuditEntry['outcome'], string> = {
  ok: '✅',
  queued: '⏳',
  failed: '❌',
  refused: '🚫',
  'not-found': '➖',
};

/** One compact line per write for the audit channel. */
export function auditChannelLine(entry: AuditEntry): string {
  const who = entry.userId ? `<@${entry.userId}>` : 'Switchboard';
  const parts = [`${outcomeMarks[entry.outcome]} \`${entry.action}\` by ${who}`];
  if (entry.target) parts.push(`on ${entry.target}`);
  if (entry.backend) parts.push(`→ ${entry.backend}${entry.backendId ? ` \`${entry.backendId}\`` : ''}`);
  if (entry.workspaceKey) parts.push(`(${entry.workspaceKey})`);
  if (entry.error) parts.push(`— ${entry.error}`);
  return parts.join(' ');
}
