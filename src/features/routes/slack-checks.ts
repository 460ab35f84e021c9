import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { type Mrkdwn, md } from '../../slack/mrkdwn.js';
import type { Tenant } from '../../tenancy/tenant.js';

/** What the bot can do in a conversation, from `conversations.info` with its own token. */
export type ChannelStanding =
  | { kind: 'member'; channelId: string; name: string }
  /** Public, the bot not in it: it may post (chat:write.public), and joins first when asked. */
  | { kind: 'public'; channelId: string; name: string }
  /** Private (or not visible to the bot at all): someone must invite it. */
  | { kind: 'invite'; channelId: string }
  | { kind: 'archived'; channelId: string; name: string }
  /** A direct message: people are reached with a user link instead. */
  | { kind: 'direct'; channelId: string };

const channelInfo = z.object({
  channel: z
    .object({
      id: z.string(),
      name: z.string().nullish(),
      is_im: z.boolean().nullish(),
      is_mpim: z.boolean().nullish(),
      is_private: z.boolean().nullish(),
      is_archived: z.boolean().nullish(),
      is_member: z.boolean().nullish(),
    })
    .loose(),
});

const slackErrorOf = (error: unknown) => (error as { data?: { error?: string } }).data?.error;

/** Slack's answer; undefined when Slack answers `notFound`. */
function unlessSlackSays<T>(notFound: string, call: Promise<T>): Promise<T | undefined> {
  return call.catch((error: unknown) => {
    if (slackErrorOf(error) === notFound) return undefined;
    throw error;
  });
}

/**
 * Slack shows a bot only the private channels it was invited to: `channel_not_found` means
 * "invite it" (or a channel of another workspace, which the bot cannot reach either way).
 */
export async function channelStanding(client: WebClient, channelId: string): Promise<ChannelStanding> {
  if (/^D/.test(channelId)) return { kind: 'direct', channelId };
  const answer = await unlessSlackSays('channel_not_found', client.conversations.info({ channel: channelId }));
  if (!answer) return { kind: 'invite', channelId };
  const { channel } = channelInfo.parse(answer);
  const name = channel.name ?? channelId;
  if (channel.is_im || channel.is_mpim) return { kind: 'direct', channelId };
  if (channel.is_archived) return { kind: 'archived', channelId, name };
  if (channel.is_member) return { kind: 'member', channelId, name };
  return channel.is_private ? { kind: 'invite', channelId } : { kind: 'public', channelId, name };
}

/** Joins a public channel; Slack's error code when it cannot. */
export function joinChannel(client: WebClient, channelId: string): Promise<string | undefined> {
  return client.conversations.join({ channel: channelId }).then(
    () => undefined,
    (error: unknown) => slackErrorOf(error) ?? 'failed',
  );
}

const userInfo = z.object({
  user: z
    .object({
      id: z.string(),
      team_id: z.string().nullish(),
      deleted: z.boolean().nullish(),
      is_bot: z.boolean().nullish(),
      profile: z.object({ email: z.string().nullish() }).loose().nullish(),
      enterprise_user: z.object({ enterprise_id: z.string().nullish() }).loose().nullish(),
    })
    .loose(),
});

export interface TenantMember {
  userId: string;
  email: string | undefined;
}

/**
 * A person of the tenant (its workspace, or for an org-wide install its org), active and not a
 * bot; undefined otherwise. Asked of Slack with the tenant's own token, so another workspace's
 * people are never taken for the tenant's.
 */
export async function tenantMember(client: WebClient, tenant: Tenant, userId: string): Promise<TenantMember | undefined> {
  const answer = await unlessSlackSays('user_not_found', client.users.info({ user: userId }));
  if (!answer) return undefined;
  const { user } = userInfo.parse(answer);
  const inTenant = tenant.kind === 'enterprise' ? user.enterprise_user?.enterprise_id === tenant.id : user.team_id === tenant.id;
  if (!inTenant || user.deleted || user.is_bot) return undefined;
  return { userId: user.id, email: user.profile?.email ?? undefined };
}

/** Emails compare without case or surrounding spaces (Novu's search itself is exact). */
export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  return Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase());
}

/** Why Slack would not let Switchboard post, in plain words; Slack's own code belongs in a details line beside it. */
export function describePostFailure(slackError: string, where: Mrkdwn): Mrkdwn {
  switch (slackError) {
    case 'not_in_channel':
      return md`Switchboard is not in ${where}, so it cannot post there. Invite it with /invite, then send the test again.`;
    case 'channel_not_found':
      return md`Switchboard cannot see ${where}: it is private and Switchboard was not invited, or it was deleted.`;
    case 'is_archived':
      return md`${where} is archived: nothing can be posted there. Route the subscriber to another channel.`;
    case 'restricted_action':
    case 'restricted_action_read_only_channel':
      return md`Posting in ${where} is restricted by the workspace's settings.`;
    default:
      return md`Slack did not let Switchboard post in ${where}. Try again in a moment; if it keeps happening, check who may post in that channel.`;
  }
}
