/**
 * Conversations as Slack keeps them, for the emulator: public and private channels, direct
 * messages, membership and archiving. `chat.postMessage` follows Slack's documented errors:
 * a bot posts where it is a member; in a public channel it is not in only with
 * `chat:write.public` (else `not_in_channel`); a private channel or someone else's DM it cannot
 * see at all (`channel_not_found`); an archived channel refuses everyone (`is_archived`).
 */
export interface EmulatedChannel {
  id: string;
  name: string;
  kind: 'public' | 'private' | 'im';
  teamId?: string;
  /** The Grid org of `teamId`: an org-wide install sees the channels of every workspace in it. */
  enterpriseId?: string;
  archived?: boolean;
  /** User ids, bots' included. */
  members: Set<string>;
}

export interface Poster {
  botUserId: string;
  scopes: ReadonlySet<string>;
  /** The installation's workspace, or its org for an org-wide install: other workspaces' channels do not exist for it. */
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
}

type Json = Record<string, any>;

/** The scope conversations.info needs for each kind of conversation (Slack's method page). */
const readScopes: Record<EmulatedChannel['kind'], string> = { public: 'channels:read', private: 'groups:read', im: 'im:read' };

export class SlackChannels {
  private readonly channels = new Map<string, EmulatedChannel>();

  constructor() {
    this.add({ id: 'C0GENERAL', name: 'general', kind: 'public' });
  }

  /** A channel of `teamId` (or of any workspace, when left out: the tests' single-workspace default). */
  add(channel: Omit<EmulatedChannel, 'members'> & { members?: Iterable<string> }): EmulatedChannel {
    const stored: EmulatedChannel = { ...channel, members: new Set(channel.members ?? []) };
    this.channels.set(channel.id, stored);
    return stored;
  }

  get(id: string): EmulatedChannel | undefined {
    return this.channels.get(id);
  }

  /** The channel as this installation can know it: channels of other workspaces are `channel_not_found`. */
  private visible(channelId: string, caller: Poster): EmulatedChannel | undefined {
    const channel = this.channels.get(channelId);
    if (!channel?.teamId || channel.kind === 'im') return channel;
    const sameWorkspace = caller.isEnterpriseInstall ? channel.enterpriseId === caller.enterpriseId : channel.teamId === caller.teamId;
    return sameWorkspace ? channel : undefined;
  }

  /** The bot's DM with a person (conversations.open): one per person, bot and person members. */
  directMessage(userId: string, botUserId: string): EmulatedChannel {
    const id = `D${userId.slice(1)}`;
    const existing = this.channels.get(id);
    if (existing) {
      existing.members.add(botUserId);
      return existing;
    }
    return this.add({ id, name: id, kind: 'im', members: [userId, botUserId] });
  }

  /** conversations.info: a private channel or DM the bot is not in does not exist, as far as it can tell. */
  info(channelId: string, caller: Poster): Json {
    const channel = this.visible(channelId, caller);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const needed = readScopes[channel.kind];
    if (!caller.scopes.has(needed)) return { ok: false, error: 'missing_scope', needed };
    if (channel.kind !== 'public' && !channel.members.has(caller.botUserId)) return { ok: false, error: 'channel_not_found' };
    return { ok: true, channel: this.describe(channel, caller) };
  }

  /** conversations.join: public channels only; joining twice warns `already_in_channel`. */
  join(channelId: string, caller: Poster): Json {
    if (!caller.scopes.has('channels:join')) return { ok: false, error: 'missing_scope', needed: 'channels:join' };
    const channel = this.visible(channelId, caller);
    if (!channel || (channel.kind !== 'public' && !channel.members.has(caller.botUserId))) return { ok: false, error: 'channel_not_found' };
    if (channel.kind !== 'public') return { ok: false, error: 'method_not_supported_for_channel_type' };
    if (channel.archived) return { ok: false, error: 'is_archived' };
    const already = channel.members.has(caller.botUserId);
    channel.members.add(caller.botUserId);
    return {
      ok: true,
      channel: this.describe(channel, caller),
      ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}),
    };
  }

  private describe(channel: EmulatedChannel, caller: Poster): Json {
    return {
      id: channel.id,
      name: channel.name,
      is_channel: channel.kind === 'public',
      is_group: channel.kind === 'private',
      is_im: channel.kind === 'im',
      is_mpim: false,
      is_private: channel.kind !== 'public',
      is_archived: Boolean(channel.archived),
      is_general: channel.name === 'general',
      is_member: channel.members.has(caller.botUserId),
      ...(channel.kind === 'im' ? { user: [...channel.members].find((member) => member !== caller.botUserId) } : {}),
    };
  }

  /** Slack's error for a bot posting there, or undefined when it may. */
  refusalToPost(channelId: string, poster: Poster): string | undefined {
    const channel = this.visible(channelId, poster);
    if (!channel) return 'channel_not_found';
    const member = channel.members.has(poster.botUserId);
    if (!member && channel.kind !== 'public') return 'channel_not_found';
    if (channel.archived) return 'is_archived';
    if (!member && !poster.scopes.has('chat:write.public')) return 'not_in_channel';
    return undefined;
  }
}
