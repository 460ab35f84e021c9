import type { KnownBlock, View } from '@slack/types';
import type { ChannelEndpoint, CreatePhoneEndpointBody } from '../../backends/novu/schemas.js';
import type { JobFinish } from '../../jobs/queue.js';
import {
  actions,
  button,
  confirmDialog,
  context,
  type EphemeralMessage,
  ephemeral,
  formModal,
  header,
  noticeModal,
  pickerInput,
  section,
  sectionEphemeral,
  sectionMessage,
  textInput,
} from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, type Mrkdwn, md, mentionUser } from '../../slack/mrkdwn.js';
import { originMetadata, type ShareOrigin, shareBlock } from '../../slack/share.js';
import { deliveryActions, testButton } from '../delivery/actions.js';
import { failureDetails, failureSentence, lastAnswerDetails } from '../failure-messages.js';
import type { RegisterResult, RemoveResult } from './endpoint-jobs.js';
import { parsePhoneNumber } from './phone-number.js';

export const phoneActions = {
  remove: 'phone.remove',
  more: 'phone.list.more',
  /** Register for a subscriber beside a number; the value is the number. Suffixed `:…` where several share a message. */
  registerNumber: 'phone.register.open',
} as const;

export const registerView = {
  callbackId: 'phone.register',
  subscriber: { block: 'subscriber', action: 'subscriber' },
  number: { block: 'number', action: 'number' },
  integration: { block: 'integration', action: 'phone.integration' },
  connection: { block: 'connection', action: 'phone.connection' },
  identifier: { block: 'identifier', action: 'identifier' },
} as const;

export type RegisterField = 'subscriber' | 'number' | 'integration' | 'connection' | 'context' | 'identifier';

/** What the modal shows: the values to start from, and a problem Novu reported about one of them. */
export interface RegisterPrefill {
  subscriberId?: string;
  number?: string;
  integration?: string;
  connection?: string;
  identifier?: string;
  /** The channel the form was opened from: offers to post the result there. */
  origin?: ShareOrigin;
  problem?: { field?: RegisterField; text: string };
}

const fieldLabels: Record<RegisterField, string> = {
  subscriber: 'Subscriber ID',
  number: 'Phone number',
  integration: 'Novu integration',
  connection: 'Connection',
  context: 'Context',
  identifier: 'Endpoint identifier',
};

const formTitle = 'Register a phone';

/** Subscriber IDs are kept to this length in forms and filters (it also keeps a list's More button within Slack's 2,000 characters). */
export const maxSubscriberIdLength = 200;

export function registerModal(prefill: RegisterPrefill, defaultRegion: string): View {
  const { problem } = prefill;
  const where = problem?.field ? md`*${fieldLabels[problem.field]}:* ` : '';
  const blocks: KnownBlock[] = [
    ...(problem ? [section(md`:warning: ${where}${failureSentence(problem.text)}`), ...failureDetails(problem.text)] : []),
    textInput(registerView.subscriber, 'Subscriber ID', prefill.subscriberId, { placeholder: 'subscriber-42', max: maxSubscriberIdLength }),
    textInput(registerView.number, 'Phone number', prefill.number, {
      placeholder: '+1 415 555 0100',
      hint: `Any format. Numbers without a country code are read as ${defaultRegion}.`,
      max: 64,
    }),
    pickerInput(registerView.integration, 'Novu integration', 'Active integrations; those that deliver to phone numbers (SMS, WhatsApp) come first.', {
      placeholder: 'Choose',
      initial: prefill.integration,
    }),
    pickerInput(registerView.connection, 'Connection', 'A channel connection of that integration, if the endpoint should use one.', {
      placeholder: 'None',
      initial: prefill.connection,
      optional: true,
    }),
    textInput(registerView.identifier, 'Endpoint identifier', prefill.identifier, {
      hint: 'Leave empty: Switchboard derives one from integration, subscriber and number, so registering twice makes one endpoint.',
      optional: true,
      max: 100,
    }),
    context(
      md`Registered in this workspace’s Novu context (\`/connect\` shows it), the same as its connection and Slack routes: triggers with that context reach it.`,
    ),
    ...(prefill.origin ? [shareBlock()] : []),
  ];
  return formModal({ callbackId: registerView.callbackId, privateMetadata: originMetadata(prefill.origin) }, formTitle, 'Register', blocks);
}

