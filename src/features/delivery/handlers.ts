import type { Action } from '../../permissions/policy.js';
import type { Actor } from '../../slack/actor.js';
import type { CommandRequest, CommandRouter } from '../../slack/commands/router.js';
import type { Guard } from '../../slack/guards.js';
import type { ButtonArgs, SlackListeners } from '../../slack/listener-table.js';
import { code, type Mrkdwn, md, mentionChannel } from '../../slack/mrkdwn.js';
import { type Replies, type Reply, type ReplyTo, replyOf, replyView } from '../../slack/replies.js';
import type { OwnedEndpoint } from '../../store/types.js';
import type { Owner } from '../../tenancy/ownership.js';
import { parseJsonAs } from '../../util/json.js';
import type { ConnectionDeps } from '../deps.js';
import type { SubscriberPhones } from '../phone/subscriber-phone.js';
import { describePostFailure, joinChannel } from '../routes/slack-checks.js';
import { deliveryActions, withSuffixes } from './actions.js';
import type { DeliveryChecks } from './health.js';
import { checkingReply } from './health-messages.js';
import { describeEndpoint, notSavedReply } from './messages.js';
import { type FixRequest, fixRequest, labelOf } from './model.js';
import type { EndpointMoves } from './moves.js';
import { alreadyTestingReply, notYoursReply, testingReply } from './test-messages.js';
import type { DeliveryTests } from './test-through-novu.js';

const checkTitle = 'Delivery check';
const testTitle = 'Test through Novu';

/**
 * Test through Novu (wherever its button is: beside routes, phone endpoints, results, on the App
 * Home), the delivery check (`/connect check` and the App Home), and the check's fixes.
 */
export class DeliveryHandlers {
  constructor(
    private readonly services: ConnectionDeps,
    private readonly parts: { tests: DeliveryTests; checks: DeliveryChecks; moves: EndpointMoves; replies: Replies; phones: SubscriberPhones },
  ) {}

  register(app: SlackListeners, router: CommandRouter): void {
    router.on('connect', 'check', (request) => this.checkCommand(request));
    const fixGuard: Guard = { may: fixPermission, owns: { record: 'endpoint', in: 'value', read: (value) => parseJsonAs(fixRequest, value)?.identifier } };
    app.action(withSuffixes(deliveryActions.test), { may: 'delivery.test', owns: { record: 'endpoint', in: 'value' } }, (args: ButtonArgs) =>
      this.clickTest(args),
    );
    app.action(deliveryActions.check, { may: 'delivery.test' }, (args: ButtonArgs) => this.clickCheck(args));
    app.action(withSuffixes(deliveryActions.fix), fixGuard, (args: ButtonArgs) => this.clickFix(args));
    // "Use this number for SMS" beside a registration whose subscriber has another phone: the same fix.
    app.action(deliveryActions.setPhone, fixGuard, (args: ButtonArgs) => this.clickFix(args));
  }

