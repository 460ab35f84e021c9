import type { Button, KnownBlock, View } from '@slack/types';
import type { SignalWireNumber } from '../../backends/signalwire/schemas.js';
import type { VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import { backendLabels } from '../../http/errors.js';
import type { JobFinish } from '../../jobs/queue.js';
import { actions, button, context, type EphemeralMessage, ephemeral, fields, header, noticeModal, section, sectionMessage } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, link, type Mrkdwn, md, mentionChannel, mentionUser } from '../../slack/mrkdwn.js';
import type { NumberBackend } from '../../store/types.js';
import { reportButton } from '../reports/messages.js';
import { releaseButton } from './release-messages.js';
import { type ActivationSettled, type Provisioned, unmarkedName } from './telephony.js';

/** Buttons elsewhere (the App Home) that open the provisioning forms, as requests for those who may only ask. */
export const numberFormActions = { vapi: 'numbers.sip.open', signalwire: 'numbers.import.open' } as const;

/** Opens the /phone register modal with the new number filled in (handled by the phone feature). */
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

/** Where the new number's calls and texts go, or why they do not yet. */
function reportLine(report: NonNullable<Provisioned['report']>): Mrkdwn {
  return report.problem
    ? md`:warning: Its calls and texts are not reported in ${mentionChannel(report.channelId)} yet: ${report.problem} \`/phone numbers\` → *Report calls and texts…* tries again.`
    : md`:speech_balloon: Its calls and texts are posted in ${mentionChannel(report.channelId)}.`;
}

/** "Register for a subscriber" under a result that has a phone number: opens /phone register with it filled in. */
function registerNext(blockId: string, phoneNumber: string | null | undefined, style?: 'primary'): KnownBlock[] {
  return phoneNumber ? [actions(blockId, [button('Register for a subscriber', registerNumberAction, { style, value: phoneNumber })])] : [];
}

export function provisionFailedView(backend: NumberBackend, error: string): View {
  return noticeModal(titles[backend], md`:x: ${error}`);
}

export function provisionQueuedView(backend: NumberBackend, lastError: string | undefined): View {
  return noticeModal(
    titles[backend],
    md`:hourglass_flowing_sand: ${backendLabels[backend]} is slow to answer${lastError ? md` (${lastError})` : ''}. Switchboard keeps trying — without making a second number — and will send you a direct message with the result.`,
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
    return sectionMessage(md`:x: The ${who} number was not provisioned: ${outcome.error}`);
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
      return md`:warning: Switchboard could not learn whether Vapi number ${label} became active (${settled.error}). \`/phone numbers\` shows what Vapi says now.`;
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
  /** Whether the viewer may choose where a number's calls and texts are reported. */
  mayReport?: boolean;
  /** Report channels by `backend:id`, for the numbers that report. */
  reports?: Map<string, string>;
}

/** Vapi and SignalWire numbers side by side, each with the subscribers it is registered for in Novu, and Release for those who may. */
export function numbersMessage(overview: NumbersOverview): EphemeralMessage {
  const registrations = new Map<string, string[]>();
  for (const { number, subscriberId } of overview.registrations) registrations.set(number, [...(registrations.get(number) ?? []), subscriberId]);
  const registered = (number: string | null | undefined) => {
    const subscribers = number ? registrations.get(number) : undefined;
    return subscribers ? md`registered for ${joinMd(subscribers.map(code), ', ')}` : 'not registered in Novu';
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
  const vapiLabel = (number: VapiPhoneNumber) => number.sipUri ?? number.number ?? number.id;
  const vapi: NumberLines<VapiPhoneNumber> = {
    line: (number) =>
      md`${code(vapiLabel(number))} ${unmarkedName(number.name) ?? ''} · ${number.status ?? '—'} · ${registered(number.number)}${reported('vapi', number.id)}${owner('vapi', number.id)}`,
    release: overview.mayRelease ? (number) => releaseButton('vapi', number.id, vapiLabel(number)) : undefined,
    report: overview.mayReport ? (number) => reportButton('vapi', number.id, unmarkedName(number.name) ?? vapiLabel(number)) : undefined,
  };
  const signalWire: NumberLines<SignalWireNumber> = {
    line: (number) =>
      md`${code(number.number)} ${number.name ?? ''} · ${number.number_type === 'tollfree' ? 'toll-free' : 'long code'} · ${registered(number.number)}${reported('signalwire', number.id)}${owner('signalwire', number.id)}`,
    release: overview.mayRelease ? (number) => releaseButton('signalwire', number.id, number.number) : undefined,
    report: overview.mayReport ? (number) => reportButton('signalwire', number.id, number.name || number.number) : undefined,
  };
  const blocks: KnownBlock[] = [header(overview.owners ? 'Phone numbers (all workspaces)' : 'Phone numbers')];
  if (overview.vapi) blocks.push(...listSection('Vapi', overview.vapi, vapi));
  if (overview.signalwire) blocks.push(...listSection('SignalWire', overview.signalwire, signalWire));
  return ephemeral(md`Phone numbers on Vapi and SignalWire`, blocks.slice(0, 50));
}

interface NumberLines<T> {
  line: (item: T) => Mrkdwn;
  /** Present when the viewer may release: one section per number, with its button. */
  release?: (item: T) => Button;
  /** Present when the viewer may choose where its calls and texts go: a row of its own under the number. */
  report?: (item: T) => Button;
}

/** At most this many numbers per vendor get a Release button of their own (a message holds 50 blocks). */
const releasableShown = 20;

/** With a Report row under each number, fewer fit in a message's 50 blocks. */
const reportableShown = 11;

function listSection<T>(title: string, list: T[] | { error: string }, { line, release, report }: NumberLines<T>): KnownBlock[] {
  if (!Array.isArray(list)) return [section(md`*${title}*\n:x: ${list.error}`)];
  if (list.length === 0) return [section(md`*${title}*\nNo numbers provisioned through Switchboard yet.`)];
  if (release || report) {
    const shown = list.slice(0, report ? reportableShown : releasableShown);
    const row = (item: T, index: number): KnownBlock[] => [
      section(line(item), release ? { accessory: release(item) } : {}),
      ...(report ? [actions(`report-${title.toLowerCase()}-${index}`, [report(item)])] : []),
    ];
    const blocks: KnownBlock[] = [section(md`*${title}* (${list.length})`), ...shown.flatMap(row)];
    if (list.length > shown.length)
      blocks.push(context(md`…and ${list.length - shown.length} more, newest first above; release those in the ${title} dashboard.`));
    return blocks;
  }
  const all = list.map(line);
  const blocks: KnownBlock[] = [];
  for (let index = 0; index < all.length && blocks.length < 20; index += 10) {
    blocks.push(section(md`${index === 0 ? md`*${title}* (${list.length})\n` : ''}${joinMd(all.slice(index, index + 10), '\n')}`));
  }
  return blocks;
}
