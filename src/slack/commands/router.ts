import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { closest, distance } from 'fastest-levenshtein';
import type { BackendName } from '../../http/errors.js';
import { currentRequestId, type Logger } from '../../logging/logger.js';
import type { Permissions } from '../../permissions/permissions.js';
import { type Actor, actorOf } from '../actor.js';
import type { ListenerTable } from '../listener-table.js';
import { type CommandSpec, findCommand, helpSubcommand, type SubcommandSpec } from './catalog.js';
import {
  backendOffMessage,
  checkingView,
  helpMessage,
  refusalMessage,
  refusedView,
  unexpectedErrorMessage,
  unknownSubcommandMessage,
  type WhoMay,
} from './messages.js';

export interface CommandRequest {
  /** Arguments after the subcommand, split on whitespace. */
  args: string[];
  argText: string;
  body: SlashCommand;
  actor: Actor;
  client: WebClient;
  respond: RespondFn;
  /**
   * Shows the command's modal: opens it with the trigger, or — when a "checking…" modal already
   * holds the trigger because Slack was slow to say who the person is — replaces that one.
   */
  openModal(view: View): Promise<void>;
}

/** Runs after the command is acknowledged and the actor is allowed to run it. */
export type SubcommandHandler = (request: CommandRequest) => Promise<void>;

/**
 * How long a command may wait on Slack (for the person's role) before it is acknowledged anyway.
 * Slack wants the acknowledgement within 3 seconds, and a modal opened within 3 seconds of the
 * command; what is not known by then is answered through response_url or views.update.
 */
const permissionBudgetMs = 1_200;

/**
 * `/command subcommand args…` → help, or backend check → permission check → ack → handler.
 * Answers that need no work (help, refusals, "not set up") go back in the acknowledgement itself.
 */
export class CommandRouter {
  private readonly handlers = new Map<string, SubcommandHandler>();

  private readonly whoMay: WhoMay;

  constructor(private readonly dependencies: { permissions: Permissions; configuredBackends: ReadonlySet<BackendName>; logger: Logger }) {
    this.whoMay = dependencies.permissions.roleFor;
  }

  on(command: string, subcommand: string, handler: SubcommandHandler): void {
    if (!findCommand(command)?.subcommands.some((sub) => sub.name === subcommand)) throw new Error(`/${command} ${subcommand} is not in the command catalog`);
    this.handlers.set(`${command} ${subcommand}`, handler);
  }

  /** Every command arrives here (one listener for all, see ListenerTable). */
  register(listeners: ListenerTable): void {
    listeners.commands(async (args) => {
      const command = findCommand(args.command.command.replace(/^\//, ''));
      if (command) await this.dispatch(command, args);
      else await args.ack();
    });
  }

  private async dispatch(command: CommandSpec, { ack, body, client, context, respond, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
    const commandText = body.command || `/${command.name}`;
    const { name, args, argText } = parseCommandText(body.text);
    const subcommandName = name || command.defaultSubcommand;
    if (subcommandName === helpSubcommand) return ack(helpMessage(command, commandText, undefined, this.whoMay));

    const spec = command.subcommands.find((sub) => sub.name === subcommandName.toLowerCase());
    if (!spec) return ack(unknownSubcommandMessage(command, commandText, subcommandName, suggestSubcommand(command, subcommandName), this.whoMay));
    const missing = this.missingBackends(spec);
    if (missing) return ack(backendOffMessage(missing));

    const actor = actorOf(context);
    const handler = this.handlers.get(`${command.name} ${spec.name}`);
    if (!handler) {
      logger.error(`No handler for /${command.name} ${spec.name}`);
      return ack(unexpectedErrorMessage(currentRequestId()));
    }
    const check = await this.dependencies.permissions.quick(actor, spec.action, client, `${commandText} ${spec.name}`, permissionBudgetMs);
    if (check.status === 'refused') return ack(refusalMessage(check.refusal.message, check.refusal.ask));
    await ack();
    let holding: string | undefined;
    if (check.status === 'pending') {
      // Slack has not said who this is yet: hold the trigger with a modal that says so, then decide.
      if (spec.opensModal) holding = (await client.views.open({ trigger_id: body.trigger_id, view: checkingView() }).catch(() => undefined))?.view?.id;
      const refusal = await check.settled;
      if (refusal) {
        if (holding) await client.views.update({ view_id: holding, view: refusedView(refusal.message, refusal.ask) }).catch(() => {});
        else await respond(refusalMessage(refusal.message, refusal.ask)).catch(() => {});
        return;
      }
    }
    const openModal = async (view: View) => {
      await (holding ? client.views.update({ view_id: holding, view }) : client.views.open({ trigger_id: body.trigger_id, view }));
    };
    try {
      await handler({ args, argText, body, actor, client, respond, openModal });
    } catch (error) {
      const where = { command: `${command.name} ${spec.name}`, userId: actor.userId, workspace: actor.tenant.key };
      this.dependencies.logger.child(where).error({ err: error }, 'command failed');
      await respond(unexpectedErrorMessage(currentRequestId())).catch(() => {});
    }
  }

  private missingBackends(spec: SubcommandSpec): BackendName[] | undefined {
    const configured = this.dependencies.configuredBackends;
    const missingAll = (spec.needs ?? []).filter((backend) => !configured.has(backend));
    if (missingAll.length > 0) return missingAll;
    if (spec.needsAnyOf && !spec.needsAnyOf.some((backend) => configured.has(backend))) return spec.needsAnyOf;
    return undefined;
  }
}

/** Splits `register  +1 415 555 0100 sub-1` into the subcommand and its arguments; smart quotes become plain. */
export function parseCommandText(text: string | undefined): { name: string; args: string[]; argText: string } {
  const normalised = (text ?? '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\u00a0/g, ' ')
    .trim();
  const name = normalised.split(/\s/, 1)[0] ?? '';
  const argText = normalised.slice(name.length).trim();
  return { name, args: argText ? argText.split(/\s+/) : [], argText };
}

/** The closest subcommand name, if it is close enough to be a typo. */
export function suggestSubcommand(command: CommandSpec, typed: string): string | undefined {
  const names = [...command.subcommands.map((sub) => sub.name), helpSubcommand];
  const lower = typed.toLowerCase();
  const prefixed = names.find((name) => name.startsWith(lower) && lower.length >= 2);
  if (prefixed) return prefixed;
  const best = closest(lower, names);
  return distance(lower, best) <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}
