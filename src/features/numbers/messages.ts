import type { Button, KnownBlock, View } from '@slack/types';
import type { SignalWireNumber } from '../../backends/signalwire/schemas.js';
import type { VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import { backendLabels } from '../../http/errors.js';
import type { JobFinish } from '../../jobs/queue.js';
import { actions, button, context, type EphemeralMessage, ephemeral, fields, header, noticeModal, section, sectionMessage } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, link, type Mrkdwn, md, mentionChannel, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import type { NumberBackend } from '../../store/types.js';
import { failureDetails, failureSentence, lastAnswerDetails } from '../failure-messages.js';
import { reportButton } from '../reports/messages.js';
import { handlerSummary } from './change-diff.js';
import { changeButton } from './change-messages.js';
import { signalWireSettingsOf } from './change-model.js';
import { type ListNote, type ListPart, moreBlock, noteBlocks } from './list-paging.js';
import { releaseButton } from './release-messages.js';
import { type ActivationSettled, type Provisioned, unmarkedName } from './telephony.js';

/** Buttons elsewhere (the App Home) that open the provisioning forms, as requests for those who may only ask. */
export const numberFormActions = { vapi: 'numbers.sip.open', signalwire: 'numbers.import.open' } as const;

/** Opens the /phone register modal with the number filled in (handled by the phone feature, guarded there). */
const registerNumberAction = 'phone.register.open';

const titles = { vapi: 'New Vapi number', signalwire: 'Import to SignalWire' } as const;

/** The result modal's headline, by backend and by whether the number was there already. */
const headlines = {
  vapi: { made: md`:white_check_mark: Created on Vapi.`, existing: md`:information_source: This Vapi number already existed.` },
  signalwire: { made: md`:white_check_mark: Imported into SignalWire.`, existing: md`:information_source: This number is already in SignalWire.` },
};

export function provisioningView(backend: NumberBackend): View {
  return noticeModal(titles[backend], md`:hourglass_flowing_sand: Provisioning on ${backendLabels[backend]}…`);
}

export function provisionedView(result: Provisioned, extras: { password?: string; warning?: string; spaceUrl?: string } = {}): View {
  const blocks: KnownBlock[] = [resultCard(result, extras.spaceUrl)];
  if (extras.password) {
    blocks.push(section(md`*SIP digest password:* ${code(extras.password)}\nCopy it now: Switchboard does not keep it and will not show it again.`));
  }
  if (extras.warning) blocks.push(section(md`:warning: ${extras.warning}`));
  if (result.report) blocks.push(section(reportLine(result.report)));
  blocks.push(...registerNext('provisioned-next', numberOf(result), 'primary'));
  return noticeModal(titles[result.backend], headlines[result.backend][result.existing ? 'existing' : 'made'], blocks, 'Done');
}

/** The button that opens /phone register with the number filled in (`suffix` keeps action ids apart where several share a message). */
const registerButton = (phoneNumber: string, style?: 'primary', suffix?: string) =>
  button('Register for a subscriber', suffix ? `${registerNumberAction}:${suffix}`.slice(0, 255) : registerNumberAction, { style, value: phoneNumber });
/** Where the new number's calls and texts go, or why they do not yet. */
function reportLine(report: NonNullable<Provisioned['report']>): Mrkdwn {
  return report.problem
    ? md`:warning: Its calls and texts are not reported in ${mentionChannel(report.channelId)} yet: ${report.problem} \`/phone numbers\` → *Report calls and texts…* tries again.`
    : md`:speech_balloon: Its calls and texts are posted in ${mentionChannel(report.channelId)}.`;
}

/** "Register for a subscriber" under a result that has a phone number: opens /phone register with it filled in. */
function registerNext(blockId: string, phoneNumber: string | null | undefined, style?: 'primary'): KnownBlock[] {
  return phoneNumber ? [actions(blockId, [registerButton(phoneNumber, style)])] : [];
}

export function provisionFailedView(backend: NumberBackend, error: string): View {
  return noticeModal(titles[backend], md`:x: ${failureSentence(error)}`, failureDetails(error));
}

export function provisionQueuedView(backend: NumberBackend, lastError: string | undefined): View {
  return noticeModal(
    titles[backend],
    md`:hourglass_flowing_sand: ${backendLabels[backend]} is slow to answer. Switchboard keeps trying — without making a second number — and will send you a direct message with the result.`,
    lastAnswerDetails(lastError),
  );
}

function resultCard(result: Provisioned, spaceUrl: string | undefined): KnownBlock {
  if (result.backend === 'vapi') {
    const number = result.number;
    const activating = number.status === 'activating' ? md`\n_Free numbers take a few minutes to activate; Vapi allows a few per account._` : '';
    return fields([
      ['ID', code(number.id)],
      [number.sipUri ? 'SIP URI' : 'Number', code(number.sipUri ?? number.number ?? '—')],
      ['Status', md`${number.status ?? '—'}${activating}`],
      ['Dashboard', link(`https://dashboard.vapi.ai/phone-numbers/${encodeURIComponent(number.id)}`, 'Open in Vapi')],
    ]);
  }
  const number = result.number;
  return fields([
    ['ID', code(number.id)],
    ['Number', code(number.number)],
    ['Type', md`${number.number_type === 'tollfree' ? 'toll-free' : 'long code'}`],
    ['Capabilities', md`${(number.capabilities ?? []).join(', ') || '—'}`],
    ['Answers', signalWireDetails(number)],
    ...(number.name ? ([['Name', md`${number.name}`]] as [string, Mrkdwn][]) : []),
    ...(spaceUrl
      ? ([['Dashboard', link(`${spaceUrl.replace(/\/$/, '')}/phone_numbers/${encodeURIComponent(number.id)}`, 'Open in SignalWire')]] as [string, Mrkdwn][])
      : []),
  ]);
}

function numberOf(result: Provisioned): string | undefined {
  return result.backend === 'vapi' ? (result.number.number ?? undefined) : result.number.number;
}

export function provisionedMessage(backend: NumberBackend, outcome: JobFinish<Provisioned>['outcome']): SlackMessage {
  const who = backendLabels[backend];
  if (outcome.status === 'failed') {
    return sectionMessage(md`:x: The ${who} number was not provisioned: ${failureSentence(outcome.error)}`, ...failureDetails(outcome.error));
  }
  const target = outcome.result.backend === 'vapi' ? (outcome.result.number.sipUri ?? outcome.result.number.number) : outcome.result.number.number;
  const text = md`:white_check_mark: ${who} number ${code(target ?? outcome.result.number.id)} is ready (ID ${code(outcome.result.number.id)}).`;
  return sectionMessage(text, ...registerNext('provisioned-next', numberOf(outcome.result)));
}

/** What the channel sees when the person asked to post the result there (never a password). */
export function provisionedSharedMessage(userId: string, result: Provisioned): SlackMessage {
  const what =
    result.backend === 'vapi'
      ? md`a Vapi number ${code(result.number.sipUri ?? result.number.number ?? result.number.id)}`
      : md`${code(result.number.number)} into SignalWire`;
  return sectionMessage(md`${mentionUser(userId)} ${result.backend === 'vapi' ? 'created' : 'imported'} ${what} (ID ${code(result.number.id)}).`);
}

const blockedGuidance = md`A blocked number takes no calls. Vapi blocks a number it cannot keep in service; Switchboard cannot unblock it. Release it (\`/phone numbers\` → *Release*) and create another, with another area code if you can, or ask Vapi support about it, quoting its ID.`;

/** What became of a number Switchboard followed while it activated (`unknown`: Vapi could not be asked). */
function activationHeadline(vendorId: string, settled: ActivationSettled): Mrkdwn {
  const label = 'number' in settled ? code(settled.number.number ?? settled.number.sipUri ?? vendorId) : code(vendorId);
  switch (settled.state) {
    case 'active':
      return md`:white_check_mark: Vapi number ${label} is active: it takes calls now.`;
    case 'blocked':
      return md`:no_entry: Vapi blocked number ${label} (ID ${code(vendorId)}). ${blockedGuidance}`;
    case 'gave-up':
      return md`:hourglass: Vapi number ${label} is still activating after Switchboard's wait. It stopped asking: \`/phone numbers\` shows what Vapi says now.`;
    case 'gone':
      return md`:information_source: Vapi number ${label} was deleted from Vapi before it became active.`;
    case 'unknown':
      return md`:warning: Switchboard could not learn whether Vapi number ${label} became active (${failureSentence(settled.error)}). \`/phone numbers\` shows what Vapi says now.`;
  }
}

/** The direct message sent when a number Switchboard followed settles. */
export function activationMessage(vendorId: string, settled: ActivationSettled): SlackMessage {
  const text = activationHeadline(vendorId, settled);
  return sectionMessage(text, ...registerNext('activated-next', settled.state === 'active' ? settled.number.number : undefined));
}

/** The result modal, redrawn once the number is active or blocked. */
export function activationView(settled: { state: 'active' | 'blocked'; number: VapiPhoneNumber }): View {
  const result: Provisioned = { backend: 'vapi', number: settled.number, existing: false };
  const blocks = [resultCard(result, undefined), ...registerNext('provisioned-next', settled.state === 'active' ? numberOf(result) : undefined, 'primary')];
  return noticeModal(titles.vapi, activationHeadline(settled.number.id, settled), blocks, 'Done');
}

export interface NumbersOverview {
  vapi?: VapiPhoneNumber[] | { error: string };
  signalwire?: SignalWireNumber[] | { error: string };
  /** The phone endpoints registered through Switchboard that these numbers may appear in. */
  registrations: { number: string; subscriberId: string }[];
  /** For operators: the workspace that owns each number, by `backend:id`. Absent: only the tenant's own are listed. */
  owners?: Map<string, string>;
  /** Whether the viewer may release the numbers listed (they are the tenant's own, or the viewer is an operator). */
  mayRelease: boolean;
  /** Whether the viewer may register a number for a subscriber (and Novu is there to register it in). */
  mayRegister?: boolean;
  /** For a vendor whose list was read only in part: how far, and why. */
  notes?: Partial<Record<NumberBackend, ListNote>>;
  /** "Show more": only this vendor's list, from this number on. */
  part?: ListPart;
  /** Whether the viewer may change them in place (or ask to). */
  mayChange?: boolean;
  /** Whether the viewer may choose where a number's calls and texts are reported. */
  mayReport?: boolean;
  /** Report channels by `backend:id`, for the numbers that report. */
  reports?: Map<string, string>;
}

/**
 * Vapi and SignalWire numbers side by side, each by its name with the subscribers it is registered
 * for in Novu; beside each, what the viewer may do: Register for a subscriber (a number registered
 * for nobody), Release.
 */
export function numbersMessage(overview: NumbersOverview): EphemeralMessage {
  const registrations = new Map<string, string[]>();
  for (const { number, subscriberId } of overview.registrations) registrations.set(number, [...(registrations.get(number) ?? []), subscriberId]);
  const subscribersOf = (number: string | null | undefined) => (number ? registrations.get(number) : undefined);
  const registered = (number: string | null | undefined) => {
    const subscribers = subscribersOf(number);
    return subscribers ? md`registered for ${joinMd(subscribers.map(code), ', ')}` : md`not registered in Novu yet`;
  };
  const reported = (backend: NumberBackend, id: string) => {
    const channel = overview.reports?.get(`${backend}:${id}`);
    return channel ? md` · reported in ${mentionChannel(channel)}` : '';
  };
  const owner = (backend: NumberBackend, id: string) => {
    if (!overview.owners) return '';
    const name = overview.owners.get(`${backend}:${id}`);
    return name ? ` · ${name}` : ' · not provisioned through Switchboard';
  };
  const named = (name: string | null | undefined, label: string) => (name ? md`*${name}* ${code(label)}` : code(label));
  const registrable = (phoneNumber: string | null | undefined): phoneNumber is string =>
    Boolean(overview.mayRegister && phoneNumber && !subscribersOf(phoneNumber));
  const buttons = (backend: NumberBackend, id: string, phoneNumber: string | null | undefined, label: string, name?: string | null): Button[] => [
    ...(registrable(phoneNumber) ? [registerButton(phoneNumber, undefined, `${backend}:${id}`)] : []),
    ...(overview.mayChange ? [changeButton({ backend, vendorId: id, label })] : []),
    ...(overview.mayReport ? [reportButton(backend, id, name || label)] : []),
    ...(overview.mayRelease ? [releaseButton(backend, id, label)] : []),
  ];
  const vapiLabel = (number: VapiPhoneNumber) => number.sipUri ?? number.number ?? number.id;
  const vapi: NumberLines<VapiPhoneNumber> = {
    line: (number) =>
      md`${named(unmarkedName(number.name), vapiLabel(number))} · ${number.status ?? '—'} · ${registered(number.number)}${reported('vapi', number.id)}${owner('vapi', number.id)}`,
    buttons: (number) => buttons('vapi', number.id, number.number, vapiLabel(number), unmarkedName(number.name)),
  };
  const signalWire: NumberLines<SignalWireNumber> = {
    line: (number) =>
      md`${named(number.name, number.number)} · ${number.number_type === 'tollfree' ? 'toll-free' : 'long code'} · ${registered(number.number)}${reported('signalwire', number.id)}${owner('signalwire', number.id)}\n${signalWireDetails(number)}`,
    buttons: (number) => buttons('signalwire', number.id, number.number, number.number, number.name),
  };
  const blocks: KnownBlock[] = [header(overview.owners ? 'Phone numbers (all workspaces)' : 'Phone numbers')];
  const { part, notes } = overview;
  if (overview.vapi && (!part || part.backend === 'vapi')) blocks.push(...listSection('vapi', overview.vapi, vapi, part), ...noteBlocks('vapi', notes?.vapi));
  if (overview.signalwire && (!part || part.backend === 'signalwire'))
    blocks.push(...listSection('signalwire', overview.signalwire, signalWire, part), ...noteBlocks('signalwire', notes?.signalwire));
  const numbers = [overview.vapi, overview.signalwire].flatMap((list) => (Array.isArray(list) ? list.map((number) => number.number) : []));
  if (numbers.some(registrable)) blocks.push(context(registeringDoes));
  return ephemeral(md`Phone numbers on Vapi and SignalWire`, blocks.slice(0, 50));
}

const registeringDoes = md`*Register for a subscriber* makes the number a phone endpoint of a Novu subscriber, so Novu delivers that subscriber’s notifications (SMS, WhatsApp) to it.`;

interface NumberLines<T> {
  line: (item: T) => Mrkdwn;
  /** What the viewer may do with the number: Register for a subscriber, Change, Release. */
  buttons: (item: T) => Button[];
}

/** What answers calls and texts on a SignalWire number today, its E911 address and its next billing date. */
function signalWireDetails(number: SignalWireNumber): Mrkdwn {
  const handlers = handlerSummary(signalWireSettingsOf(number));
  const e911 = number.e911_address_id ? 'E911 address set' : 'no E911 address';
  const billed =
    number.next_billed_at && !Number.isNaN(Date.parse(number.next_billed_at)) ? md` · next billed ${slackDate(Date.parse(number.next_billed_at))}` : '';
  return md`Calls: ${handlers.calls} · Texts: ${handlers.texts} · ${e911}${billed}`;
}

/**
 * Numbers shown with their buttons (a row with two takes two blocks): ten per vendor beside the
 * other vendor's, twenty in a "Show more" part of one vendor; without buttons, ten a section. A
 * message holds 50 blocks.
 */
const withButtonsShown = { both: 10, alone: 20 };
const linesShown = 200;

/** One vendor's numbers from `from` on, as many as a message holds with the other vendor's, then "Show more". */
function listSection<T>(backend: NumberBackend, list: T[] | { error: string }, { line, buttons }: NumberLines<T>, part?: ListPart): KnownBlock[] {
  const from = part?.backend === backend ? part.from : 0;
  const title = backendLabels[backend];
  if (!Array.isArray(list)) return [section(md`*${title}*\n:x: ${failureSentence(list.error)}`), ...failureDetails(list.error)];
  if (list.length === 0) return [section(md`*${title}*\nNo numbers provisioned through Switchboard yet.`)];
  const start = Math.min(from, Math.max(list.length - 1, 0));
  const withButtons = list.some((item) => buttons(item).length > 0);
  const shown = list.slice(start, start + (withButtons ? withButtonsShown[part ? 'alone' : 'both'] : linesShown));
  const more = list.length > shown.length ? [moreBlock(backend, { from: start, to: start + shown.length, total: list.length })] : [];
  if (withButtons) {
    const rows = shown.flatMap((item, index): KnownBlock[] => {
      const own = buttons(item);
      if (own.length > 1) return [section(line(item)), actions(`numbers-${backend}-${start + index}`, own)];
      return [section(line(item), own[0] ? { accessory: own[0] } : {})];
    });
    return [section(md`*${title}* (${list.length})`), ...rows, ...more];
  }
  const all = shown.map(line);
  const blocks: KnownBlock[] = [];
  for (let index = 0; index < all.length; index += 10) {
    blocks.push(section(md`${index === 0 ? md`*${title}* (${list.length})\n` : ''}${joinMd(all.slice(index, index + 10), '\n')}`));
  }
  return [...blocks, ...more];
}
