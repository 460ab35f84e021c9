import type { ViewOutput } from '@slack/bolt';
import type { InputBlock, View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logging/logger.js';
import { context, input, plain } from './blocks.js';
import type { SlackMessage } from './bot-clients.js';
import { md, mentionChannel } from './mrkdwn.js';

/**
 * "Post the result in this channel": results of state changes are private unless the person asks
 * to share them. Where a modal was opened from travels in its private_metadata: the channel, and
 * the command's response_url, which can post in a private channel or a DM where the bot is not a
 * member (chat:write.public only covers public channels).
 */
export const shareInput = { block: 'share', action: 'share', value: 'in_channel' } as const;

/** Where a form was opened from. */
export interface ShareOrigin {
  channelId: string;
  /** The slash command's response_url (valid for 30 minutes), when the form came from a command. */
  responseUrl?: string;
}

export function shareBlock(): InputBlock {
  const options = [{ text: plain('Post the result in this channel'), value: shareInput.value }];
  return input(shareInput.block, 'Visibility', { type: 'checkboxes', action_id: shareInput.action, options }, { optional: true });
}

/** A slash command's channel and response_url. */
export function commandOrigin(body: { channel_id: string; response_url: string }): ShareOrigin {
  return { channelId: body.channel_id, responseUrl: body.response_url };
}

export function originMetadata(origin: ShareOrigin | undefined): string {
  return origin ? JSON.stringify(origin) : '';
}

/** Where the form came from, kept so a redrawn form still offers to post there. */
export function originOf(privateMetadata: string | undefined): ShareOrigin | undefined {
  try {
    const { channelId, responseUrl } = JSON.parse(privateMetadata || '{}') as { channelId?: unknown; responseUrl?: unknown };
    if (typeof channelId !== 'string') return undefined;
    return typeof responseUrl === 'string' ? { channelId, responseUrl } : { channelId };
  } catch {
    return undefined;
  }
}

/** The origin when the person ticked "Post the result in this channel". */
export function sharedOrigin(view: Pick<ViewOutput, 'private_metadata' | 'state'>): ShareOrigin | undefined {
  const selected = view.state.values[shareInput.block]?.[shareInput.action]?.selected_options;
  const ticked = Array.isArray(selected) && selected.some((option) => option?.value === shareInput.value);
  return ticked ? originOf(view.private_metadata) : undefined;
}

export type ShareOutcome = { shared: true; channelId: string } | { shared: false; reason: string };

/** Slack's answers that mean the bot may not post there (as opposed to a failure worth logging). */
const notAMember = new Set(['not_in_channel', 'channel_not_found']);

/**
 * Posts results for everyone in a channel: as the bot where it may post, else through the
 * command's response_url (Slack's own hooks, or the host serving the Web API when one is
 * configured, e.g. a Slack-compatible gateway). Never throws; says why when it could not.
 */
export class ResultSharing {
  private readonly apiOrigin: string;

  constructor(
    slackApiUrl: string,
    private readonly logger: Logger,
  ) {
    this.apiOrigin = new URL(slackApiUrl).origin;
  }

  async share(client: WebClient, origin: ShareOrigin | undefined, message: SlackMessage): Promise<ShareOutcome | undefined> {
    if (!origin) return undefined;
    const { channelId, responseUrl } = origin;
    const slackError = await this.postAsBot(client, origin, message);
    if (slackError === 'is_archived') return { shared: false, reason: 'the channel is archived' };
    if (!slackError || (responseUrl && (await this.respond(responseUrl, { response_type: 'in_channel', text: message.text, blocks: message.blocks })))) {
      return { shared: true, channelId };
    }
    const expired = responseUrl ? ', and the command’s link to it has expired' : '';
    return { shared: false, reason: `Switchboard is not a member of that conversation${expired}` };
  }

  /** Undefined when posted; else Slack's error code (or "failed"). */
  private async postAsBot(client: WebClient, origin: ShareOrigin, message: SlackMessage): Promise<string | undefined> {
    try {
      await client.chat.postMessage({ channel: origin.channelId, text: message.text, blocks: message.blocks as never, unfurl_links: false });
      return undefined;
    } catch (error) {
      const slackError = (error as { data?: { error?: string } }).data?.error;
      if (!slackError || !notAMember.has(slackError)) this.logger.warn({ err: error, channelId: origin.channelId }, 'could not post a result in the channel');
      return slackError ?? 'failed';
    }
  }

  /**
   * Posts to a response_url, and only to one Slack could have given (its hooks host, or the host
   * serving the Web API): the URL comes back in payloads, so it is never trusted blindly. False
   * when it could not (expired, used up, refused).
   */
  async respond(url: string, body: Record<string, unknown>): Promise<boolean> {
    if (!url.startsWith('https://hooks.slack.com/') && !url.startsWith(`${this.apiOrigin}/`)) return false;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) this.logger.warn({ status: response.status }, 'a response_url refused a message');
      return response.ok;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not post through a response_url');
      return false;
    }
  }
}

/** The result view with a line saying where the result was posted, or why it could not be. */
export function withShareNote(view: View, outcome: ShareOutcome | undefined): View {
  if (!outcome) return view;
  const note = outcome.shared ? md`Posted in ${mentionChannel(outcome.channelId)}.` : md`Not posted in the channel: ${outcome.reason}.`;
  return { ...view, blocks: [...view.blocks, context(note)] };
}
