import type { KnownBlock, View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Telling } from '../jobs/queue.js';
import type { Logger } from '../logging/logger.js';
import type { WorkspaceKey } from '../store/types.js';
import { plain, section } from './blocks.js';
import type { BotClients, SlackMessage } from './bot-clients.js';
import { notSavedMessage } from './commands/messages.js';
import type { ButtonArgs, ViewSubmissionArgs } from './listener-table.js';
import type { Mrkdwn, MrkdwnText } from './mrkdwn.js';
import type { ResultSharing } from './share.js';

/** Where a result goes: the modal it was asked from, the message (through its response_url), or a direct message. */
export type ReplyTo = { kind: 'view'; viewId: string } | { kind: 'response'; url: string } | { kind: 'dm' };

/** A result that can be shown in any of those places. */
export interface Reply {
  /** The modal's title (at most 24 characters). */
  title: string;
  text: MrkdwnText;
  blocks: KnownBlock[];
}

/** A reply whose blocks default to its text in one section. */
export function replyOf(title: string, text: Mrkdwn, blocks: KnownBlock[] = [section(text)]): Reply {
  return { title, text: text.text, blocks };
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
      if (await client?.views.update({ view_id: to.viewId, view: replyView(reply) }).catch(() => undefined)) return true;
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

/**
 * Shows a job's outcome in the modal the person waited in. When the modal is gone (closed, or
 * Slack lost it), the outcome they were promised goes by direct message instead (`fallback`): the
 * job's own follow-up sent none, because they were waiting. An outcome still queued needs no
 * fallback — its follow-up tells them — and passes none.
 */
export async function showInForm(
  services: { bots: Pick<BotClients, 'sendDirectMessage'>; logger: Pick<Logger, 'warn'> },
  client: WebClient,
  where: { viewId: string; workspaceKey: WorkspaceKey; userId: string },
  view: View,
  fallback: SlackMessage | undefined,
): Promise<void> {
  try {
    await client.views.update({ view_id: where.viewId, view });
  } catch (error) {
    services.logger.warn({ err: error }, 'could not show a result in its form; it goes by direct message');
    if (fallback) await services.bots.sendDirectMessage(where.workspaceKey, where.userId, fallback);
  }
}

/** A form's request, told in the form: it becomes `view` once stored; else it stays as typed, with the reason under `block`. */
export function toldInForm<T>(ack: ViewSubmissionArgs['ack'], view: View, block: string): Telling<T> {
  return {
    stored: () => ack({ response_action: 'update', view }),
    notStored: (text) => ack({ response_action: 'errors', errors: { [block]: text } }),
  };
}

/**
 * A click whose work the store did not take in time, answered where the person clicked: beside the
 * message (through its response_url), else by direct message (from the Home tab or a modal).
 */
export function notStoredBesideClick(
  bots: Pick<BotClients, 'sendDirectMessage'>,
  { body, actor, respond }: Pick<ButtonArgs, 'body' | 'actor' | 'respond'>,
): Telling<unknown>['notStored'] {
  return async (text) => {
    const message = notSavedMessage(text);
    if (!body.view && body.response_url) await respond({ ...message, replace_original: false });
    else await bots.sendDirectMessage(actor.tenant.key, actor.userId, { text: message.text, blocks: message.blocks });
  };
}
