import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Accepted, Telling } from '../../jobs/queue.js';
import type { Actor } from '../../slack/actor.js';
import type { ButtonArgs } from '../../slack/listener-table.js';
import { showInForm } from '../../slack/replies.js';
import { inputState, type StateValues, textOf } from '../../slack/view-state.js';
import type { ConnectionRecord } from '../../store/types.js';
import type { RouteDeps } from '../deps.js';
import type { WrittenEndpoint } from '../endpoint-writer.js';
import { notConnectedMessage, routeCreatedDirectMessage, routeFailedView, routeQueuedView } from './messages.js';
import type { RouteJobs, RoutePayload } from './route-jobs.js';

export const maxSubscriberIdLength = 200;

/** The person waiting in a form, and the form. */
export interface FormAt {
  actor: Actor;
  client: WebClient;
  viewId: string;
}

/** The subscriber ID as typed: trimmed, required, at most 200 characters. */
export function readSubscriberId(values: StateValues, actionId: string): { subscriberId: string } | { error: string } {
  const typed = textOf(inputState<{ value?: unknown }>(values, actionId)?.value)?.trim();
  if (!typed) return { error: 'Enter the Novu subscriber ID.' };
  if (typed.length > maxSubscriberIdLength) return { error: `A subscriber ID here is at most ${maxSubscriberIdLength} characters.` };
  return { subscriberId: typed };
}

/** Shows the next step in a form already acknowledged; when Slack lost the form, the result is in the audit log. */
export async function showStep(services: RouteDeps, client: WebClient, viewId: string, view: View): Promise<void> {
  await client.views.update({ view_id: viewId, view }).catch((error: unknown) => {
    services.logger.warn({ err: error }, 'could not show a Slack route step; the result is in the audit log');
  });
}

/** Tells a person through a form already acknowledged: `working` once the route is stored. */
export function toShownForm<T>(services: RouteDeps, client: WebClient, viewId: string, working: View): Telling<T> {
  return {
    stored: () => showStep(services, client, viewId, working),
    notStored: (text) => showStep(services, client, viewId, routeFailedView(text)),
  };
}

/**
 * A button's form (the App Home's, or a result's): over the modal the button is in, else on its
 * own; a direct message when the workspace has no usable connection.
 */
export async function openFromButton(
  services: RouteDeps,
  routes: RouteJobs,
  { body, client, actor }: ButtonArgs,
  build: (actor: Actor, connection: ConnectionRecord) => View | Promise<View>,
): Promise<void> {
  const connection = await routes.usableConnection(actor.tenant.key);
  if (!connection) return void (await services.bots.sendDirectMessage(actor.tenant.key, actor.userId, notConnectedMessage()));
  const view = await build(actor, connection);
  await client.views[body.view?.type === 'modal' ? 'push' : 'open']({ trigger_id: body.trigger_id, view });
}

/**
 * Stores the route, then tells the person (`tell`), then writes it while they wait: the outcome
 * shows in their form (`done` draws the success), or by direct message when the form is gone.
 * True once the route is written.
 */
export async function routeFromForm(
  services: RouteDeps,
  routes: RouteJobs,
  form: FormAt,
  route: Pick<RoutePayload, 'type' | 'target' | 'subscriberId'>,
  intent: string,
  tell: Telling<Accepted<WrittenEndpoint>>,
  done: (written: WrittenEndpoint) => Promise<View>,
): Promise<boolean> {
  const { actor, client, viewId } = form;
  const payload: RoutePayload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, ...route };
  const accepted = await services.queue.storedThenTold(() => routes.acceptCreate(payload, intent), tell);
  if (!accepted) return false;
  const outcome = await accepted.run();
  const where = { viewId, workspaceKey: actor.tenant.key, userId: actor.userId };
  const view =
    outcome.status === 'done' ? await done(outcome.result) : outcome.status === 'failed' ? routeFailedView(outcome.error) : routeQueuedView(outcome.lastError);
  // A route still queued needs no fallback: the job's own follow-up tells them.
  await showInForm(services, client, where, view, outcome.status === 'queued' ? undefined : routeCreatedDirectMessage(payload, outcome));
  return outcome.status === 'done';
}
