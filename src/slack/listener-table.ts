import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';

type Handler = (args: any) => Promise<void> | void;
type Constraint = string | RegExp;

/**
 * Bolt runs every registered listener's middleware chain for every request, so each
 * `app.action(...)` costs every request a little. Features register here instead; the table adds
 * one Bolt listener per kind (actions, views, options) and picks the handler by id itself.
 * The methods take the same arguments as Bolt's, so feature code reads the same.
 */
/** What features register listeners on: Bolt's own methods, through the table. */
export type SlackListeners = Pick<App, 'action' | 'view' | 'options' | 'event'>;

export class ListenerTable implements SlackListeners {
  private readonly actionHandlers: [Constraint, Handler][] = [];
  private readonly viewHandlers: [Constraint, Handler][] = [];
  private readonly optionHandlers: [Constraint, Handler][] = [];

  constructor(private readonly app: App) {}

  readonly action = ((constraint: Constraint, handler: Handler) => {
    this.actionHandlers.push([constraint, handler]);
  }) as unknown as App['action'];

  readonly view = ((constraint: Constraint, handler: Handler) => {
    this.viewHandlers.push([constraint, handler]);
  }) as unknown as App['view'];

  readonly options = ((constraint: Constraint, handler: Handler) => {
    this.optionHandlers.push([constraint, handler]);
  }) as unknown as App['options'];

  /** Events are few and Bolt filters them by type cheaply: they go to Bolt directly. */
  readonly event: App['event'] = ((...args: Parameters<App['event']>) => this.app.event(...args)) as App['event'];

  /** Adds the three Bolt listeners; an id nobody handles is acknowledged so Slack does not wait. */
  install(): void {
    this.app.action(/.*/, (args: any) => dispatch(this.actionHandlers, args.action?.action_id, args));
    this.app.view(/.*/, (args: any) => dispatch(this.viewHandlers, args.view?.callback_id, args));
    this.app.options(/.*/, (args: any) =>
      answerWithin(optionsBudgetMs, args, (answering) => dispatch(this.optionHandlers, args.payload?.action_id, answering)),
    );
  }
}

/** Slack shows nothing for a picker not answered within 3 seconds; a slow loader is answered for, empty, before that. */
export const optionsBudgetMs = 2_000;

async function answerWithin(budgetMs: number, args: { ack: (response?: unknown) => Promise<void> }, run: (args: any) => Promise<void>): Promise<void> {
  let answered = false;
  const ack = async (response?: unknown) => {
    if (answered) return;
    answered = true;
    await args.ack(response);
  };
  const cancel = new AbortController();
  const fallback = sleep(budgetMs, undefined, { signal: cancel.signal }).then(
    () => ack({ options: [] }),
    () => {},
  );
  const work = run({ ...args, ack }).catch(async () => ack({ options: [] }));
  await Promise.race([work, fallback]);
  cancel.abort();
}

async function dispatch(table: [Constraint, Handler][], id: unknown, args: { ack: (response?: unknown) => Promise<void> }): Promise<void> {
  const key = typeof id === 'string' ? id : '';
  const found = table.find(([constraint]) => (typeof constraint === 'string' ? constraint === key : constraint.test(key)));
  if (found) return found[1](args);
  await args.ack();
}
