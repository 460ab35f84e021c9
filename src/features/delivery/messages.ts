import type { JobFinish } from '../../jobs/queue.js';
import { sectionMessage } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { code, joinMd, type Mrkdwn, md, mentionChannel, mentionUser } from '../../slack/mrkdwn.js';
import { type Reply, replyOf } from '../../slack/replies.js';
import { plural } from '../../util/plural.js';
import { failureDetails, failureSentence } from '../failure-messages.js';
import type { EndpointLabel, MoveResult } from './model.js';

/** `#channel for sub-1`, `@person (direct messages) for sub-1`, `+1 415… for sub-1`: ids only where Slack turns them into names. */
export function describeEndpoint(endpoint: EndpointLabel): Mrkdwn {
  const where =
    endpoint.type === 'slack_channel'
      ? mentionChannel(endpoint.target)
      : endpoint.type === 'slack_user'
        ? md`${mentionUser(endpoint.target)} (direct messages)`
        : code(endpoint.target);
  return md`${where} for ${code(endpoint.subscriberId)}`;
}

/** A check, test or fix the store did not take in time: nothing may have started, and a second click is done once. */
export function notSavedReply(title: string, text: string): Reply {
  return replyOf(title, md`:warning: ${text}`);
}

/** Up to `limit` endpoints as bullet lines, and how many more there are. */
export function endpointLines<T extends EndpointLabel>(endpoints: T[], limit = 10, extra?: (endpoint: T) => Mrkdwn): Mrkdwn {
  const lines = endpoints.slice(0, limit).map((endpoint) => md`• ${describeEndpoint(endpoint)}${extra ? extra(endpoint) : ''}`);
  if (endpoints.length > limit) lines.push(md`…and ${endpoints.length - limit} more`);
  return joinMd(lines, '\n');
}

/** The context object an integrator's trigger must carry, as JSON. */
export function contextJson(keys: readonly string[]): string {
  const context = Object.fromEntries(keys.map((key) => [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)]));
  return JSON.stringify(context);
}

/** The line an integrator needs: what every trigger must carry to reach this workspace. */
export function triggerContextLine(keys: readonly string[]): Mrkdwn {
  return md`Triggers reach this workspace’s routes and phone endpoints only with ${code(`"context": ${contextJson(keys)}`)} in \`POST /v1/events/trigger\`.`;
}

/** Told to whoever changed the connection, when its routes and endpoints have moved with it. */
export function movedDirectMessage(outcome: JobFinish<MoveResult>['outcome']): SlackMessage {
  if (outcome.status !== 'failed') return sectionMessage(movedText(outcome.result));
  return sectionMessage(
    md`:x: Switchboard could not move this workspace’s routes and phone endpoints to the connection’s new context: ${failureSentence(outcome.error)}\nRun \`/connect check\` to see what still would not deliver.`,
    ...failureDetails(outcome.error),
  );
}

function movedText({ moved, failed, context }: MoveResult): Mrkdwn {
  const lines = [
    moved.length > 0
      ? md`:white_check_mark: Moved ${plural(moved.length, 'route or phone endpoint', 'routes and phone endpoints')} to this workspace’s context, ${code(contextJson(context))}:\n${endpointLines(moved)}`
      : md`:white_check_mark: Every route and phone endpoint of this workspace is in its context.`,
  ];
  if (failed.length > 0) {
    const failures = endpointLines(failed, 10, (endpoint) => md` — ${failureSentence(endpoint.reason)}`);
    lines.push(
      md`:warning: ${plural(failed.length, 'was', 'were')} not moved, and will not receive notifications until fixed (\`/connect check\`):\n${failures}`,
    );
  }
  lines.push(md`Triggers must now send ${code(`context: ${contextJson(context)}`)} to reach them.`);
  return joinMd(lines, '\n\n');
}
