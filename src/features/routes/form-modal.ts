import type { KnownBlock, View } from '@slack/types';
import { plain, section } from '../../slack/blocks.js';
import type { Mrkdwn } from '../../slack/mrkdwn.js';

/** A form of the routes feature: what it does, then its inputs; Cancel closes it. */
export function formModal(ids: { callbackId: string; privateMetadata?: string }, title: string, submit: string, intro: Mrkdwn, inputs: KnownBlock[]): View {
  return {
    type: 'modal',
    callback_id: ids.callbackId,
    ...(ids.privateMetadata === undefined ? {} : { private_metadata: ids.privateMetadata }),
    title: plain(title),
    submit: plain(submit),
    close: plain('Cancel'),
    blocks: [section(intro), ...inputs],
  };
}
