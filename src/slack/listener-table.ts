import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  BlockAction,
  ButtonAction,
  Context,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

/** What a view submission listener gets. */
export type ViewSubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
/** What a button listener gets. */
export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
/** What an external select's option loader gets. */
export type SuggestionArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

/** A listener, with Bolt's arguments for what it listens to. */
export type Listener<Args> = (args: Args & AllMiddlewareArgs) => Promise<void>;

type Constraint = string | RegExp;
type ActionArgs = SlackActionMiddlewareArgs<SlackAction>;
type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction>;
type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'>;

/** What features register listeners on: Bolt's methods and argument types, one Bolt listener per kind behind them. */
export interface SlackListeners {
  action<A extends SlackAction = BlockAction>(constraint: Constraint, listener: Listener<SlackActionMiddlewareArgs<A>>): void;
  view<V extends SlackViewAction = ViewSubmitAction>(callbackId: Constraint, listener: Listener<SlackViewMiddlewareArgs<V>>): void;
  options(actionId: Constraint, listener: Listener<OptionsArgs>): void;
  event<E extends string>(type: E, listener: Listener<SlackEventMiddlewareArgs<E>>): void;
}

/** The Web API client a request's handlers use: the shared client, bound to the tenant's bot token (see `authorize`). */
export type ClientFor = (context: Context) => WebClient;

/**
 * Bolt runs every registered listener's middleware chain for every request, copying the request's
 * arguments at each step; with a listener per action, view and loader that cost showed in the
 * benchmark. Features register here instead, with Bolt's methods and argument types, and the table
 * is the last step of the global middleware: it picks the handler by kind and id (so no Bolt
 * listener chain runs at all) and hands it Bolt's arguments, with a `client` that is the shared
 * Web API client bound to the tenant's token.
 */
export class ListenerTable implements SlackListeners {
  private readonly actions: [Constraint, Listener<ActionArgs>][] = [];
  private readonly views: [Constraint, Listener<ViewArgs>][] = [];
  private readonly suggestions: [Constraint, Listener<OptionsArgs>][] = [];
  private readonly events = new Map<string, Listener<SlackEventMiddlewareArgs>>();
  private commandListener: Listener<SlackCommandMiddlewareArgs> | undefined;

  constructor(private readonly clientFor: ClientFor) {}

  action<A extends SlackAction = BlockAction>(constraint: Constraint, listener: Listener<SlackActionMiddlewareArgs<A>>): void {
    // Bolt narrows the same way: the constraint decides which payloads reach the listener.
    this.actions.push([constraint, listener as Listener<ActionArgs>]);
  }

  view<V extends SlackViewAction = ViewSubmitAction>(callbackId: Constraint, listener: Listener<SlackViewMiddlewareArgs<V>>): void {
    this.views.push([callbackId, listener as Listener<ViewArgs>]);
  }

  options(actionId: Constraint, listener: Listener<OptionsArgs>): void {
    this.suggestions.push([actionId, listener]);
  }

  event<E extends string>(type: E, listener: Listener<SlackEventMiddlewareArgs<E>>): void {
    this.events.set(type, listener as Listener<SlackEventMiddlewareArgs>);
  }

  /** Every slash command goes to one listener (the command router). */
  commands(listener: Listener<SlackCommandMiddlewareArgs>): void {
    this.commandListener = listener;
  }

  /** The last step of the request path; a request nobody handles is acknowledged so Slack does not wait. */
  readonly dispatch = async (args: AnyMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    if ('command' in args) {
      if (this.commandListener) return this.commandListener(this.withClient(args));
      return args.ack();
    }
    if ('action' in args) {
      const listener = find(this.actions, actionIdOf(args.action));
      return listener ? listener(this.withClient(args)) : args.ack();
    }
    if ('view' in args) {
      const listener = find(this.views, args.view.callback_id);
      return listener ? listener(this.withClient(args)) : args.ack();
    }
    if ('options' in args) {
      const listener = find(this.suggestions, 'action_id' in args.payload ? args.payload.action_id : '');
      if (!listener || !isBlockSuggestion(args)) return args.ack({ options: [] });
      return answerWithin(optionsBudgetMs, this.withClient(args), listener);
    }
    if ('event' in args) {
      const listener = this.events.get(args.event.type);
      if (listener) await listener(this.withClient(args));
      return;
    }
    if ('shortcut' in args) await args.ack();
  };

  private withClient<Args extends AllMiddlewareArgs>(args: Args): Args {
    return { ...args, client: this.clientFor(args.context) };
  }
}

/** The loaders Switchboard registers serve `external_select` menus: block_suggestion payloads. */
function isBlockSuggestion(args: SlackOptionsMiddlewareArgs & AllMiddlewareArgs): args is SlackOptionsMiddlewareArgs & OptionsArgs & AllMiddlewareArgs {
  return args.payload.type === 'block_suggestion';
}

function actionIdOf(action: object): string {
  return 'action_id' in action && typeof action.action_id === 'string' ? action.action_id : '';
}

function find<L>(table: [Constraint, L][], id: string): L | undefined {
  return table.find(([constraint]) => (typeof constraint === 'string' ? constraint === id : constraint.test(id)))?.[1];
}

/** Slack shows nothing for a picker not answered within 3 seconds; a slow loader is answered for, empty, before that. */
export const optionsBudgetMs = 2_000;

async function answerWithin(budgetMs: number, args: OptionsArgs & AllMiddlewareArgs, listener: Listener<OptionsArgs>): Promise<void> {
  let answered = false;
  const ack: typeof args.ack = async (response) => {
    if (answered) return;
    answered = true;
    await args.ack(response);
  };
  const cancel = new AbortController();
  const fallback = sleep(budgetMs, undefined, { signal: cancel.signal }).then(
    () => ack({ options: [] }),
    () => {},
  );
  const work = listener({ ...args, ack }).catch(async () => ack({ options: [] }));
  await Promise.race([work, fallback]);
  cancel.abort();
}
