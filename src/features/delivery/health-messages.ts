import type { Button, KnownBlock } from '@slack/types';
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
  if (outcome.status === 'failed') {
    return replyOf(title, md`:x: The delivery check could not finish: ${outcome.error}`);
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
  switch (finding.kind) {
    case 'missing-in-novu':
      return md`Novu no longer has it.`;
    case 'context-differs':
      return md`Novu holds it under another context${detail}: triggers in this workspace’s context skip it.`;
    case 'connection-differs':
      return md`It is bound to another integration or connection${detail}, so Novu would not post with this workspace’s token.`;
    case 'integration-inactive':
      return md`Its integration is not active in Novu${detail}.`;
    case 'channel-archived':
      return md`The channel is archived: nothing can be posted there.`;
    case 'channel-not-visible':
      return md`Switchboard is not in this private channel (or cannot see it): invite it with \`/invite @Switchboard\`.`;
    case 'not-in-channel':
      return md`Switchboard is not in this public channel, and this install may post only where it is a member.`;
    case 'person-gone':
      return md`The person is no longer an active member of this workspace.`;
    case 'subscriber-gone':
      return md`Novu has no subscriber ${subscriber} anymore.`;
    case 'no-phone':
      return md`Novu’s SMS goes to the subscriber’s own phone, and ${subscriber} has none in Novu.`;
    case 'other-phone':
      return md`Novu sends ${subscriber}’s SMS to ${code(finding.phone ?? '')}, another number.`;
  }
}

function findingFix(finding: EndpointFinding, index: number): { accessory?: Button } {
  const identifier = finding.endpoint.identifier;
  const fix = (label: string, request: FixRequest, confirm?: ReturnType<typeof confirmDialog>) =>
    button(label, `${deliveryActions.fix}:${index}`, { value: JSON.stringify(request), style: 'primary', confirm });
  const remove = () => {
    const actionId = finding.endpoint.type === 'phone' ? `${phoneActions.remove}:${index}` : `${routeActions.remove}:${index}`;
    return button('Remove', actionId, {
      value: identifier,
      style: 'danger',
      confirm: confirmDialog('Remove it?', md`Novu stops delivering ${finding.endpoint.subscriberId}’s notifications there.`, 'Remove'),
    });
  };
  switch (finding.kind) {
    case 'missing-in-novu':
      return { accessory: fix('Write it again', { fix: 'move', identifier }) };
    case 'context-differs':
    case 'connection-differs':
      return { accessory: fix('Move it', { fix: 'move', identifier }) };
    case 'not-in-channel':
      return { accessory: fix('Join the channel', { fix: 'join', identifier }) };
    case 'channel-archived':
    case 'person-gone':
    case 'subscriber-gone':
      return { accessory: remove() };
    case 'no-phone':
      return { accessory: fix('Set it', { fix: 'set-phone', identifier, expected: null }) };
    case 'other-phone':
      return {
        accessory: fix(
          'Use this number',
          { fix: 'set-phone', identifier, expected: finding.phone ?? null },
          confirmDialog(
            'Replace the subscriber’s phone?',
            md`Novu will send ${finding.endpoint.subscriberId}’s SMS to ${finding.endpoint.target} instead of ${finding.phone ?? ''}.`,
            'Replace',
            'primary',
          ),
        ),
      };
    default:
      return {};
  }
}
