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
import { answeringAPerson } from '../jobs/one-path.js';
import { type Actor, actorOf } from './actor.js';
import { refusalMessage, refusedView } from './commands/messages.js';
import { type Guard, type Guards, guardedOf, type Refusal } from './guards.js';
import type { Mrkdwn } from './mrkdwn.js';

/** Who is acting: the table hands every action, view and option listener the actor its guard checked. */
type Acting = { actor: Actor };

/** What a view submission, button and option loader listener get. */
export type ViewSubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs & Acting;
export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs & Acting;
/** Any element of a block: a button, or a choice in an input block that dispatches its change (`dispatch_action`). */
export type BlockActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs & Acting;
export type SuggestionArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs & Acting;

/** A listener, with Bolt's arguments for what it listens to. */
export type Listener<Args> = (args: Args & AllMiddlewareArgs) => Promise<void>;

type Constraint = string | RegExp;
type ActionArgs = SlackActionMiddlewareArgs<SlackAction>;
type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction>;
type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'>;

/** What features register listeners on: Bolt's methods and argument types, each with its guard, one Bolt listener per kind behind them. */
export type SlackListeners = Pick<ListenerTable, 'action' | 'view' | 'options' | 'event'>;

/** The Web API client a request's handlers use: the shared client, bound to the tenant's bot token (see `authorize`). */
export type ClientFor = (context: Context) => WebClient;

/** One declared listener: what it answers, who may use it, and the handler. */
export interface Route<Args> {
  kind: 'action' | 'view' | 'options';
  constraint: Constraint;
  guard: Guard;
  listener: Listener<Args>;
}

export interface ListenerTableDependencies {
  clientFor: ClientFor;
  guards: Guards;
  /** A refusal for a click in the Home tab, which has nowhere else to show it. */
  directMessage: (actor: Actor, text: string, ask?: Mrkdwn) => Promise<unknown>;
}

/**
 * Bolt runs every registered listener's middleware chain for every request, copying the request's
 * arguments at each step; with a listener per action, view and loader that cost showed in the
 * benchmark. Features register here instead, each listener with its guard, and the table is the
 * last step of the global middleware: it picks the route by kind and id (so no Bolt listener chain
 * runs at all), runs the route's guard, and hands the handler Bolt's arguments, with a `client`
 * that is the shared Web API client bound to the tenant's token. A click is acknowledged here,
 * before the guard may ask Slack who the person is.
 */
export class ListenerTable {
  private readonly actions: Route<ActionArgs & Acting>[] = [];
  private readonly views: Route<ViewArgs & Acting>[] = [];
  private readonly suggestions: Route<OptionsArgs & Acting>[] = [];
  private readonly events = new Map<string, Listener<SlackEventMiddlewareArgs>>();
  private commandListener: Listener<SlackCommandMiddlewareArgs> | undefined;

  constructor(private readonly deps: ListenerTableDependencies) {}

  action<A extends SlackAction = BlockAction>(constraint: Constraint, guard: Guard, listener: Listener<SlackActionMiddlewareArgs<A> & Acting>): void {
    // Bolt narrows the same way: the constraint decides which payloads reach the listener.
    this.actions.push({ kind: 'action', constraint, guard, listener: listener as Listener<ActionArgs & Acting> });
  }

  view<V extends SlackViewAction = ViewSubmitAction>(callbackId: Constraint, guard: Guard, listener: Listener<SlackViewMiddlewareArgs<V> & Acting>): void {
    this.views.push({ kind: 'view', constraint: callbackId, guard, listener: listener as Listener<ViewArgs & Acting> });
  }

  options(actionId: Constraint, guard: Guard, listener: Listener<OptionsArgs & Acting>): void {
    this.suggestions.push({ kind: 'options', constraint: actionId, guard, listener });
  }

  /** Events concern the tenant itself (its Home tab, its uninstall): no one's permission is asked. */
  event<E extends string>(type: E, listener: Listener<SlackEventMiddlewareArgs<E>>): void {
    this.events.set(type, listener as Listener<SlackEventMiddlewareArgs>);
  }

  /** Every slash command goes to one listener (the command router). */
  commands(listener: Listener<SlackCommandMiddlewareArgs>): void {
    this.commandListener = listener;
  }

