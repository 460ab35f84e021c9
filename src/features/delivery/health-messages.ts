import type { Button, KnownBlock } from '@slack/types';
import type { JobFinish } from '../../jobs/queue.js';
import { button, code, confirmDialog, context, escapeMrkdwn, header, section, slackDate } from '../../slack/blocks.js';
import type { Reply } from '../../slack/replies.js';
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
  const text = ':hourglass_flowing_sand: Checking the connection and every route and phone endpoint of this workspace, in Novu and in Slack…';
  return { title, text, blocks: [section(text)] };
}

export function checkReply(outcome: JobFinish<DeliveryReport>['outcome']): Reply {
  if (outcome.status === 'failed') {
    const text = `:x: The delivery check could not finish: ${escapeMrkdwn(outcome.error)}`;
    return { title, text, blocks: [section(text)] };
  }
  return { title, text: summaryText(outcome.result), blocks: reportBlocks(outcome.result) };
}

/** One sentence: would everything deliver, or how much would not. */
export function summaryText(report: DeliveryReport): string {
  const total = report.findings.length + report.more;
  const counted = report.endpoints === 1 ? 'the one route or phone endpoint' : `all ${report.endpoints} routes and phone endpoints`;
  if (!report.connection && total === 0) {
    return report.endpoints === 0
      ? ':white_check_mark: The connection would deliver; there are no routes or phone endpoints yet.'
      : `:white_check_mark: The connection and ${counted} would deliver.`;
  }
  const parts = [report.connection ? 'the connection' : '', total > 0 ? `${total} of ${report.endpoints} routes and phone endpoints` : ''].filter(Boolean);
  return `:warning: Would not deliver: ${parts.join(' and ')}.`;
}

export function reportBlocks(report: DeliveryReport): KnownBlock[] {
  const blocks: KnownBlock[] = [header(title), section(summaryText(report)), context(triggerContextLine(report.context))];
  if (report.connection) blocks.push(...connectionBlocks(report.connection));
  report.findings.slice(0, shownFindings).forEach((finding, index) => {
    blocks.push(section(`${describeEndpoint(finding.endpoint)}\n${findingText(finding)}`, findingFix(finding, index)));
  });
  const hidden = report.findings.length - Math.min(report.findings.length, shownFindings) + report.more;
  if (hidden > 0) blocks.push(context(`…and ${hidden} more. Fix these, then check again.`));
  blocks.push(context(`Checked ${slackDate(report.checkedAt)}.`));
  return blocks;
}

function connectionBlocks(finding: ConnectionFinding): KnownBlock[] {
  const detail = finding.detail ? ` (${escapeMrkdwn(finding.detail.slice(0, 300))})` : '';
  const texts: Record<ConnectionFinding['kind'], string> = {
    'not-connected': 'This workspace has no Novu connection: Novu cannot post anywhere in it.',
    'in-progress': 'The connection is being written right now; check again in a moment.',
    'write-failed': `The last write of the connection failed${detail}.`,
    'missing-in-novu': 'Novu no longer has this workspace’s connection, so every route would post without a token.',
    'context-differs': `Novu holds the connection under another context${detail}, so no trigger in this workspace’s context finds it.`,
    'other-workspace': `Novu says the connection belongs to another Slack workspace${detail}.`,
    'integration-inactive': `Its Novu integration cannot post into Slack${detail}. Choose another with \`/connect setup\`.`,
    'token-refused': `Slack refuses this workspace’s bot token${detail}: install Switchboard again.`,
  };
  const fixes: Partial<Record<ConnectionFinding['kind'], Button>> = {
    'not-connected': button('Set up', connectActions.openSetup, { style: 'primary' }),
    'write-failed': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
    'missing-in-novu': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
    'context-differs': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
    'other-workspace': button('Reconnect', connectActions.reconnect, { style: 'primary' }),
  };
  const fix = fixes[finding.kind];
  return [section(`*Connection*\n${texts[finding.kind]}`, fix ? { accessory: fix } : {})];
}

function findingText(finding: EndpointFinding): string {
  const detail = finding.detail ? ` (${escapeMrkdwn(finding.detail.slice(0, 200))})` : '';
  const subscriber = code(finding.endpoint.subscriberId);
  switch (finding.kind) {
    case 'missing-in-novu':
      return 'Novu no longer has it.';
    case 'context-differs':
      return `Novu holds it under another context${detail}: triggers in this workspace’s context skip it.`;
    case 'connection-differs':
      return `It is bound to another integration or connection${detail}, so Novu would not post with this workspace’s token.`;
    case 'integration-inactive':
      return `Its integration is not active in Novu${detail}.`;
    case 'channel-archived':
      return 'The channel is archived: nothing can be posted there.';
    case 'channel-not-visible':
      return 'Switchboard is not in this private channel (or cannot see it): invite it with `/invite @Switchboard`.';
    case 'not-in-channel':
      return 'Switchboard is not in this public channel, and this install may post only where it is a member.';
    case 'person-gone':
      return 'The person is no longer an active member of this workspace.';
    case 'subscriber-gone':
      return `Novu has no subscriber ${subscriber} anymore.`;
    case 'no-phone':
      return `Novu’s SMS goes to the subscriber’s own phone, and ${subscriber} has none in Novu.`;
    case 'other-phone':
      return `Novu sends ${subscriber}’s SMS to ${code(finding.phone ?? '')}, another number.`;
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
      confirm: confirmDialog('Remove it?', `Novu stops delivering ${escapeMrkdwn(finding.endpoint.subscriberId)}’s notifications there.`, 'Remove'),
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
            `Novu will send ${escapeMrkdwn(finding.endpoint.subscriberId)}’s SMS to ${escapeMrkdwn(finding.endpoint.target)} instead of ${escapeMrkdwn(finding.phone ?? '')}.`,
            'Replace',
            'primary',
          ),
        ),
      };
    default:
      return {};
  }
}
