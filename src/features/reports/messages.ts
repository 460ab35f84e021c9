import type { Button, KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import type { JobFinish } from '../../jobs/queue.js';
import { button, context, formModal, input, noticeModal, section, sectionMessage } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, link, type Mrkdwn, md, mentionChannel } from '../../slack/mrkdwn.js';
import type { NumberBackend, OwnedNumber, UnpostedReport } from '../../store/types.js';
import { parseJsonAs } from '../../util/json.js';
import { plural } from '../../util/plural.js';
import { unmarkedName } from '../numbers/telephony.js';
import type { ReportEvent } from './events.js';
import type { ReportNotes, SetReportPayload } from './report-jobs.js';

export const reportView = { callbackId: 'numbers.report', channel: 'report_channel', button: 'numbers.report.open' } as const;
export const reportButtonPattern = /^numbers\.report\.open(:.+)?$/;

/** Vapi's ended reasons people meet most, in words; any other is shown as Vapi spells it, with dashes as spaces. */
const endedReasons: Record<string, string> = {
  'customer-ended-call': 'the caller hung up',
  'assistant-ended-call': 'the assistant ended the call',
  'assistant-forwarded-call': 'the assistant transferred the call',
  'silence-timed-out': 'nobody spoke for too long',
  'exceeded-max-duration': 'the call reached its longest allowed length',
  'customer-did-not-answer': 'nobody answered',
  'customer-busy': 'the line was busy',
  voicemail: 'it reached voicemail',
};

const endedInWords = (reason: string) => endedReasons[reason] ?? reason.replace(/[-_.]+/g, ' ');