export function registeringView(): View {
  return noticeModal(formTitle, md`:hourglass_flowing_sand: Registering the phone endpoint in Novu…`);
}

/** The registration's result, by names; for who may test, Test through Novu as the next step. */
export function registeredView(result: RegisterResult, body: CreatePhoneEndpointBody, canTest = true): View {
  const number = String(result.endpoint.endpoint?.phoneNumber ?? body.endpoint.phoneNumber);
  const what = md`${nationalFormat(number)} (${code(number)}) for subscriber ${code(body.subscriberId)}, through ${code(body.integrationIdentifier)}`;
  const headline = result.existing
    ? md`:information_source: This number was already registered: ${what}.`
    : md`:white_check_mark: Registered ${what}: Novu delivers the subscriber’s notifications on that integration to this number.`;
  const connection = body.connectionIdentifier ? md` · connection ${code(body.connectionIdentifier)}` : '';
  return noticeModal(
    formTitle,
    headline,
    [
      ...phoneBlocks(result, body),
      ...(canTest ? [actions('phone-registered-test', [testButton(result.endpoint.identifier)])] : []),
      context(md`Details: endpoint ${code(result.endpoint.identifier)}${connection}`),
    ],
    'Done',
  );
}

/**
 * Where Novu's SMS steps send: the subscriber's own phone, never a phone endpoint. Said after a
 * registration on an SMS integration, with "Use this number for SMS" when the subscriber has another.
 */
function phoneBlocks(result: RegisterResult, body: CreatePhoneEndpointBody): KnownBlock[] {
  const number = code(body.endpoint.phoneNumber);
  const subscriber = code(body.subscriberId);
  const phone = result.phone;
  if (phone?.kind === 'set') return [section(md`:iphone: ${number} is now ${subscriber}’s phone in Novu, so Novu’s SMS steps send there.`)];
  if (phone?.kind === 'same') return [section(md`:iphone: ${number} is ${subscriber}’s phone in Novu already, so Novu’s SMS steps send there.`)];
  if (phone?.kind !== 'kept') return [];
  const confirm = confirmDialog(
    'Replace the subscriber’s phone?',
    md`Novu will send ${body.subscriberId}’s SMS to ${body.endpoint.phoneNumber} instead of ${phone.current}.`,
    'Replace',
    'primary',
  );
  const value = JSON.stringify({ fix: 'set-phone', identifier: result.endpoint.identifier, expected: phone.current });
  return [
    section(
      md`:warning: Novu’s SMS steps send to ${subscriber}’s own phone in Novu, ${code(phone.current)}, not to phone endpoints: SMS will not reach ${number} unless it becomes the subscriber’s phone.`,
      { accessory: button('Use this number for SMS', deliveryActions.setPhone, { value, confirm }) },
    ),
  ];
}

export function stillWorkingView(lastError: string | undefined): View {
  return noticeModal(
    formTitle,
    md`:hourglass_flowing_sand: Novu is slow to answer. Switchboard keeps trying and will send you a direct message with the result. You can close this.`,
    lastAnswerDetails(lastError),
  );
}

export function endpointRegisteredMessage(body: CreatePhoneEndpointBody, outcome: JobFinish<RegisterResult>['outcome']): SlackMessage {
  const text =
    outcome.status === 'done'
      ? md`:white_check_mark: Phone endpoint ${code(outcome.result.endpoint.identifier)} for ${code(body.subscriberId)} (${code(body.endpoint.phoneNumber)}) is registered in Novu.`
      : md`:x: The phone endpoint for ${code(body.subscriberId)} (${code(body.endpoint.phoneNumber)}) was not registered: ${failureSentence(outcome.error)}`;
  return sectionMessage(text, ...(outcome.status === 'done' ? phoneBlocks(outcome.result, body) : failureDetails(outcome.error)));
}

/** What the channel sees when the person asked to post the result there. */
export function endpointSharedMessage(userId: string, result: RegisterResult, body: CreatePhoneEndpointBody): SlackMessage {
  return sectionMessage(
    md`${mentionUser(userId)} registered ${code(body.endpoint.phoneNumber)} for subscriber ${code(body.subscriberId)} in Novu (${code(result.endpoint.identifier)}, integration ${code(body.integrationIdentifier)}).`,
  );
}

export function endpointDeletedMessage(identifier: string, outcome: JobFinish<RemoveResult>['outcome']): SlackMessage {
  return sectionMessage(removalText(identifier, outcome), ...failureDetails(outcome.status === 'failed' ? outcome.error : undefined));
}

