import type { AllMiddlewareArgs, App, RespondFn, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { closest, distance } from 'fastest-levenshtein';
import type { BackendName } from '../../http/errors.js';
import { currentRequestId, type Logger } from '../../logging/logger.js';
import type { Permissions } from '../../permissions/permissions.js';
import { type Actor, actorOf } from '../actor.js';
import { type CommandSpec, commandCatalog, helpSubcommand, type SubcommandSpec } from './catalog.js';
import { backendOffMessage, helpMessage, refusalMessage, unexpectedErrorMessage, unknownSubcommandMessage } from './messages.js';

export interface CommandRequest {
  /** Arguments after the subcommand, split on whitespace. */
  args: string[];
  argText: string;
  body: SlashCommand;
  actor: Actor;
  client: WebClient;
  respond: RespondFn;
  logger: Logger;
  spec: SubcommandSpec;
}

/** Runs after the command is acknowledged and the actor is allowed to run it. */
export type SubcommandHandler = (request: CommandRequest) => Promise<void>;

export interface RouterDependencies {
  permissions: Permissions;
  configuredBackends: ReadonlySet<BackendName>;
  logger: Logger;
}

/**
 * `/command subcommand args…` → help, or backend check → permission check → ack → handler.
 * Answers that need no work (help, refusals, "not set up") go back in the acknowledgement itself.
 */
export class CommandRouter {
  private readonly handlers = new Map<string, SubcommandHandler>();

  constructor(private readonly dependencies: RouterDependencies) {}

  on(command: string, subcommand: string, handler: SubcommandHandler): void {
    const spec = commandCatalog.find((entry) => entry.name === command)?.subcommands.find((sub) => sub.name === subcommand);
    if (!spec) throw new Error(`/${command} ${subcommand} is not in the command catalog`);
    this.handlers.set(`${command} ${subcommand}`, handler);
  }

  register(app: App): void {
    for (const command of commandCatalog) {
      app.command(`/${command.name}`, (args) => this.dispatch(command, args));
    }
  }

  private async dispatch(command: CommandSpec, { ack, body, client, context, respond, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
    const commandText = body.command || `/${command.name}`;
    const { name, args, argText } = parseCommandText(body.text);
    const subcommandName = name || command.defaultSubcommand;
    if (subcommandName === helpSubcommand) return ack(helpMessage(command, commandText));

    const spec = command.subcommands.find((sub) => sub.name === subcommandName.toLowerCase());
    if (!spec) {
      const suggestion = suggestSubcommand(command, subcommandName);
      return ack(unknownSubcommandMessage(command, commandText, subcommandName, suggestion));
    }
    const missing = this.missingBackends(spec);
    if (missing) return ack(backendOffMessage(missing));

    const actor = actorOf(context);
    const log = this.dependencies.logger.child({ command: `${command.name} ${spec.name}`, userId: actor.userId, workspace: actor.tenant.key });
    const refusal = await this.dependencies.permissions.refusal(actor, spec.action, client, `${commandText} ${spec.name}`);
    if (refusal) return ack(refusalMessage(refusal.message));

    const handler = this.handlers.get(`${command.name} ${spec.name}`);
    if (!handler) {
      logger.error(`No handler for /${command.name} ${spec.name}`);
      return ack(unexpectedErrorMessage(currentRequestId()));
    }
    await ack();
    try {
      await handler({ args, argText, body, actor, client, respond, logger: log, spec });
    } catch (error) {
      log.error({ err: error }, 'command failed');
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
  const match = /^(\S+)\s*([\s\S]*)$/.exec(normalised);
  if (!match) return { name: '', args: [], argText: '' };
  const argText = (match[2] ?? '').trim();
  return { name: match[1] ?? '', args: argText ? argText.split(/\s+/) : [], argText };
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
