import type { ViewOutput } from '@slack/bolt';
import type { InputBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logging/logger.js';
import { plain } from './blocks.js';
import type { SlackMessage } from './bot-clients.js';

/**
 * "Post the result in this channel": results of state changes are private unless the person asks
 * to share them. The channel a modal was opened from travels in its private_metadata.
 */
export const shareInput = { block: 'share', action: 'share', value: 'in_channel' } as const;

export function shareBlock(): InputBlock {
  return {
    type: 'input',
    block_id: shareInput.block,
    optional: true,
    label: plain('Visibility'),
    element: {
      type: 'checkboxes',
      action_id: shareInput.action,
      options: [{ text: plain('Post the result in this channel'), value: shareInput.value }],
    },
  };
}

export function channelMetadata(channelId: string | undefined): string {
  return channelId ? JSON.stringify({ channelId }) : '';
}

/** The channel to post the result in, when the person ticked the box. */
export function sharedChannel(view: Pick<ViewOutput, 'private_metadata' | 'state'>): string | undefined {
  const selected = view.state.values[shareInput.block]?.[shareInput.action]?.selected_options;
  const ticked = Array.isArray(selected) && selected.some((option) => option?.value === shareInput.value);
  return ticked ? channelOf(view.private_metadata) : undefined;
}

/** The channel a modal was opened from, kept so a redrawn modal still offers to post there. */
export function channelOf(privateMetadata: string | undefined): string | undefined {
  try {
    const { channelId } = JSON.parse(privateMetadata || '{}') as { channelId?: unknown };
    return typeof channelId === 'string' ? channelId : undefined;
  } catch {
    return undefined;
  }
}

/** Posts the result for everyone in the channel; a failure is logged, never thrown at the person. */
export async function shareResult(client: WebClient, channelId: string | undefined, message: SlackMessage, logger: Logger): Promise<void> {
  if (!channelId) return;
  try {
    await client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks as never, unfurl_links: false });
  } catch (error) {
    logger.warn({ err: error, channelId }, 'could not post a result in the channel');
  }
}