/** A removal's outcome; `queued` only for who clicked Remove, when Novu is slow. */
type RemovalOutcome = JobFinish<RemoveResult>['outcome'] | { status: 'queued' };

function removalText(identifier: string, outcome: RemovalOutcome): Mrkdwn {
  if (outcome.status === 'queued')
    return md`:hourglass_flowing_sand: Novu is slow to answer; removing ${code(identifier)} carries on in the background and you will get a direct message.`;
  if (outcome.status === 'failed') return md`:x: ${code(identifier)} was not removed: ${failureSentence(outcome.error)}`;
  return outcome.result.alreadyGone
    ? md`:grey_question: There is no phone endpoint ${code(identifier)} (already removed?).`
    : md`:white_check_mark: Removed ${code(identifier)}.`;
}

export function removalResult(identifier: string, outcome: RemovalOutcome): EphemeralMessage {
  if (outcome.status !== 'failed') return ephemeral(removalText(identifier, outcome));
  return sectionEphemeral(removalText(identifier, outcome), ...failureDetails(outcome.error));
}

export function removeConfirm(identifier: string) {
  return confirmDialog('Remove this phone endpoint?', md`Novu will stop delivering to ${code(identifier)}. This cannot be undone.`, 'Remove');
}

export function listUsage(): EphemeralMessage {
  return ephemeral(md`That is not a subscriber ID (they are at most ${maxSubscriberIdLength} characters). \`/phone list [subscriberId]\`.`);
}

export function removeUsage(typed?: string): EphemeralMessage {
  if (typed) return ephemeral(md`${code(typed)} is not an endpoint identifier. \`/phone list\` shows the identifiers of this workspace's endpoints.`);
  return ephemeral(md`Which endpoint? ${code('/phone remove <identifier>')} — \`/phone list\` shows the identifiers.`);
}

export function removePrompt(identifier: string): EphemeralMessage {
  const text = md`Remove the phone endpoint ${code(identifier)} from Novu?`;
  return sectionEphemeral(
    text,
    actions('phone-remove', [button('Remove…', phoneActions.remove, { style: 'danger', value: identifier, confirm: removeConfirm(identifier) })]),
  );
}

export interface EndpointPageView {
  endpoints: ChannelEndpoint[];
  subscriberId?: string;
  /** The More button's value: where the next page starts. Absent on the last page. */
  next?: string;
  pageNumber: number;
}

export function endpointListMessage({ endpoints, subscriberId, next, pageNumber }: EndpointPageView): EphemeralMessage {
  const scope = subscriberId ? md` of ${code(subscriberId)}` : '';
  if (endpoints.length === 0 && pageNumber === 1)
    return ephemeral(md`No phone endpoints${subscriberId ? ` for ${subscriberId}` : ''} registered in this workspace yet. Add one with /phone register.`);
  const blocks: KnownBlock[] = [header(`Phone endpoints${subscriberId ? ` of ${subscriberId}` : ''}`.slice(0, 150))];
  for (const [index, endpoint] of endpoints.entries()) {
    const number = String(endpoint.endpoint?.phoneNumber ?? '?');
    blocks.push(
      section(
        md`${nationalFormat(number)} (${code(number)}) for subscriber ${code(endpoint.subscriberId ?? '?')}, through ${code(endpoint.integrationIdentifier ?? '?')}`,
      ),
      context(md`Details: endpoint ${code(endpoint.identifier)}`),
      // Slack wants each action_id once per message; the handlers match the prefix.
      actions(`phone-row-${index}`, [
        testButton(endpoint.identifier, index),
        button('Remove', `${phoneActions.remove}:${index}`, { style: 'danger', value: endpoint.identifier, confirm: removeConfirm(endpoint.identifier) }),
      ]),
    );
  }
  blocks.push(context(md`Page ${pageNumber}, newest first${scope}.`));
  if (next) blocks.push(actions('phone-list-more', [button('More', phoneActions.more, { value: next })]));
  return ephemeral(md`Phone endpoints${subscriberId ? ` of ${subscriberId}` : ''}, page ${pageNumber}`, blocks);
}

/** "+14155550100" → "(415) 555-0100"; unreadable numbers are shown as they are. */
function nationalFormat(e164: string): string {
  const parsed = parsePhoneNumber(e164, 'US');
  return parsed.ok ? parsed.national : e164;
}
