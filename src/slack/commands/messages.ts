import type { KnownBlock, View } from '@slack/types';
import { type SettingName, settings } from '../../config/settings.js';
import { type BackendName, backendLabels } from '../../http/errors.js';
import type { Action, Role } from '../../permissions/policy.js';
import { context, divider, type EphemeralMessage, ephemeral, noticeModal, section, sectionEphemeral } from '../blocks.js';
import { code, joinMd, type Mrkdwn, md, withoutFormatting } from '../mrkdwn.js';
import { type CommandSpec, helpSubcommand, type SubcommandSpec } from './catalog.js';

/** Help without a note is the same every time: built once per command. */
const builtHelp = new Map<string, EphemeralMessage>();

/** Who may run a subcommand under the policy in force (the help says when it is not everyone). */
export type WhoMay = (action: Action) => Role;

/** Help for one command, generated from the catalog: every subcommand, its arguments, examples, and who may run it. */
export function helpMessage(command: CommandSpec, commandText = `/${command.name}`, note?: Mrkdwn, whoMay?: WhoMay): EphemeralMessage {
  if (note !== undefined) return buildHelp(command, commandText, note, whoMay);
  // The policy is fixed for the process's life, so one help per command and spelling.
  const key = `${command.name}\u0000${commandText}\u0000${whoMay ? 'roles' : ''}`;
  const help = builtHelp.get(key) ?? buildHelp(command, commandText, undefined, whoMay);
  builtHelp.set(key, help);
  return help;
}

function buildHelp(command: CommandSpec, commandText: string, note: Mrkdwn | undefined, whoMay: WhoMay | undefined): EphemeralMessage {
  const blocks: KnownBlock[] = [];
  if (note) blocks.push(section(note));
  blocks.push(section(md`*${commandText}* — ${command.description}`));
  for (const sub of command.subcommands) blocks.push(section(subcommandHelp(commandText, sub, whoMay?.(sub.action))));
  blocks.push(divider());
  const defaultNote =
    command.defaultSubcommand === helpSubcommand
      ? md`${code(commandText)} alone shows this help.`
      : md`${code(commandText)} alone runs ${code(`${commandText} ${command.defaultSubcommand}`)}.`;
  blocks.push(context(md`${defaultNote} ${code(`${commandText} ${helpSubcommand}`)} shows this help.`));
  const fallback = joinMd(
    [`${commandText} — ${command.description}`, ...command.subcommands.map((sub) => `${usageLine(commandText, sub)}: ${sub.summary}`)],
    '\n',
  );
  return ephemeral(note ? md`${withoutFormatting(note)}\n${fallback}` : fallback, blocks);
}

const roleNotes: Record<Role, string> = { everyone: '', admins: ' _(workspace admins)_', operators: ' _(Switchboard operators)_' };

function subcommandHelp(commandText: string, sub: SubcommandSpec, role: Role | undefined): Mrkdwn {
  const lines = [md`${code(usageLine(commandText, sub))}${role ? roleNotes[role] : ''}`, md`${sub.summary}`];
  for (const example of sub.examples ?? []) lines.push(md`_e.g._ ${code(`${commandText} ${sub.name} ${example}`)}`);
  return joinMd(lines, '\n');
}

export function usageLine(commandText: string, sub: SubcommandSpec): string {
  return [commandText, sub.name, sub.args].filter(Boolean).join(' ');
}

export function unknownSubcommandMessage(
  command: CommandSpec,
  commandText: string,
  typed: string,
  suggestion: string | undefined,
  whoMay?: WhoMay,
): EphemeralMessage {
  const guess = suggestion ? md` Did you mean ${code(suggestion)}?` : '';
  return helpMessage(command, commandText, md`I don't know ${code(`${commandText} ${typed}`)}.${guess}`, whoMay);
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
  const lines = needed.map((name) => md`• ${code(name)} — ${settings[name].where}`);
  return sectionEphemeral(md`${names} is not set up in this Switchboard. Ask whoever runs it to set:\n${joinMd(lines, '\n')}`);
}

/** Holds a command's trigger while Slack is slow to say who the person is. */
export function checkingView(): View {
  return noticeModal('One moment', md`:hourglass_flowing_sand: Checking that you may do this…`);
}

/** A refusal, and whom to ask when the refusal is about who the person is. */
export function refusedView(reason: string, ask?: Mrkdwn): View {
  return noticeModal('Not allowed', md`:no_entry: ${reason}${ask ? md`\n${ask}` : ''}`);
}

export function refusalMessage(reason: string, ask?: Mrkdwn): EphemeralMessage {
  return sectionEphemeral(md`:no_entry: ${reason}${ask ? md`\n${ask}` : ''}`);
}

/** A click or command whose work the store did not take in time: nothing may have started; try again. */
export function notSavedMessage(text: string): EphemeralMessage {
  return sectionEphemeral(md`:warning: ${text}`);
}

export function unexpectedErrorMessage(requestId: string | undefined): EphemeralMessage {
  const reference = requestId ? md` (reference ${code(requestId)})` : '';
  return sectionEphemeral(
    md`Something went wrong on Switchboard's side${reference}. Nothing was changed; please try again, and tell whoever runs Switchboard if it keeps happening.`,
  );
}

export function notInstalledMessage(installUrl: string): EphemeralMessage {
  return sectionEphemeral(md`Switchboard is not installed in this workspace any more. An admin can install it again at ${installUrl}`);
}

/** Said when a request could not even be looked up: the store did not answer. Nothing was done. */
export const storeUnavailableText = 'Switchboard cannot reach its database right now, so nothing was done. Try again in a minute.';

export function storeUnavailableMessage(): EphemeralMessage {
  return sectionEphemeral(md`${storeUnavailableText}`);
}
