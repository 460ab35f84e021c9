import { eventually, type Harness } from '../harness.js';
import type { EmulatedView, PostedMessage } from '../slack-emulator.js';
import type { Actor } from '../slack-sender.js';

/**
 * What a person sees, as the app sent it to Slack: a message (in a channel, as a direct message,
 * or "only visible to you"), a modal, the App Home tab, or an HTML page of the app's own.
 */
type Json = Record<string, any>;

export type Surface =
  | { kind: 'message'; text: string; blocks: Json[]; ephemeral: boolean; channel: string }
  | { kind: 'modal'; view: Json }
  | { kind: 'home'; view: Json }
  | { kind: 'page'; html: string };

/** The people and places of the gallery's workspace, with the names Slack would show. */
export interface Cast {
  installer: Actor;
  admin: Actor;
  member: Actor;
  operator: Actor;
}

const settleMs = 150;

/**
 * Drives the running app the way Slack does (signed commands, clicks, submissions, events) and
 * picks out the surface each step produced. Scenarios share one driver and run in order, so a
 * later one sees what the earlier ones made; `memo` carries what they hand on.
 */
export class Driver {
  readonly memo = new Map<string, unknown>();

  constructor(
    readonly harness: Harness,
    readonly cast: Cast,
  ) {}

  /** A command whose answer is a message: the acknowledgement's, or the first response_url post (the one `until` accepts). */
  async reply(command: string, text: string, actor: Actor, until: (body: string) => boolean = () => true): Promise<Surface> {
    return (await this.answer(command, text, actor, until)).surface;
  }

  /** The answer to a command, and the response_url its buttons answer through. */
  async answer(command: string, text: string, actor: Actor, until: (body: string) => boolean = () => true): Promise<{ surface: Surface; responseUrl: string }> {
    const response = await this.harness.slack.command(command, text, actor);
    if (response.status !== 200) throw new Error(`${command} ${text} answered ${response.status}`);
    const responseUrl = response.responseUrl ?? '';
    const acknowledged = response.json;
    if (acknowledged && (acknowledged.text || acknowledged.blocks) && until(JSON.stringify(acknowledged))) {
      return { surface: asMessage(acknowledged, 'C0GENERAL'), responseUrl };
    }
    const post = await eventually(() => this.harness.emulator.responsesTo(responseUrl).find((candidate) => until(JSON.stringify(candidate.body))), {
      timeoutMs: 15_000,
      message: `the answer to ${command} ${text}`,
    });
    return { surface: asMessage(post.body, post.channelId ?? 'C0GENERAL'), responseUrl };
  }

  /** A command that opens a modal: the modal, as first drawn. */
  modal(command: string, text: string, callbackId: string, actor: Actor): Promise<EmulatedView> {
    return this.harness.openModal(command, text, callbackId, actor);
  }

  /** Submits a modal and waits until it shows what `settled` accepts (a result rather than "working…"). */
  async submit(view: EmulatedView, values: Record<string, unknown>, actor: Actor, settled: (text: string) => boolean): Promise<EmulatedView> {
    const answer = await this.harness.slack.submitView(view, values, actor);
    if (answer.json?.response_action === 'errors') throw new Error(`The form refused the values: ${JSON.stringify(answer.json.errors)}`);
    return eventually(
      () => {
        const current = this.harness.emulator.views.get(view.id);
        return current && current.hash !== view.hash && settled(JSON.stringify(current)) ? current : undefined;
      },
      { timeoutMs: 15_000, message: `the result of ${view.callback_id}` },
    );
  }

  /** Clicks a button of a view or a message; a message's answers go to `responseUrl` (a new one when left out). */
  async click(where: { view?: EmulatedView; message?: Json; responseUrl?: string }, actionId: string, actor: Actor): Promise<string> {
    const responseUrl = where.view ? '' : (where.responseUrl ?? this.harness.emulator.newResponseUrl());
    const response = await this.harness.slack.clickButton(where.view ? where : { ...where, responseUrl }, actionId, actor);
    if (response.status !== 200) throw new Error(`The click on ${actionId} answered ${response.status}`);
    return responseUrl;
  }

  /** The first view opened after `before` (a snapshot of the emulator's view ids) that `accepts`. */
  openedSince(before: ReadonlySet<string>, accepts: (view: EmulatedView) => boolean = () => true): Promise<EmulatedView> {
    return eventually(() => [...this.harness.emulator.views.values()].find((view) => !before.has(view.id) && accepts(view)), { message: 'a new modal' });
  }

  viewIds(): Set<string> {
    return new Set(this.harness.emulator.views.keys());
  }

  /** Opens the person's App Home tab and returns what the app published. */
  async home(actor: Actor): Promise<Surface> {
    const publishes = this.harness.emulator.callsTo('views.publish').length;
    const response = await this.harness.slack.event({ type: 'app_home_opened', user: actor.userId, tab: 'home', channel: 'D0HOME' }, { teamId: actor.teamId });
    if (response.status !== 200) throw new Error(`app_home_opened answered ${response.status}`);
    await eventually(() => this.harness.emulator.callsTo('views.publish').length > publishes, { message: 'views.publish' });
    // A change the request set off may publish the tab once more: the last one stands.
    await pause(settleMs);
    const view = this.harness.emulator.homeViews.get(actor.userId);
    if (!view) throw new Error(`No Home tab for ${actor.userId}`);
    return { kind: 'home', view: structuredClone(view) };
  }

  /** The newest direct message from the app to `actor` that `accepts`, once it arrives. */
  async directMessage(actor: Actor, accepts: (message: PostedMessage) => boolean): Promise<PostedMessage> {
    const channel = `D${actor.userId.slice(1)}`;
    return eventually(
      () =>
        [...this.harness.emulator.messages.values()]
          .filter((message) => message.channel === channel && !message.files && accepts(message))
          .map((message) => structuredClone(message))
          .at(-1),
      { timeoutMs: 15_000, message: `a direct message to ${actor.userId}` },
    );
  }

  /** A page the app serves, as a browser gets it. */
  async page(path: string): Promise<Surface> {
    const response = await fetch(`${this.harness.url}${path}`, { redirect: 'manual' });
    return { kind: 'page', html: await response.text() };
  }
}

export const asModal = (view: EmulatedView): Surface => ({ kind: 'modal', view: structuredClone(view) });

export function asMessage(body: Json, channel: string): Surface {
  return {
    kind: 'message',
    text: String(body.text ?? ''),
    blocks: structuredClone(body.blocks ?? []),
    ephemeral: body.response_type !== 'in_channel',
    channel,
  };
}

export const asPosted = (message: PostedMessage): Surface => ({
  kind: 'message',
  text: message.text,
  blocks: structuredClone(message.blocks ?? []),
  ephemeral: false,
  channel: message.channel,
});

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once a view's text holds `marker` and no "working" hourglass. */
export const says =
  (marker: string) =>
  (text: string): boolean =>
    text.includes(marker) && !text.includes('hourglass_flowing_sand');
