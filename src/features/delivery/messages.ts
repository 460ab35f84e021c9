import type { JobFinish } from '../../jobs/queue.js';
import { code, escapeMrkdwn, section } from '../../slack/blocks.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { EndpointLabel, MoveResult } from './model.js';

/** `#channel for sub-1`, `@person (direct messages) for sub-1`, `+1 415… for sub-1`: ids only where Slack turns them into names. */
export function describeEndpoint(endpoint: EndpointLabel): string {
  const where =
    endpoint.type === 'slack_channel'
      ? `<#${endpoint.target}>`
      : endpoint.type === 'slack_user'
        ? `<@${endpoint.target}> (direct messages)`
        : code(endpoint.target);
  return `${where} for ${code(endpoint.subscriberId)}`;
}

/** Up to `limit` endpoints as bullet lines, and how many more there are. */
export function endpointLines(endpoints: EndpointLabel[], limit = 10, extra?: (endpoint: EndpointLabel) => string): string {
  const lines = endpoints.slice(0, limit).map((endpoint) => `• ${describeEndpoint(endpoint)}${extra ? extra(endpoint) : ''}`);
  if (endpoints.length > limit) lines.push(`…and ${endpoints.length - limit} more`);
  return lines.join('\n');
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The context object an integrator's trigger must carry, as JSON. */
export function contextJson(keys: readonly string[]): string {
  const context = Object.fromEntries(keys.map((key) => [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)]));
  return JSON.stringify(context);
}

/** The line an integrator needs: what every trigger must carry to reach this workspace. */
export function triggerContextLine(keys: readonly string[]): string {
  return `Triggers reach this workspace’s routes and phone endpoints only with \`"context": ${contextJson(keys)}\` in \`POST /v1/events/trigger\`.`;
}

/** Told to whoever changed the connection, when its routes and endpoints have moved with it. */
export function movedDirectMessage(outcome: JobFinish<MoveResult>['outcome']): SlackMessage {
  if (outcome.status === 'failed') {
    const text = `:x: Switchboard could not move this workspace’s routes and phone endpoints to the connection’s new context: ${escapeMrkdwn(outcome.error)}\nRun \`/connect check\` to see what still would not deliver.`;
    return { text, blocks: [section(text)] };
  }
  const { moved, failed, context } = outcome.result;
  const lines = [
    moved.length > 0
      ? `:white_check_mark: Moved ${plural(moved.length, 'route or phone endpoint', 'routes and phone endpoints')} to this workspace’s context, \`${contextJson(context)}\`:\n${endpointLines(moved)}`
      : ':white_check_mark: Every route and phone endpoint of this workspace is in its context.',
  ];
  if (failed.length > 0) {
    lines.push(
      `:warning: ${plural(failed.length, 'was', 'were')} not moved, and will not receive notifications until fixed (\`/connect check\`):\n${failureLines(failed)}`,
    );
  }
  lines.push(`Triggers must now send \`context: ${contextJson(context)}\` to reach them.`);
  const text = lines.join('\n\n');
  return { text, blocks: [section(text)] };
}

function failureLines(failed: MoveResult['failed']): string {
  const lines = failed.slice(0, 10).map((endpoint) => `• ${describeEndpoint(endpoint)} — ${escapeMrkdwn(endpoint.reason)}`);
  if (failed.length > 10) lines.push(`…and ${failed.length - 10} more`);
  return lines.join('\n');
}
