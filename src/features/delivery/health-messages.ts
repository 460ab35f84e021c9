import type { Button, ConfirmationDialog, KnownBlock } from '@slack/types';
import type { JobFinish } from '../../jobs/queue.js';
import { button, confirmDialog, context, header, section } from '../../slack/blocks.js';
import { code, type Mrkdwn, md, slackDate } from '../../slack/mrkdwn.js';
import { type Reply, replyOf } from '../../slack/replies.js';
import { connectActions } from '../connect/messages.js';
import { failureDetails, failureSentence } from '../failure-messages.js';
import { failureLine } from '../failure-text.js';
import { phoneActions } from '../phone/messages.js';
import { routeActions } from '../routes/messages.js';
import { deliveryActions } from './actions.js';
import { describeEndpoint, triggerContextLine } from './messages.js';
import type { ConnectionFinding, DeliveryReport, EndpointFinding, FixRequest } from './model.js';

const title = 'Delivery check';
/** Findings shown in one message; Slack takes 50 blocks. */
const shownFindings = 20;

export function checkingReply(): Reply {
  return replyOf(title, md`:hourglass_flowing_sand: Checking the connection and every route and phone endpoint of this workspace, in Novu and in Slack…`);
}

export function checkReply(outcome: JobFinish<DeliveryReport>['outcome']): Reply {
  if (outcome.status === 'failed') {
    const text = md`:x: The delivery check could not finish: ${failureSentence(outcome.error)}`;
    return replyOf(title, text, [section(text), ...failureDetails(outcome.error)]);
  }
  return replyOf(title, summaryText(outcome.result), reportBlocks(outcome.result));
}

/** One sentence: would everything deliver, or how much would not. */
export function summaryText(report: DeliveryReport): Mrkdwn {
  const total = report.findings.length + report.more;
  const counted = report.endpoints === 1 ? 'the one route or phone endpoint' : `all ${report.endpoints} routes and phone endpoints`;
  if (!report.connection && total === 0) {
    return report.endpoints === 0
      ? md`:white_check_mark: The connection would deliver; there are no routes or phone endpoints yet.`
      : md`:white_check_mark: The connection and ${counted} would deliver.`;
  }
  const parts = [report.connection ? 'the connection' : '', total > 0 ? `${total} of ${report.endpoints} routes and phone endpoints` : ''].filter(Boolean);
  return md`:warning: Would not deliver: ${parts.join(' and ')}.`;
}

export function reportBlocks(report: DeliveryReport): KnownBlock[] {
  const blocks: KnownBlock[] = [header(title), section(summaryText(report)), context(triggerContextLine(report.context))];
  if (report.connection) blocks.push(connectionBlock(report.connection));
  blocks.push(...report.findings.slice(0, shownFindings).map(findingBlock));
  const hidden = report.findings.length - Math.min(report.findings.length, shownFindings) + report.more;
  if (hidden > 0) blocks.push(context(md`…and ${hidden} more. Fix these, then check again.`));
  blocks.push(context(md`Checked ${slackDate(report.checkedAt)}.`));
  return blocks;
}

/** What is said of a finding, and the button that fixes it where Switchboard can. */
type Said = [text: Mrkdwn, fix?: Button];

function connectionBlock(finding: ConnectionFinding): KnownBlock {
  const detail = finding.detail ? md` (${failureLine(finding.detail).slice(0, 300)})` : '';
  const reconnect = button('Reconnect', connectActions.reconnect, { style: 'primary' });
  const said: Record<ConnectionFinding['kind'], Said> = {
    'not-connected': [
      md`This workspace has no Novu connection: Novu cannot post anywhere in it.`,
      button('Set up', connectActions.openSetup, { style: 'primary' }),
    ],
    'in-progress': [md`The connection is being written right now; check again in a moment.`],
    'write-failed': [md`The last write of the connection failed${detail}.`, reconnect],
    'missing-in-novu': [md`Novu no longer has this workspace’s connection, so every route would post without a token.`, reconnect],
    'context-differs': [md`Novu holds the connection under another context${detail}, so no trigger in this workspace’s context finds it.`, reconnect],
    'other-workspace': [md`Novu says the connection belongs to another Slack workspace${detail}.`, reconnect],
    'integration-inactive': [md`Its Novu integration cannot post into Slack${detail}. Choose another with \`/connect setup\`.`],
    'token-refused': [md`Slack refuses this workspace’s bot token${detail}: install Switchboard again.`],
  };
  const [text, fix] = said[finding.kind];
  return section(md`*Connection*\n${text}`, fix ? { accessory: fix } : {});
}

function findingBlock(finding: EndpointFinding, index: number): KnownBlock {
  const { identifier, subscriberId, target, type } = finding.endpoint;
  const detail = finding.detail ? md` (${failureLine(finding.detail).slice(0, 200)})` : '';
  const subscriber = code(subscriberId);
  const fix = (label: string, request: FixRequest, confirm?: ConfirmationDialog) =>
    button(label, `${deliveryActions.fix}:${index}`, { value: JSON.stringify(request), style: 'primary', confirm });
  const move = fix('Move it', { fix: 'move', identifier });
  const remove = button('Remove', `${type === 'phone' ? phoneActions.remove : routeActions.remove}:${index}`, {
    value: identifier,
    style: 'danger',
    confirm: confirmDialog('Remove it?', md`Novu stops delivering ${subscriberId}’s notifications there.`, 'Remove'),
  });
  const phone = finding.phone ?? '';
  const replace = confirmDialog(
    'Replace the subscriber’s phone?',
    md`Novu will send ${subscriberId}’s SMS to ${target} instead of ${phone}.`,
    'Replace',
    'primary',
  );
  const said: Record<EndpointFinding['kind'], Said> = {
    'missing-in-novu': [md`Novu no longer has it.`, fix('Write it again', { fix: 'move', identifier })],
    'context-differs': [md`Novu holds it under another context${detail}: triggers in this workspace’s context skip it.`, move],
    'connection-differs': [md`It is bound to another integration or connection${detail}, so Novu would not post with this workspace’s token.`, move],
    'integration-inactive': [md`Its integration is not active in Novu${detail}.`],
    'channel-archived': [md`The channel is archived: nothing can be posted there.`, remove],
    'channel-not-visible': [md`Switchboard is not in this private channel (or cannot see it): invite it with \`/invite @Switchboard\`.`],
    'not-in-channel': [
      md`Switchboard is not in this public channel, and this install may post only where it is a member.`,
      fix('Join the channel', { fix: 'join', identifier }),
    ],
    'person-gone': [md`The person is no longer an active member of this workspace.`, remove],
    'subscriber-gone': [md`Novu has no subscriber ${subscriber} anymore.`, remove],
    'no-phone': [
      md`Novu’s SMS goes to the subscriber’s own phone, and ${subscriber} has none in Novu.`,
      fix('Set it', { fix: 'set-phone', identifier, expected: null }),
    ],
    'other-phone': [
      md`Novu sends ${subscriber}’s SMS to ${code(phone)}, another number.`,
      fix('Use this number', { fix: 'set-phone', identifier, expected: finding.phone ?? null }, replace),
    ],
  };
  const [text, accessory] = said[finding.kind];
  return section(md`${describeEndpoint(finding.endpoint)}\n${text}`, accessory ? { accessory } : {});
}
