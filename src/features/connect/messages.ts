import type { KnownBlock, View } from '@slack/types';
import { auditListLine } from '../../audit/messages.js';
import type { JobFinish } from '../../jobs/queue.js';
import {
  actions,
  button,
  confirmDialog,
  context,
  type EphemeralMessage,
  ephemeral,
  fields,
  formModal,
  header,
  input,
  noticeModal,
  pickerInput,
  plain,
  section,
  sectionEphemeral,
  sectionMessage,
  textInput,
} from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, type Mrkdwn, md, mentionUser, slackDate } from '../../slack/mrkdwn.js';
import { originMetadata, type ShareOrigin, shareBlock } from '../../slack/share.js';
import type { AuditEntry, ConnectionRecord } from '../../store/types.js';
import { contextKeysOf } from '../../tenancy/novu-scope.js';
import { plural } from '../../util/plural.js';
import { contextJson, endpointLines, triggerContextLine } from '../delivery/messages.js';
import { failureBlocks, failureDetails, failureSentence, lastAnswerDetails } from '../failure-messages.js';
import { routeActions } from '../routes/messages.js';
import type { DeleteResult, SyncResult } from './connection-jobs.js';
import { type ConnectionSettings, formatContext } from './settings.js';

export const connectActions = {
  openSetup: 'connect.setup.open',
  reconnect: 'connect.reconnect',
  disconnect: 'connect.disconnect',
} as const;

export const setupView = {
  callbackId: 'connect.setup',
  integration: { block: 'integration', action: 'integration' },
  mode: { block: 'mode', action: 'mode' },
  context: { block: 'context', action: 'context' },
  subscriber: { block: 'subscriber', action: 'subscriber' },
} as const;

const when = (epochMs: number | null) => (epochMs ? slackDate(epochMs) : md`—`);

export const connectionStateLabels: Record<ConnectionRecord['state'], string> = {
  connected: ':large_green_circle: connected',
  pending: ':hourglass_flowing_sand: being completed',
  failed: ':red_circle: last write failed',
  disconnecting: ':hourglass_flowing_sand: being disconnected',
};

export function connectionCard(
  workspaceName: string,
  connection: ConnectionRecord | undefined,
  canManage: boolean,
  /** The context keys every trigger must carry to reach this workspace. */
  triggerContext: string[],
): EphemeralMessage {
  const buttons = canManage
    ? [
        button(connection ? 'Change' : 'Set up', connectActions.openSetup, { style: 'primary' }),
        // Writes this workspace's current token to Novu again: what a token Novu holds and Slack refuses needs.
        ...(connection ? [button('Reconnect', connectActions.reconnect), disconnectButton('Disconnect', connection)] : []),
      ]
    : [];
  const buttonRow = buttons.length ? [actions('connect-card', buttons)] : [];
  if (!connection) {
    const text = md`${workspaceName} is not connected to Novu yet.`;
    const next = canManage ? md`Set it up to let Novu post here.` : md`A workspace admin can set it up with \`/connect setup\`.`;
    return ephemeral(text, [header('Novu connection'), section(md`${text} ${next}`), ...buttonRow]);
  }
  const lead = md`${workspaceName} and Novu, through the ${code(connection.integrationIdentifier)} integration: ${connectionStateLabels[connection.state]}.`;
  return ephemeral(lead, [
    header('Novu connection'),
    section(lead),
    fields([
      ['Mode', md`${connection.mode}`],
      ['Last synced', when(connection.syncedAt)],
      ['Created', when(connection.createdAt)],
    ]),
    ...(connection.lastError ? [section(md`*Last error:* ${failureSentence(connection.lastError)}`), ...failureDetails(connection.lastError)] : []),
    section(md`*Triggering*\n${triggerContextLine(triggerContext)} \`/connect check\` says whether everything would deliver.`),
    // Ids are for Novu's dashboard and support: behind the sentence, not ahead of it.
    context(
      md`Details: channel connection ${code(connection.identifier)} · context ${connection.context ? code(formatContext(connection.context)) : md`none`}${connection.subscriberId ? md` · subscriber ${code(connection.subscriberId)}` : ''}`,
    ),
    ...buttonRow,
  ]);
}

const disconnectButton = (label: string, connection: ConnectionRecord) =>
  button(label, connectActions.disconnect, { style: 'danger', confirm: disconnectConfirm(connection.identifier) });

export function disconnectConfirm(identifier: string) {
  return confirmDialog(
    'Disconnect from Novu?',
    md`This deletes the Novu channel connection ${code(identifier)}: Novu can no longer post into this workspace. Switchboard stays installed; you can connect again with /connect setup.`,
    'Disconnect',
  );
}

/** `/connect disconnect` answers with this: the confirmation dialog sits on the button. */
export function disconnectPrompt(connection: ConnectionRecord | undefined): EphemeralMessage {
  if (!connection) return ephemeral(md`This workspace has no Novu connection to disconnect.`);
  const text = md`Disconnect this workspace from Novu? The channel connection ${code(connection.identifier)} will be deleted.`;
  return sectionEphemeral(text, actions('connect-disconnect', [disconnectButton('Disconnect…', connection)]));
}