  /** Every declared route, for the tests that prove each one's guard. */
  routes(): readonly Route<unknown>[] {
    return [...this.actions, ...this.views, ...this.suggestions] as Route<unknown>[];
  }

  /** The last step of the request path; a request nobody handles is acknowledged so Slack does not wait. */
  readonly dispatch = async (bolt: AnyMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const args = { ...bolt, client: this.deps.clientFor(bolt.context) };
    // What a person asks for with a command, a click or a form is queued only through JobQueue.storedThenTold.
    if ('command' in args) return answeringAPerson(() => (this.commandListener ? this.commandListener(args) : args.ack()));
    if ('action' in args) return answeringAPerson(() => this.runAction(args));
    if ('view' in args) return answeringAPerson(() => this.runView(args));
    if ('options' in args) {
      const id = 'action_id' in args.payload ? args.payload.action_id : '';
      const route = find(this.suggestions, id);
      // The loaders Switchboard registers serve `external_select` menus: block_suggestion payloads.
      if (!route || args.payload.type !== 'block_suggestion') return args.ack({ options: [] });
      return answerWithin(optionsBudgetMs, args as OptionsArgs & AllMiddlewareArgs, async (allowed) => {
        const actor = actorOf(allowed.context);
        if (await this.deps.guards.check(route.guard, guardedOf('options', id, allowed, actor))) return allowed.ack({ options: [] });
        return route.listener({ ...allowed, actor });
      });
    }
    if ('event' in args) return this.events.get(args.event.type)?.(args);
    if ('shortcut' in args) await args.ack();
  };

  private async runAction(args: ActionArgs & AllMiddlewareArgs): Promise<void> {
    const id = actionIdOf(args.action);
    const route = find(this.actions, id);
    await args.ack();
    if (!route) return;
    const actor = actorOf(args.context);
    const refusal = await this.deps.guards.check(route.guard, guardedOf('action', id, args, actor));
    if (refusal) return this.refuseClick(args, actor, refusal, route.guard.opensForm);
    // Acknowledged above: the handler's own ack does nothing.
    return route.listener({ ...args, actor, ack: async () => {} });
  }

  private async runView(args: ViewArgs & AllMiddlewareArgs): Promise<void> {
    const id = args.view.callback_id;
    const route = find(this.views, id);
    if (!route) return args.ack();
    const actor = actorOf(args.context);
    const refusal = await this.deps.guards.check(route.guard, guardedOf('view', id, args, actor));
    if (!refusal) return route.listener({ ...args, actor });
    if (route.guard.field && !refusal.notFound) return args.ack({ response_action: 'errors', errors: { [route.guard.field]: refusal.text } });
    return args.ack({ response_action: 'update', view: refusedView(refusal.text, refusal.ask) });
  }

  /**
   * In place of the form the button opens; else where the button was: over the modal, beside the
   * message; or by direct message (from the Home tab, or a modal it cannot change).
   */
  private async refuseClick(args: ActionArgs & AllMiddlewareArgs, actor: Actor, { text, ask }: Refusal, opensForm: boolean | undefined): Promise<void> {
    const body = args.body as { view?: { id?: string; type?: string }; response_url?: string; trigger_id?: string };
    const { views } = args.client;
    const view = refusedView(text, ask);
    if (opensForm && body.trigger_id && (await succeeded(views.open({ trigger_id: body.trigger_id, view })))) return;
    if (body.view?.type === 'modal' && body.view.id) {
      if (await succeeded(views.update({ view_id: body.view.id, view }))) return;
    } else if (body.response_url && (await succeeded(args.respond({ ...refusalMessage(text, ask), replace_original: false })))) return;
    await this.deps.directMessage(actor, text, ask);
  }
}

function succeeded(call: Promise<unknown>): Promise<boolean> {
  return call.then(() => true).catch(() => false);
}

function actionIdOf(action: object): string {
  return 'action_id' in action && typeof action.action_id === 'string' ? action.action_id : '';
}

function find<R extends { constraint: Constraint }>(table: R[], id: string): R | undefined {
  return table.find(({ constraint }) => (typeof constraint === 'string' ? constraint === id : constraint.test(id)));
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
