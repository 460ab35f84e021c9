import type { Button, ConfirmationDialog, KnownBlock } from '@slack/types';
import type { JobFinish } from '../../jobs/queue.js';
import { button, confirmDialog, context, header, section } from '../../slack/blocks.js';
import { code, type Mrkdwn, md, slackDate } from '../../slack/mrkdwn.js';
import { type Reply, replyOf } from '../../slack/replies.js';
import { connectActions } from '../connect/messages.js';
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
  if (outcome.status === 'failed') return replyOf(title, md`:x: The delivery check could not finish: ${outcome.error}`);
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
  if (report.connection) blocks.push(...connectionBlocks(report.connection));
  report.findings.slice(0, shownFindings).forEach((finding, index) => {
    blocks.push(section(md`${describeEndpoint(finding.endpoint)}\n${findingText(finding)}`, findingFix(finding, index)));
  });
  const hidden = report.findings.length - Math.min(report.findings.length, shownFindings) + report.more;
  if (hidden > 0) blocks.push(context(md`…and ${hidden} more. Fix these, then check again.`));
  blocks.push(context(md`Checked ${slackDate(report.checkedAt)}.`));
  return blocks;
}

function connectionBlocks(finding: ConnectionFinding): KnownBlock[] {
  const detail = finding.detail ? md` (${finding.detail.slice(0, 300)})` : '';
  const texts: Record<ConnectionFinding['kind'], Mrkdwn> = {
    'not-connected': md`This workspace has no Novu connection: Novu cannot post anywhere in it.`,
    'in-progress': md`The connection is being written right now; check again in a moment.`,
    'write-failed': md`The last write of the connection failed${detail}.`,
    'missing-in-novu': md`Novu no longer has this workspace’s connection, so every route would post without a token.`,
    'context-differs': md`Novu holds the connection under another context${detail}, so no trigger in this workspace’s context finds it.`,
    'other-workspace': md`Novu says the connection belongs to another Slack workspace${detail}.`,
    'integration-inactive': md`Its Novu integration cannot post into Slack${detail}. Choose another with \`/connect setup\`.`,
    'token-refused': md`Slack refuses this workspace’s bot token${detail}: install Switchboard again.`,
  };
  const fixes: Partial<Record<ConnectionFinding['kind'], Button>> = {
    'not-connected': button('Set up', connectActions.openSetup, { style: 'primary' }),
    'write-failed': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
    'missing-in-novu': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
    'context-differs': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
    'other-workspace': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
  };
  const fix = fixes[finding.kind];
  return [section(md`*Connection*\n${texts[finding.kind]}`, fix ? { accessory: fix } : {})];
}

function findingText(finding: EndpointFinding): Mrkdwn {
  const detail = finding.detail ? md` (${finding.detail.slice(0, 200)})` : '';
  const subscriber = code(finding.endpoint.subscriberId);
  const texts: Record<EndpointFinding['kind'], Mrkdwn> = {
    'missing-in-novu': md`Novu no longer has it.`,
    'context-differs': md`Novu holds it under another context${detail}: triggers in this workspace’s context skip it.`,
    'connection-differs': md`It is bound to another integration or connection${detail}, so Novu would not post with this workspace’s token.`,
    'integration-inactive': md`Its integration is not active in Novu${detail}.`,
    'channel-archived': md`The channel is archived: nothing can be posted there.`,
    'channel-not-visible': md`Switchboard is not in this private channel (or cannot see it): invite it with \`/invite @Switchboard\`.`,
    'not-in-channel': md`Switchboard is not in this public channel, and this install may post only where it is a member.`,
    'person-gone': md`The person is no longer an active member of this workspace.`,
    'subscriber-gone': md`Novu has no subscriber ${subscriber} anymore.`,
    'no-phone': md`Novu’s SMS goes to the subscriber’s own phone, and ${subscriber} has none in Novu.`,
    'other-phone': md`Novu sends ${subscriber}’s SMS to ${code(finding.phone ?? '')}, another number.`,
  };
  return texts[finding.kind];
}

function findingFix(finding: EndpointFinding, index: number): { accessory?: Button } {
  const { identifier, subscriberId, target, type } = finding.endpoint;
  const fix = (label: string, request: FixRequest, confirm?: ConfirmationDialog) =>
    button(label, `${deliveryActions.fix}:${index}`, { value: JSON.stringify(request), style: 'primary', confirm });
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
  const fixes: Partial<Record<EndpointFinding['kind'], Button>> = {
    'missing-in-novu': fix('Write it again', { fix: 'move', identifier }),
    'context-differs': fix('Move it', { fix: 'move', identifier }),
    'connection-differs': fix('Move it', { fix: 'move', identifier }),
    'not-in-channel': fix('Join the channel', { fix: 'join', identifier }),
    'channel-archived': remove,
    'person-gone': remove,
    'subscriber-gone': remove,
    'no-phone': fix('Set it', { fix: 'set-phone', identifier, expected: null }),
    'other-phone': fix('Use this number', { fix: 'set-phone', identifier, expected: finding.phone ?? null }, replace),
  };
  const accessory = fixes[finding.kind];
  return accessory ? { accessory } : {};
}