/** How a write a person waited for ended: done, failed, or still being tried in the background. */
type Outcome<R> = { status: 'done'; result: R } | { status: 'failed'; error: string } | { status: 'queued'; lastError?: string };

export function disconnectResult(outcome: Outcome<DeleteResult>): EphemeralMessage {
  if (outcome.status === 'failed') {
    const text = md`:x: Novu did not delete the connection, so it is kept on record: ${failureSentence(outcome.error)} Try Disconnect again later.`;
    return ephemeral(text, [section(text), ...failureDetails(outcome.error)]);
  }
  if (outcome.status === 'queued') {
    return ephemeral(
      md`:hourglass_flowing_sand: Novu is not answering right now. The disconnect is queued and retried (the connection shows as being disconnected until Novu confirms); you will get a direct message when it is done.`,
    );
  }
  const { identifier, alreadyGone } = outcome.result;
  return ephemeral(
    alreadyGone
      ? md`:white_check_mark: The Novu connection ${code(identifier)} was already gone; this workspace is disconnected.`
      : md`:white_check_mark: Disconnected: the Novu connection ${code(identifier)} is deleted.`,
  );
}

export function reconnectResult(outcome: Outcome<SyncResult>): EphemeralMessage {
  if (outcome.status === 'done') return ephemeral(syncedText(outcome.result), [section(syncedText(outcome.result)), ...syncedDetails(outcome.result)]);
  if (outcome.status === 'failed') return ephemeral(md`:x: ${failureSentence(outcome.error)}`, failureBlocks(md`:x: `, outcome.error));
  return ephemeral(
    md`:hourglass_flowing_sand: Novu is not answering right now; the connection is written in the background and you will get a direct message.`,
  );
}

/** What the setup form offers: the tenant's own scope, which only operators may change. */
export interface SetupScope {
  /** `tenant:T…`: the entry that keeps the connection to this workspace. */
  tenantEntry: string;
  /** The workspace's own subscriber (subscriber mode). */
  tenantSubscriber: string;
  canChooseScope: boolean;
}

/** The tenant's routes and phone endpoints: they follow the connection's context and integration. */
export interface SetupFollowers {
  routes: number;
  phones: number;
}

export function setupModal(current: ConnectionSettings | undefined, scope: SetupScope, followers: SetupFollowers, origin?: ShareOrigin): View {
  const modes = [
    { text: plain('Shared'), value: 'shared', description: plain('One connection for the workspace, found through its context') },
    { text: plain('Subscriber'), value: 'subscriber', description: plain('The connection belongs to one Novu subscriber') },
  ];
  return formModal({ callbackId: setupView.callbackId, privateMetadata: originMetadata(origin) }, 'Connect to Novu', 'Connect', [
    section(md`Switchboard stores this workspace’s bot token in Novu as a channel connection, so Novu can post here.`),
    pickerInput(setupView.integration, 'Novu integration', 'Active chat integrations in Novu. Type to search.', {
      placeholder: 'Choose an integration',
      initial: current?.integrationIdentifier,
    }),
    input(setupView.mode.block, 'Mode', {
      type: 'radio_buttons',
      action_id: setupView.mode.action,
      options: modes,
      initial_option: current?.mode === 'subscriber' ? modes[1] : modes[0],
    }),
    textInput(setupView.context, 'Context', current ? formatContext(current.context) : scope.tenantEntry, {
      optional: true,
      multiline: true,
      max: 1100,
      hint: `type:id pairs, one per line (at most 5). ${scope.tenantEntry} keeps the connection to this workspace and stays; you may add others.`,
    }),
    textInput(setupView.subscriber, 'Subscriber ID', current?.subscriberId ?? scope.tenantSubscriber, {
      optional: true,
      max: 200,
      hint: scope.canChooseScope
        ? `Subscriber mode: the subscriber that owns the connection (this workspace's is ${scope.tenantSubscriber}).`
        : `Subscriber mode: this workspace's subscriber, ${scope.tenantSubscriber}.`,
    }),
    context(followersNote(followers, current)),
    ...(origin ? [shareBlock()] : []),
  ]);
}

