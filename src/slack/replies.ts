import type { KnownBlock, View } from '@slack/types';
import type { WorkspaceKey } from '../store/types.js';
import { plain } from './blocks.js';
import type { BotClients } from './bot-clients.js';
import type { ResultSharing } from './share.js';

/** Where a result goes: the modal it was asked from, the message (through its response_url), or a direct message. */
export type ReplyTo = { kind: 'view'; viewId: string } | { kind: 'response'; url: string } | { kind: 'dm' };

/** A result that can be shown in any of those places. */
export interface Reply {
  /** The modal's title (at most 24 characters). */
  title: string;
  text: string;
  blocks: KnownBlock[];
}

/**
 * Shows a background job's result where the person asked for it; when that place is gone (the
 * modal closed, the response_url used up or expired), as a direct message instead.
 */
export class Replies {
  constructor(private readonly services: { bots: BotClients; sharing: ResultSharing }) {}

  /** True when the reply was shown somewhere (a job's follow-up tries again otherwise). */
  async send(workspaceKey: WorkspaceKey, userId: string, to: ReplyTo, reply: Reply): Promise<boolean> {
    if (to.kind === 'view') {
      const client = await this.services.bots.forWorkspace(workspaceKey);
      const shown = await client?.views
        .update({ view_id: to.viewId, view: replyView(reply) })
        .then(() => true)
        .catch(() => false);
      if (shown) return true;
    } else if (to.kind === 'response') {
      if (await this.services.sharing.respond(to.url, { response_type: 'ephemeral', replace_original: false, text: reply.text, blocks: reply.blocks }))
        return true;
    }
    return this.services.bots.sendDirectMessage(workspaceKey, userId, { text: reply.text, blocks: reply.blocks });
  }
}

export function replyView(reply: Reply): View {
  return { type: 'modal', title: plain(reply.title.slice(0, 24)), close: plain('Close'), blocks: reply.blocks };
}