function minutes(seconds: number): string {
  return seconds < 60 ? plural(seconds, 'second') : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function numberName(number: OwnedNumber | undefined, fallback: string): string {
  return unmarkedName(number?.name) ?? number?.number ?? number?.sipUri ?? fallback;
}

/** One readable post per call or text; everything the caller said or sent is escaped. */
export function reportMessage(event: ReportEvent, number: OwnedNumber | undefined, vendorId: string): SlackMessage {
  const name = numberName(number, 'a number');
  if (event.kind === 'text') {
    const media = event.media ? md`\n_${plural(event.media, 'attachment')} not shown here._` : '';
    const text = md`:speech_balloon: Text to *${name}* from ${event.from || 'an unknown sender'}`;
    return sectionMessage(text, section(md`${event.body || '(no text)'}${media}`), context(md`Details: to ${event.to} · ${code(event.messageSid)}`));
  }
  const facts = [
    event.durationSeconds !== undefined ? minutes(event.durationSeconds) : undefined,
    event.endedReason ? `ended because ${endedInWords(event.endedReason)}` : undefined,
  ].filter(Boolean);
  const text = md`:telephone_receiver: Call to *${name}* from ${event.caller ?? 'an unknown caller'}${facts.length ? md` · ${facts.join(' · ')}` : ''}`;
  const blocks: KnownBlock[] = [];
  if (event.summary) blocks.push(section(md`*Summary*\n${event.summary}`));
  if (event.recordingUrl) blocks.push(section(link(event.recordingUrl, 'Listen to the recording')));
  blocks.push(context(md`Details: Vapi call ${code(event.callId)} · number ${code(vendorId)}`));
  return sectionMessage(text, ...blocks);
}

const refusedBecause: Record<string, string> = {
  not_in_channel: 'Switchboard is not in the channel: invite it with /invite',
  channel_not_found: 'Switchboard cannot see the channel: it is private and Switchboard was not invited, or it was deleted',
  is_archived: 'the channel is archived',
};

export function cannotPostMessage(channelId: string, reason: string, label: string): SlackMessage {
  const why = refusedBecause[reason] ?? 'Slack refused the post';
  return sectionMessage(
    md`:warning: Calls and texts of *${label}* cannot be posted in ${mentionChannel(channelId)}: ${why}. Switchboard keeps them on its App Home until you fix the channel or choose another (\`/phone numbers\` → *Report calls and texts…*).`,
    context(md`Details: ${code(reason)}`),
  );
}

export function reportSetMessage(payload: SetReportPayload, outcome: JobFinish<{ channelId: string }>['outcome']): SlackMessage {
  if (outcome.status === 'failed') return sectionMessage(md`:x: Calls and texts of *${payload.label}* are not reported: ${outcome.error}`);
  const what = payload.backend === 'vapi' ? 'Each call' : 'Each text';
  return sectionMessage(md`:white_check_mark: ${what} to *${payload.label}* is now posted in ${mentionChannel(payload.channelId)}.`);
}

export const reportNotes: ReportNotes = { report: reportMessage, cannotPost: cannotPostMessage, reportSet: reportSetMessage };

/** The button's value: which number (its label is only shown, never trusted). */
const buttonValue = z.object({ backend: z.enum(['vapi', 'signalwire']), vendorId: z.string().min(1), label: z.string().max(100) });
export type ReportButton = z.infer<typeof buttonValue>;

export function reportButton(backend: NumberBackend, vendorId: string, label: string, text = 'Report calls and texts…'): Button {
  return button(text.length > 75 ? `${text.slice(0, 72)}…` : text, `${reportView.button}:${vendorId}`.slice(0, 255), {
    value: JSON.stringify({ backend, vendorId, label: label.slice(0, 100) }),
  });
}

export function readReportButton(value: string | undefined): ReportButton | undefined {
  return parseJsonAs(buttonValue, value);
}

/** The channel picker (the owning workspace's conversations only; checked again on the server). */
export function reportChannelInput(initial?: string, options: { optional?: boolean } = {}): KnownBlock {
  const element = {
    type: 'conversations_select' as const,
    action_id: reportView.channel,
    placeholder: { type: 'plain_text' as const, text: 'Choose a channel' },
    filter: { include: ['public' as const, 'private' as const], exclude_external_shared_channels: true, exclude_bot_users: true },
    ...(initial ? { initial_conversation: initial } : {}),
  };
  return input(reportView.channel, 'Report calls and texts to', element, {
    optional: options.optional === true,
    hint: {
      type: 'plain_text',
      text: 'Each call (Vapi) or text (SignalWire) to the number is posted there once. Invite Switchboard to a private channel first.',
    },
  });
}

export function reportModal(target: ReportButton, current?: string): View {
  const who =
    target.backend === 'vapi'
      ? 'Vapi tells Switchboard when each call ends; whoever answers the calls now keeps answering them'
      : 'SignalWire hands each text to Switchboard, which posts it and answers nothing back';
  return formModal({ callbackId: reportView.callbackId, privateMetadata: JSON.stringify(target) }, 'Report calls and texts', 'Save', [
    section(md`Post each ${target.backend === 'vapi' ? 'call' : 'text'} of *${target.label}* in a channel of this workspace. ${who}.`),
    reportChannelInput(current),
  ]);
}

export function reportSavedView(label: string, outcome: JobFinish<{ channelId: string }>['outcome'] | undefined, channelId: string): View {
  if (!outcome)
    return noticeModal('Report calls and texts', md`:hourglass_flowing_sand: Setting it up; Switchboard sends you a direct message when it is done.`);
  if (outcome.status === 'failed') return noticeModal('Report calls and texts', md`:x: ${outcome.error}`);
  return noticeModal('Report calls and texts', md`:white_check_mark: Calls and texts of *${label}* are posted in ${mentionChannel(channelId)} from now on.`);
}

/** The App Home's "Calls and texts not posted" line, in the waiting section. */
export function unpostedSection(count: number, latest: UnpostedReport[]): KnownBlock[] {
  if (count === 0) return [];
  const lines = latest.map(
    (kept) => md`• ${kept.event.kind === 'call' ? 'A call' : 'A text'} for ${mentionChannel(kept.channelId)}: ${refusedBecause[kept.reason] ?? kept.reason}`,
  );
  return [
    section(
      md`*Calls and texts not posted* (${count})\nSlack refused them in their report channel; fix the channel or choose another.\n${lines.reduce<Mrkdwn>((all, line) => md`${all}${line}\n`, md``)}`,
    ),
  ];
}
