import type { Block, ContextBlock, KnownBlock, View } from '@slack/types';
import { backendLabels } from '../../http/errors.js';
import { actions, button, confirmDialog, context, message, noticeModal, plain, section, sectionMessage } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, type Mrkdwn, md, mentionChannel, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import { shareInput } from '../../slack/share.js';
import type { NumberRequest } from '../../store/types.js';
import { failureLine } from '../failure-text.js';
import { changeOf } from './change-diff.js';
import { changeLines } from './change-messages.js';
import type { RequestedNumber } from './request-payload.js';

/** Operators' buttons; on the Home tab each carries `:<request id>` (action ids are unique per view). */
const requestActions = { approve: 'numbers.request.approve', deny: 'numbers.request.deny' } as const;

/** The note that makes a provisioning form a request; its block id is how a submission knows it was one. */
const requestNoteBlockId = 'numbers.request.note';

const requestTitles = { vapi: 'Request a Vapi number', signalwire: 'Request an import' } as const;

/** The provisioning form as a request: same fields and checks, another title, and a word on what happens next. */
export function asRequestForm(form: View, backend: RequestedNumber['backend']): View {
  const note: ContextBlock = {
    ...context(
      md`:raised_hand: Numbers cost money, so this form asks Switchboard’s operators. One of them approves or denies it, and you get a direct message either way; nothing is created before then.`,
    ),
    block_id: requestNoteBlockId,
  };
  // The result is the operators' answer, which reaches the requester by DM: there is nothing to post in the channel.
  const fields = (form.blocks as (KnownBlock | Block)[]).filter((block) => block.block_id !== shareInput.block);
  return { ...form, title: plain(requestTitles[backend]), submit: plain('Request'), blocks: [note, ...fields] } as View;
}

export function isRequestForm(view: { blocks?: readonly { block_id?: string }[] } | undefined): boolean {
  return Boolean(view?.blocks?.some((block) => block.block_id === requestNoteBlockId));
}

/** What was asked for, in one line (never a password). */
export function requestedNumberLine(requested: RequestedNumber): Mrkdwn {
  if (requested.change) {
    const { change } = requested;
    const { lines } = changeOf(change.before, change.after);
    return md`a change to ${backendLabels[change.backend]} number ${code(change.label)}:\n${changeLines(lines)}\n`;
  }
  if (requested.backend === 'signalwire') {
    const { number, number_type, capabilities } = requested.body;
    const name = requested.name ? `, named “${requested.name}”` : '';
    return md`${code(number)} imported into SignalWire (${number_type === 'tollfree' ? 'toll-free' : 'long code'}; ${capabilities.join(', ')})${name}${reportedIn(requested.report)}`;
  }
  const body = requested.body;
  const what = body.sipUri ? md`Vapi SIP URI ${code(body.sipUri)}` : md`a free Vapi US number in area code ${code(body.numberDesiredAreaCode ?? '?')}`;
  const answeredBy = body.assistantId
    ? md`assistant ${code(body.assistantId)}`
    : body.squadId
      ? md`squad ${code(body.squadId)}`
      : body.workflowId
        ? md`workflow ${code(body.workflowId)}`
        : md`the server URL ${code(body.server?.url ?? '?')}`;
  const credentials = body.authentication ? md`, SIP digest username ${code(body.authentication.username)}` : '';
  const destination = body.fallbackDestination;
  const fallback = destination ? md`, fallback ${code(destination.type === 'sip' ? destination.sipUri : destination.number)}` : '';
  return md`${what} named “${body.name}”, answered by ${answeredBy}${credentials}${fallback}${reportedIn(requested.report)}`;
}

const reportedIn = (report: { channelId: string } | undefined) => (report ? md`, its calls and texts reported in ${mentionChannel(report.channelId)}` : '');

/** The form's answer to the requester: sent, and the password they typed or generated, once. */
export function requestSentView(requested: RequestedNumber, expiresAt: number, extras: { password?: string; warning?: string }): View {
  const blocks: KnownBlock[] = [];
  if (extras.password) {
    blocks.push(
      section(
        md`*SIP digest password:* ${code(extras.password)}\nCopy it now: Switchboard keeps it only encrypted, for the operators’ answer, and will not show it again.`,
      ),
    );
  }
  if (extras.warning) blocks.push(section(md`:warning: ${extras.warning}`));
  return noticeModal(
    'Request sent',
    md`:outbox_tray: Request sent: ${requestedNumberLine(requested)}.\nSwitchboard’s operators decide; you get a direct message either way. Undecided by ${slackDate(expiresAt)}, it expires.`,
    blocks,
  );
}

function askedLine(request: NumberRequest, requested: RequestedNumber, tenant: string | undefined): Mrkdwn {
  const where = tenant ? md` in *${tenant}*` : '';
  return md`${mentionUser(request.requestedBy)}${where} asks for ${requestedNumberLine(requested)}.`;
}

function decisionButtons(request: NumberRequest, blockId: string, suffix: string): KnownBlock {
  return actions(blockId, [
    button('Approve', `${requestActions.approve}${suffix}`, {
      style: 'primary',
      value: request.id,
      confirm: confirmDialog('Approve this request?', md`Switchboard provisions the number now; it costs money.`, 'Approve', 'primary'),
    }),
    button('Deny', `${requestActions.deny}${suffix}`, {
      style: 'danger',
      value: request.id,
      confirm: confirmDialog('Deny this request?', md`Nothing is provisioned; the person who asked is told.`, 'Deny'),
    }),
  ]);
}