/** Before a change: what moves with it, and that triggers must follow. */
function followersNote(followers: SetupFollowers, current: ConnectionSettings | undefined): Mrkdwn {
  const parts = [
    followers.routes > 0 ? `${followers.routes} Slack route${followers.routes === 1 ? '' : 's'}` : '',
    followers.phones > 0 ? `${followers.phones} phone endpoint${followers.phones === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const triggers = current
    ? md` Triggers send the connection’s context, now ${code(contextJson(contextKeysOf(current.context)))}: a change of context changes what they must send.`
    : '';
  if (parts.length === 0) return md`Routes and phone endpoints added later carry the connection’s context.${triggers}`;
  return md`This workspace has ${parts.join(' and ')}. A change of context or integration moves them with the connection, so Novu keeps delivering to them.${triggers}`;
}

export function workingView(title: string, text: string): View {
  return noticeModal(title, md`:hourglass_flowing_sand: ${text}`);
}

/** The setup's result; a connection made offers its next step, Route a channel, to who may route. */
export function setupResultView(outcome: Outcome<SyncResult>, can: { route: boolean } = { route: false }): View {
  if (outcome.status === 'failed') return noticeModal('Not connected', md`:x: ${failureSentence(outcome.error)}`, failureDetails(outcome.error));
  if (outcome.status === 'queued') {
    return noticeModal(
      'Connecting…',
      md`:hourglass_flowing_sand: Novu is not answering right now. Switchboard keeps trying in the background and will send you a direct message with the result. You can close this.`,
      lastAnswerDetails(outcome.lastError),
    );
  }
  if (outcome.result.action !== 'superseded') {
    const how = can.route ? 'route a channel here' : 'route a channel with `/connect channel`';
    return noticeModal(
      'Connected',
      md`${syncedText(outcome.result)}\n\n*Next:* Novu posts only where a route exists: ${how}, or link people with \`/connect link\`.`,
      [
        ...syncedDetails(outcome.result),
        ...(can.route ? [actions('connect-next', [button('Route a channel', routeActions.openChannel, { style: 'primary' })])] : []),
      ],
    );
  }
  return noticeModal('Connect to Novu', md`:information_source: A newer change to this connection took over; see \`/connect\` for where it stands.`);
}

const syncedVerbs: Record<SyncResult['action'], string> = {
  created: 'created',
  updated: 'updated',
  adopted: 'this workspace’s existing one, taken over',
  replaced: 'replaced',
  superseded: 'left to a newer change',
};

function syncedText(result: SyncResult, after = ''): Mrkdwn {
  const synced = md`:white_check_mark: This workspace is connected to Novu through the ${code(result.integrationIdentifier)} integration${after}.`;
  return md`${synced}${movingNote(result)}`;
}

/** The connection's id, for Novu's dashboard and support: behind the sentence. */
function syncedDetails(result: SyncResult): KnownBlock[] {
  return [context(md`Details: channel connection ${code(result.identifier)} (${syncedVerbs[result.action]})`)];
}

/** The routes and endpoints that follow a changed context or integration, and what triggers must send from now on. */
function movingNote(result: SyncResult): Mrkdwn {
  if (!result.moving) return md``;
  const { count, sample } = result.moving;
  const what = count === 1 ? 'One route or phone endpoint of this workspace moves' : `${count} routes and phone endpoints of this workspace move`;
  const more = count > sample.length ? `\n…and ${count - sample.length} more` : '';
  const context = result.context ? md`\nTriggers must now send ${code(`context: ${contextJson(result.context)}`)}.` : '';
  return md`\n:truck: ${what} with it, so Novu keeps delivering to them; you get a direct message when they have moved:\n${endpointLines(sample)}${more}${context}`;
}

export function connectionSharedMessage(userId: string, result: SyncResult): SlackMessage {
  return sectionMessage(md`${mentionUser(userId)} connected this workspace to Novu through the ${code(result.integrationIdentifier)} integration.`);
}

/** The direct message an installer or admin gets when a background connection write finishes. */
export function connectionSyncedMessage(outcome: JobFinish<SyncResult>['outcome'], attempts: number): SlackMessage {
  return sectionMessage(
    outcome.status === 'done'
      ? syncedText(outcome.result, ` (after ${plural(attempts, 'attempt')})`)
      : md`:x: Switchboard could not connect this workspace to Novu: ${failureSentence(outcome.error)}\nFix that, then run \`/connect setup\`.`,
    ...(outcome.status === 'failed' ? failureDetails(outcome.error) : syncedDetails(outcome.result)),
  );
}

export function connectionDeletedMessage(outcome: JobFinish<DeleteResult>['outcome']): SlackMessage {
  return sectionMessage(
    outcome.status === 'done'
      ? md`:white_check_mark: The Novu connection ${code(outcome.result.identifier)} is deleted; this workspace is disconnected from Novu.`
      : md`:x: Switchboard could not delete the Novu connection: ${failureSentence(outcome.error)}`,
    ...(outcome.status === 'failed' ? failureDetails(outcome.error) : []),
  );
}

export function auditListMessage(entries: AuditEntry[]): EphemeralMessage {
  if (entries.length === 0) return ephemeral(md`Nothing in the audit log for this workspace yet.`);
  const lines = entries.map(auditListLine);
  const blocks: KnownBlock[] = [header('Recent changes')];
  for (let index = 0; index < lines.length; index += 10) blocks.push(section(joinMd(lines.slice(index, index + 10), '\n')));
  blocks.push(context(md`The ${entries.length} latest entries for this workspace.`));
  return ephemeral(md`Recent changes (${entries.length})`, blocks);
}
