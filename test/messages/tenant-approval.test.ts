import { describe, expect, it } from 'vitest';
import { approvalRequestMessage } from '../../src/features/tenants/messages.js';
import type { TenantRecord } from '../../src/store/types.js';
import { teamKey } from '../../src/store/workspace-key.js';

/** An outsider names their workspace: the name reaches operators' DMs and the audit channel, and must arrive as text. */
describe('the approval request for a workspace', () => {
  it('shows a hostile workspace name as text: no mention, no link, in the message, its blocks and both confirm dialogs', () => {
    const record = {
      workspaceKey: teamKey('T0HOSTILE1'),
      slackId: 'T0HOSTILE1',
      kind: 'team',
      name: '<!channel> <https://evil.example|Approve here> & *bold*',
      status: 'pending',
      installedBy: 'U0OUTSIDER',
      requestedAt: Date.now(),
    } as unknown as TenantRecord;
    const message = approvalRequestMessage(record);
    const everything = JSON.stringify(message);
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('<https://evil.example');
    expect(message.text).toContain('&lt;!channel&gt;');
    const confirms = everything.match(/"confirm":\{"title"[^}]*\},"text":\{"type":"mrkdwn","text":"[^"]*"/g) ?? [];
    expect(confirms).toHaveLength(2);
    for (const confirm of confirms) expect(confirm).toContain('&lt;!channel&gt;');
  });
});