/** What operators get by direct message. */
export function numberRequestMessage(request: NumberRequest, requested: RequestedNumber, tenant: string | undefined): SlackMessage {
  const text = md`:raised_hand: ${askedLine(request, requested, tenant)}\nAsked ${slackDate(request.requestedAt)}; it expires ${slackDate(request.expiresAt)} unless an operator decides.`;
  return message(md`A request for a phone number waits for an operator`, [section(text), decisionButtons(request, 'number-request', '')]);
}

export interface PendingNumberRequest {
  request: NumberRequest;
  requested: RequestedNumber;
  tenant: string | undefined;
}

const homeBlockId = (requestId: string) => `number-request-${requestId}`;
const homeActionsBlockId = (requestId: string) => `number-request-actions-${requestId}`;

/** The Home tab's list for those who may provision. */
export function numberRequestsSection(pending: PendingNumberRequest[]): KnownBlock[] {
  if (pending.length === 0) return [];
  const blocks: KnownBlock[] = [section(md`*Requests for numbers* (${pending.length})\nPeople who may ask but not provision, waiting for an answer.`)];
  for (const { request, requested, tenant } of pending) {
    blocks.push(
      section(md`${askedLine(request, requested, tenant)} Expires ${slackDate(request.expiresAt)}.`, { block_id: homeBlockId(request.id) }),
      decisionButtons(request, homeActionsBlockId(request.id), `:${request.id}`),
    );
  }
  return blocks;
}

/** The Home tab as it was, with one request's entry replaced by its outcome. */
export function homeWithDecision(blocks: readonly (KnownBlock | Block)[], request: NumberRequest, outcome: Mrkdwn): (KnownBlock | Block)[] {
  return blocks
    .filter((block) => block.block_id !== homeActionsBlockId(request.id))
    .map((block) => (block.block_id === homeBlockId(request.id) ? section(outcome, { block_id: homeBlockId(request.id) }) : block));
}

/** Where provisioning stands after an approval. */
export type ProvisionProgress =
  | { state: 'running' }
  | { state: 'done'; number: string; vendorId: string; changed?: boolean }
  | { state: 'failed'; error: string }
  | { state: 'queued' };

function progressLine(progress: ProvisionProgress | undefined, requestedBy: string): Mrkdwn {
  switch (progress?.state) {
    case undefined:
      return md``;
    case 'running':
      return md`\n:hourglass_flowing_sand: Provisioning…`;
    case 'done':
      return md`\n:white_check_mark: ${progress.changed ? 'Changed' : 'Provisioned'} ${code(progress.number)} (ID ${code(progress.vendorId)}). ${mentionUser(requestedBy)} has the result by direct message.`;
    case 'failed':
      return md`\n:x: Provisioning failed: ${failureLine(progress.error)}`;
    case 'queued':
      return md`\n:hourglass_flowing_sand: The vendor is slow to answer; Switchboard keeps trying, and ${mentionUser(requestedBy)} gets the result by direct message.`;
  }
}

/** The operators' copy once the request is decided (or found expired): who decided, and what came of it. */
export function decidedRequestText(request: NumberRequest, requested: RequestedNumber, tenant: string | undefined, progress?: ProvisionProgress): Mrkdwn {
  const asked = askedLine(request, requested, tenant);
  const decider = mentionUser(request.decidedBy ?? '');
  switch (request.status) {
    case 'approved':
      return md`:white_check_mark: Approved by ${decider} ${slackDate(request.decidedAt ?? Date.now())}. ${asked}${progressLine(progress, request.requestedBy)}`;
    case 'denied':
      return md`:no_entry: Denied by ${decider} ${slackDate(request.decidedAt ?? Date.now())}. ${asked}`;
    case 'expired':
      return md`:hourglass: Expired ${slackDate(request.expiresAt)} without a decision, so it cannot be approved. ${asked} They can ask again.`;
    case 'pending':
      return md`:raised_hand: ${asked}`;
  }
}

/** The requester's direct message when their request is decided or expires. */
export function requesterDecisionMessage(request: NumberRequest, requested: RequestedNumber, ttlHours: number): SlackMessage {
  const line = requestedNumberLine(requested);
  const command = code(requested.change ? '/phone numbers' : requested.backend === 'vapi' ? '/phone sip' : '/phone import');
  const doing = requested.change ? 'making the change' : 'provisioning it';
  const nothing = requested.change ? 'Nothing was changed.' : 'Nothing was created.';
  const decider = mentionUser(request.decidedBy ?? '');
  return sectionMessage(
    request.status === 'approved'
      ? md`:white_check_mark: ${decider} approved your request for ${line}. Switchboard is ${doing}; the result follows here.`
      : request.status === 'denied'
        ? md`:no_entry: ${decider} denied your request for ${line}. ${nothing}`
        : md`:hourglass: Your request for ${line} expired after ${ttlHours} hours without an operator’s answer. ${nothing} Ask again with ${command}.`,
  );
}

export const requestRefusals = {
  notFound: 'There is no such request for a number.',
  ownRequest: 'You asked for this number, so someone else must approve it: another admin, or a Switchboard operator.',
} as const;
