import type { JobFinish } from '../../jobs/queue.js';
import { actions, context, section } from '../../slack/blocks.js';
import { code, joinMd, type Mrkdwn, md, mentionChannel, mentionUser } from '../../slack/mrkdwn.js';
import { type Reply, replyOf } from '../../slack/replies.js';
import { failureDetails, failureSentence } from '../failure-messages.js';
import { describePostFailure } from '../routes/slack-checks.js';
import { testButton } from './actions.js';
import { contextJson, describeEndpoint } from './messages.js';
import type { EndpointLabel, TestResult } from './model.js';
import type { Verdict, VerdictOutcome } from './verdict.js';

const title = 'Test through Novu';

/** While Novu works on it. */
export function testingReply(endpoint: EndpointLabel): Reply {
  return replyOf(
    title,
    md`:hourglass_flowing_sand: Testing ${describeEndpoint(endpoint)} through Novu: Switchboard triggered a test notification and is following Novu’s record of it.`,
  );
}

/** A test is already on its way for this endpoint. */
export function alreadyTestingReply(): Reply {
  return replyOf(title, md`:hourglass_flowing_sand: A test of this is already on its way; its result follows.`);
}

/** The same words whether the endpoint is another workspace's or does not exist. */
export function notYoursReply(): Reply {
  return replyOf(title, md`:grey_question: There is no such route or phone endpoint in this workspace (it may have been removed).`);
}

export function testResultMessage(outcome: JobFinish<TestResult>['outcome']): Reply {
  if (outcome.status === 'failed') {
    const text = md`:x: The test could not be run: ${failureSentence(outcome.error)}`;
    return replyOf(title, text, [section(text), ...failureDetails(outcome.error)]);
  }
  const { verdict, endpoint, context: keys } = outcome.result;
  const text = verdictText(outcome.result);
  return replyOf(title, text, [section(text), context(detailsLine(verdict, keys)), actions('delivery-test-again', [testButton(endpoint.identifier)])]);
}

function verdictText(result: TestResult): Mrkdwn {
  const { verdict, endpoint, integration, context: keys } = result;
  if (verdict.outcome === 'delivered') return deliveredText(result);
  const where = describeEndpoint(endpoint);
  const subscriber = code(endpoint.subscriberId);
  const slackTarget = endpoint.type === 'slack_channel' ? mentionChannel(endpoint.target) : mentionUser(endpoint.target);
  const texts: Record<Exclude<VerdictOutcome, 'delivered'>, Mrkdwn> = {
    'no-route': md`:x: Not delivered: Novu found nothing of ${subscriber} in this workspace’s context (${code(contextJson(keys))}), so it sent nothing. \`/connect check\` finds routes and endpoints written in another context and moves them.`,
    'not-selected': md`:x: Not delivered to ${where}: Novu delivered the test to ${subscriber}’s other routes, but did not select this one — its context or integration differs from this workspace’s. \`/connect check\` can fix it.`,
    'no-connection': md`:x: Not delivered to ${where}: Novu found no connection for this route in this workspace’s context, so it posted without a token and Slack refused it. \`/connect check\` can reconnect it.`,
    'token-refused': md`:x: Not delivered to ${where}: Slack refused the token Novu holds for this workspace. Reconnect from \`/connect\`, or install Switchboard again.`,
    'slack-refused': md`:x: Not delivered: ${describePostFailure(verdict.slackError ?? 'failed', slackTarget)}`,
    'provider-error': md`:x: Not delivered to ${where}: Novu’s provider failed. What it said is below.`,
    'integration-inactive': md`:x: Not delivered to ${where}: the integration ${code(integration)} is not active in Novu, so Novu does not use it. Activate it in Novu, or register on another integration.`,
    'no-phone': md`:x: Not delivered: ${subscriber} has no phone number in Novu, and Novu’s SMS step sends only to the subscriber’s own phone (never to a phone endpoint). Register ${code(endpoint.target)} again with \`/phone register\` to set it.`,
    'other-phone': md`:warning: Not delivered to ${code(endpoint.target)}: Novu sends ${subscriber}’s SMS to their phone in Novu, ${code(verdict.phone ?? '')}, which is another number. Register ${code(endpoint.target)} again with \`/phone register\` to replace it.`,
    'not-processed': md`:hourglass: Novu took the test but had not finished with it when Switchboard stopped following it. Novu’s activity feed shows it under the transaction below.`,
    'trigger-refused': md`:x: Novu did not take the test trigger, so nothing was sent. Its answer is below; \`/connect check\` finds what is wrong with the connection or the routes.`,
  };
  return texts[verdict.outcome];
}

function deliveredText({ verdict, endpoint, integration, channel }: TestResult): Mrkdwn {
  const subscriber = code(endpoint.subscriberId);
  if (endpoint.type === 'slack_channel') return md`:white_check_mark: Delivered: Novu posted the test in ${mentionChannel(endpoint.target)} for ${subscriber}.`;
  if (endpoint.type === 'slack_user')
    return md`:white_check_mark: Delivered: Novu sent the test to ${mentionUser(endpoint.target)} as a direct message, for ${subscriber}.`;
  return channel === 'sms'
    ? md`:white_check_mark: Delivered: Novu sent the test SMS to ${code(verdict.phone ?? endpoint.target)} through ${code(integration)}, for ${subscriber}.`
    : md`:white_check_mark: Delivered: Novu sent the test to ${code(endpoint.target)} through ${code(integration)}, for ${subscriber}.`;
}

/** The vendor's words, behind the sentence: the transaction, the context, Novu's execution details. */
function detailsLine(verdict: Verdict, keys: string[]): Mrkdwn {
  const parts = [md`Novu transaction ${code(verdict.transactionId)}`, md`context ${code(contextJson(keys))}`];
  if (verdict.slackError) parts.push(md`Slack: ${code(verdict.slackError)}`);
  if (verdict.error && verdict.outcome === 'provider-error') parts.push(md`provider: ${verdict.error.slice(0, 300)}`);
  if (verdict.error && verdict.outcome === 'trigger-refused') parts.push(md`trigger status ${code(verdict.error.slice(0, 100))}`);
  if (verdict.details.length > 0) parts.push(md`Novu: ${[...new Set(verdict.details)].join(' → ').slice(0, 500)}`);
  return joinMd(parts, ' · ');
}