  private async checkCommand({ actor, body, respond }: CommandRequest): Promise<void> {
    // Stored before the person is told it is under way; the report comes through the command's response_url.
    const replyTo: ReplyTo = { kind: 'response', url: body.response_url };
    const payload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, replyTo };
    const answer = (reply: Reply) => respond({ response_type: 'ephemeral', text: reply.text, blocks: reply.blocks });
    await this.services.queue.storedThenTold(() => this.parts.checks.enqueue(payload, body.trigger_id), {
      stored: () => answer(checkingReply()),
      notStored: (text) => answer(notSavedReply(checkTitle, text)),
    });
  }

  private async clickCheck({ action, body, actor }: ButtonArgs): Promise<void> {
    const replyTo = replyToOf(body);
    const payload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, replyTo };
    // From the Home tab the report itself comes by direct message: nothing to say before it.
    await this.services.queue.storedThenTold(() => this.parts.checks.enqueue(payload, action.action_ts), {
      stored: replyTo.kind === 'dm' ? undefined : () => this.reply(actor, replyTo, checkingReply()),
      notStored: (text) => this.reply(actor, replyTo, notSavedReply(checkTitle, text)),
    });
  }

  private async clickTest({ action, body, client, actor }: ButtonArgs): Promise<void> {
    const replyTo = replyToOf(body);
    const identifier = action.value ?? '';
    const record = await this.services.store.endpoints.find(identifier);
    if (!record) return this.reply(actor, replyTo, notYoursReply());
    const { tests } = this.parts;
    if (await tests.running(actor.tenant.key, identifier)) return this.reply(actor, replyTo, alreadyTestingReply());
    // The test is stored before anyone is told it is on its way.
    const payload = { workspaceKey: actor.tenant.key, requestedBy: actor.userId, identifier, replyTo };
    const jobId = await this.services.queue.storedThenTold(() => tests.enqueue(payload, action.action_ts), {
      notStored: (text) => this.reply(actor, replyTo, notSavedReply(testTitle, text)),
    });
    if (jobId === undefined || replyTo.kind === 'dm') return;
    if (replyTo.kind === 'view') await client.views.update({ view_id: replyTo.viewId, view: replyView(testingReply(labelOf(record))) }).catch(() => {});
    else await this.reply(actor, replyTo, testingReply(labelOf(record)));
    // A quick test may have finished, and shown its result, before "Testing…" was drawn over it.
    const finished = await tests.finishedReply(jobId);
    if (finished) await this.reply(actor, replyTo, finished);
  }

  /** A Fix from the delivery check, for this workspace's own route or endpoint (its guard says), by who may change it. */
  private async clickFix({ action, body, actor }: ButtonArgs): Promise<void> {
    const replyTo = replyToOf(body);
    const request = parseJsonAs(fixRequest, action.value);
    const record = request ? await this.services.store.endpoints.find(request.identifier) : undefined;
    if (!request || !record) return this.reply(actor, replyTo, notYoursReply());
    const queued = this.queuedFix(request, record, actor.userId, replyTo, action.action_ts);
    if (!queued) return this.reply(actor, replyTo, replyOf(checkTitle, await this.fixNow(request, record, actor.userId)));
    await this.services.queue.storedThenTold(queued.store, {
      stored: () => this.reply(actor, replyTo, replyOf(checkTitle, queued.told)),
      notStored: (text) => this.reply(actor, replyTo, notSavedReply(checkTitle, text)),
    });
  }

  /** A fix that is a job (writing the endpoint again, the subscriber's phone): how to store it, and what to say once it is stored. */
  private queuedFix(
    { fix, identifier, expected }: FixRequest,
    record: OwnedEndpoint,
    userId: string,
    replyTo: ReplyTo,
    intent: string,
  ): { store: () => Promise<void>; told: Mrkdwn } | undefined {
    if (fix === 'move') {
      return {
        store: () => this.parts.moves.enqueue({ workspaceKey: record.workspaceKey, requestedBy: userId, identifier }, `fix:${identifier}:${intent}`),
        told: md`:truck: Writing ${describeEndpoint(labelOf(record))} again in this workspace’s context; you get a direct message when it is done.`,
      };
    }
    if (fix === 'set-phone' && record.type === 'phone') {
      const replace = { workspaceKey: record.workspaceKey, requestedBy: userId, identifier, expected: expected ?? null, replyTo };
      return {
        store: () => this.parts.phones.enqueueReplace(replace, intent),
        told: md`:hourglass_flowing_sand: Making ${code(record.target)} ${code(record.subscriberId)}’s phone in Novu…`,
      };
    }
    return undefined;
  }

  /** A fix done at once (the bot joins the channel), and what it did. */
  private async fixNow({ fix }: FixRequest, record: OwnedEndpoint, userId: string): Promise<Mrkdwn> {
    if (fix === 'join' && record.type === 'slack_channel') {
      // The route's own workspace bot joins (an operator may fix another workspace's route).
      const bot = await this.services.bots.forWorkspace(record.workspaceKey);
      const joinError = bot ? await joinChannel(bot, record.target) : 'not_installed';
      await this.services.audit.record({
        action: 'delivery.fix',
        outcome: joinError ? 'failed' : 'ok',
        workspaceKey: record.workspaceKey,
        userId,
        target: `channel ${record.target}`,
        error: joinError,
        detail: { fix },
      });
      return joinError
        ? md`:x: ${describePostFailure(joinError, mentionChannel(record.target))}`
        : md`:white_check_mark: Switchboard joined ${mentionChannel(record.target)}: Novu can post there now.`;
    }
    return md`:grey_question: That fix does not apply here any more; run \`/connect check\` again.`;
  }

  private async reply(actor: Actor, replyTo: ReplyTo, reply: Reply): Promise<void> {
    await this.parts.replies.send(actor.tenant.key, actor.userId, replyTo, reply);
  }
}

/** A button in a modal answers in the modal; in a message, through its response_url; on the App Home, by direct message. */
function replyToOf(body: ButtonArgs['body']): ReplyTo {
  if (body.view?.type === 'modal') return { kind: 'view', viewId: body.view.id };
  if (body.response_url) return { kind: 'response', url: body.response_url };
  return { kind: 'dm' };
}

/** A phone endpoint is fixed by who may change endpoints; a route, by who may change routes. */
function fixPermission(owner: Owner): Action {
  return owner.type === 'phone' ? 'endpoints.write' : 'routes.write';
}
