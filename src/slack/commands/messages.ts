import type { KnownBlock, View } from '@slack/types';
import { type SettingName, settings } from '../../config/settings.js';
import { type BackendName, backendLabels } from '../../http/errors.js';
import { context, divider, type EphemeralMessage, ephemeral, escapeMrkdwn, noticeModal, section } from '../blocks.js';
import { type CommandSpec, helpSubcommand, type SubcommandSpec } from './catalog.js';

/** Help without a note is the same every time: built once per command. */
const builtHelp = new Map<string, EphemeralMessage>();

/** Help for one command, generated from the catalog: every subcommand, its arguments, examples. */
export function helpMessage(command: CommandSpec, commandText = `/${command.name}`, note?: string): EphemeralMessage {
  if (note !== undefined) return buildHelp(command, commandText, note);
  const key = `${command.name}\u0000${commandText}`;
  let help = builtHelp.get(key);
  if (!help) {
    help = buildHelp(command, commandText, undefined);
    builtHelp.set(key, help);
  }
  return help;
}

function buildHelp(command: CommandSpec, commandText: string, note: string | undefined): EphemeralMessage {
  const blocks: KnownBlock[] = [];
  if (note) blocks.push(section(note));
  blocks.push(section(`*${commandText}* — ${command.description}`));
  for (const sub of command.subcommands) blocks.push(section(subcommandHelp(commandText, sub)));
  blocks.push(divider());
  const defaultNote =
    command.defaultSubcommand === helpSubcommand
      ? `\`${commandText}\` alone shows this help.`
      : `\`${commandText}\` alone runs \`${commandText} ${command.defaultSubcommand}\`.`;
  blocks.push(context(`${defaultNote} \`${commandText} ${helpSubcommand}\` shows this help.`));
  const fallback = [`${commandText} — ${command.description}`, ...command.subcommands.map((sub) => `${usageLine(commandText, sub)}: ${sub.summary}`)].join(
    '\n',
  );
  return ephemeral(note ? `${stripMarkup(note)}\n${fallback}` : fallback, blocks);
}

function subcommandHelp(commandText: string, sub: SubcommandSpec): string {
  const lines = [`\`${usageLine(commandText, sub)}\``, sub.summary];
  for (const example of sub.examples ?? []) lines.push(`_e.g._ \`${commandText} ${sub.name} ${example}\``);
  return lines.join('\n');
}

export function usageLine(commandText: string, sub: SubcommandSpec): string {
  return [commandText, sub.name, sub.args].filter(Boolean).join(' ');
}

export function unknownSubcommandMessage(command: CommandSpec, commandText: string, typed: string, suggestion: string | undefined): EphemeralMessage {
  const guess = suggestion ? ` Did you mean \`${suggestion}\`?` : '';
  return helpMessage(command, commandText, `I don't know \`${commandText} ${escapeMrkdwn(typed)}\`.${guess}`);
}

const backendSettings: Record<BackendName, SettingName[]> = {
  novu: ['NOVU_SECRET_KEY'],
  vapi: ['VAPI_API_KEY'],
  signalwire: ['SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN', 'SIGNALWIRE_SPACE_URL'],
};

/** A backend whose keys are absent is switched off; the command says which settings switch it on. */
export function backendOffMessage(backends: BackendName[]): EphemeralMessage {
  const names = backends.map((backend) => backendLabels[backend]).join(' or ');
  const needed = backends.flatMap((backend) => backendSettings[backend]);
  const lines = needed.map((name) => `• \`${name}\` — ${settings[name].where}`);
  const text = `${names} is not set up in this Switchboard. Ask whoever runs it to set:\n${lines.join('\n')}`;
  return ephemeral(text, [section(text)]);
}

/** Holds a command's trigger while Slack is slow to say who the person is. */
export function checkingView(): View {
  return noticeModal('One moment', ':hourglass_flowing_sand: Checking that you may do this…');
}

export function refusedView(reason: string): View {
  return noticeModal('Not allowed', `:no_entry: ${escapeMrkdwn(reason)}`);
}

export function refusalMessage(reason: string): EphemeralMessage {
  return ephemeral(`:no_entry: ${reason}`, [section(`:no_entry: ${escapeMrkdwn(reason)}`)]);
}

export function unexpectedErrorMessage(requestId: string | undefined): EphemeralMessage {
  const reference = requestId ? ` (reference \`${requestId}\`)` : '';
  const text = `Something went wrong on Switchboard's side${reference}. Nothing was changed; please try again, and tell whoever runs Switchboard if it keeps happening.`;
  return ephemeral(text, [section(text)]);
}

export function notInstalledMessage(installUrl: string): EphemeralMessage {
  const text = `Switchboard is not installed in this workspace any more. An admin can install it again at ${installUrl}`;
  return ephemeral(text, [section(text)]);
}

/** Said when a request could not even be looked up: the store did not answer. Nothing was done. */
export const storeUnavailableText = 'Switchboard cannot reach its database right now, so nothing was done. Try again in a minute.';

export function storeUnavailableMessage(): EphemeralMessage {
  return ephemeral(storeUnavailableText, [section(storeUnavailableText)]);
}

function stripMarkup(text: string): string {
  return text.replace(/[`*_]/g, '');
}
