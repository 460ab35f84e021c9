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
  archived?: boolean;
  /** User ids, bots' included. */
  members: Set<string>;
}

export interface Poster {
  botUserId: string;
  scopes: ReadonlySet<string>;
}

export class SlackChannels {
  private readonly channels = new Map<string, EmulatedChannel>();

  constructor() {
    this.add({ id: 'C0GENERAL', name: 'general', kind: 'public' });
  }

  add(channel: Omit<EmulatedChannel, 'members'> & { members?: Iterable<string> }): EmulatedChannel {
    const stored: EmulatedChannel = { ...channel, members: new Set(channel.members ?? []) };
    this.channels.set(channel.id, stored);
    return stored;
  }

  get(id: string): EmulatedChannel | undefined {
    return this.channels.get(id);
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

  /** Slack's error for a bot posting there, or undefined when it may. */
  refusalToPost(channelId: string, poster: Poster): string | undefined {
    const channel = this.channels.get(channelId);
    if (!channel) return 'channel_not_found';
    const member = channel.members.has(poster.botUserId);
    if (!member && channel.kind !== 'public') return 'channel_not_found';
    if (channel.archived) return 'is_archived';
    if (!member && !poster.scopes.has('chat:write.public')) return 'not_in_channel';
    return undefined;
  }
}
