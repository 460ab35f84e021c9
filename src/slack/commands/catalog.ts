import type { BackendName } from '../../http/errors.js';
import type { Action } from '../../permissions/policy.js';

/**
 * Every slash command and subcommand, declared once. The manifest, the help text and the router
 * all read this list.
 */
export interface SubcommandSpec {
  name: string;
  /** Arguments after the subcommand, e.g. `[number] [subscriberId]`. */
  args?: string;
  summary: string;
  /** Argument strings that show typical use. */
  examples?: string[];
  action: Action;
  /** Backends that must be configured (all of them). */
  needs?: BackendName[];
  /** Backends of which at least one must be configured. */
  needsAnyOf?: BackendName[];
  /** Answers with a modal (through the command's trigger, which lasts 3 seconds) rather than a message. */
  opensModal?: true;
}

export interface CommandSpec {
  /** Without the slash. */
  name: string;
  /** Slack sends channel and user mentions as ids (`<#C…|name>`, `<@U…|name>`), and `&<>` as entities. */
  escapesMentions?: true;
  description: string;
  /** Run when the command is typed alone. */
  defaultSubcommand: string;
  subcommands: SubcommandSpec[];
}

export const helpSubcommand = 'help';

export const commandCatalog: readonly CommandSpec[] = [
  {
    name: 'connect',
    description: "Manage this workspace's connection to Novu, and where in Slack notifications go",
    escapesMentions: true,
    defaultSubcommand: 'status',
    subcommands: [
      {
        name: 'status',
        summary: "Show this workspace's Novu connection: integration, mode, context and last sync",
        action: 'connection.read',
      },
      {
        name: 'setup',
        opensModal: true,
        summary: 'Connect this workspace to a Novu chat integration, or change how it is connected',
        action: 'connection.write',
        needs: ['novu'],
      },
      {
        name: 'disconnect',
        summary: "Delete this workspace's Novu connection (Switchboard stays installed)",
        action: 'connection.write',
        needs: ['novu'],
      },
      {
        name: 'channel',
        opensModal: true,
        args: '[#channel] [subscriberId]',
        summary: "Send a subscriber's Slack notifications to a channel",
        examples: ['#ops-alerts subscriber-42'],
        action: 'routes.write',
        needs: ['novu'],
      },
      {
        name: 'link',
        opensModal: true,
        args: '[@person] [subscriberId]',
        summary: "Send a subscriber's Slack notifications to a person, as direct messages",
        examples: ['@maria subscriber-42'],
        action: 'routes.write',
        needs: ['novu'],
      },
      {
        name: 'link-all',
        summary: 'Link every member to the Novu subscriber with the same email: a dry run first, then the links',
        action: 'routes.write',
        needs: ['novu'],
      },
      {
        name: 'routes',
        summary: 'List where in Slack notifications go (channels and linked people), with Remove',
        action: 'routes.read',
        needs: ['novu'],
      },
      {
        name: 'check',
        summary: 'Check that the connection and every route and phone endpoint would deliver, with a Fix where Switchboard can fix it',
        action: 'delivery.test',
        needs: ['novu'],
      },
      {
        name: 'audit',
        summary: 'Show recent changes and refusals in this workspace',
        action: 'audit.read',
      },
    ],
  },
  {
    name: 'phone',
    description: 'Register phone endpoints in Novu and provision numbers on Vapi and SignalWire',
    defaultSubcommand: helpSubcommand,
    subcommands: [
      {
        name: 'register',
        opensModal: true,
        args: '[number] [subscriberId]',
        summary: "Register a subscriber's phone number as a Novu phone endpoint",
        examples: ['+14155550100 subscriber-42', '(415) 555-0100'],
        action: 'endpoints.write',
        needs: ['novu'],
      },
      {
        name: 'list',
        args: '[subscriberId]',
        summary: 'List phone endpoints, newest first',
        examples: ['subscriber-42'],
        action: 'endpoints.read',
        needs: ['novu'],
      },
      {
        name: 'remove',
        args: '<identifier>',
        summary: 'Remove a phone endpoint (asks for confirmation)',
        examples: ['phone-sms-3f9a1c2b7d4e5f60'],
        action: 'endpoints.write',
        needs: ['novu'],
      },
      {
        name: 'import-csv',
        opensModal: true,
        summary: 'Register many phone endpoints from a CSV file (subscriberId,phone[,integration][,identifier]): a dry run first, then the numbers',
        action: 'endpoints.write',
        needs: ['novu'],
      },
      {
        name: 'sip',
        opensModal: true,
        summary:
          'Create a Vapi phone number: a free US number or a SIP URI, answered by an assistant, its calls reported in a channel if you like — or ask an operator for one',
        // Those who may only ask get the same form as a request; the submission checks numbers.provision.
        action: 'numbers.request',
        needs: ['vapi'],
      },
      {
        name: 'import',
        opensModal: true,
        args: '[number]',
        summary: 'Import a number you own elsewhere into SignalWire, its texts reported in a channel if you like — or ask an operator to',
        examples: ['+14155550100'],
        action: 'numbers.request',
        needs: ['signalwire'],
      },
      {
        name: 'numbers',
        summary: 'Numbers on Vapi and SignalWire side by side, with their status, their Novu endpoints, Change, Report calls and texts… and Release',
        action: 'numbers.read',
        needsAnyOf: ['vapi', 'signalwire'],
      },
    ],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commandCatalog.find((command) => command.name === name);
}

/** What Slack shows next to the command while typing (the manifest's usage hint). */
export function usageHint(command: CommandSpec): string {
  return `[${[...command.subcommands.map((sub) => sub.name), helpSubcommand].join(' | ')}]`;
}
