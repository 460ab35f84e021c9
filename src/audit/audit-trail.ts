import type { Logger } from '../logging/logger.js';
import type { BotClients } from '../slack/bot-clients.js';
import type { AuditEntry, NewAuditEntry, Store, WorkspaceKey } from '../store/types.js';
import { teamKey } from '../store/workspace-key.js';
import { auditChannelLine } from './messages.js';

export interface AuditChannel {
  channelId: string;
  /** The workspace the channel lives in; without it, the workspace where the write happened. */
  workspaceKey?: WorkspaceKey;
}

/** `C…` or `T…:C…` (a channel in a given workspace). */
export function parseAuditChannel(value: string | undefined): AuditChannel | undefined {
  if (!value) return undefined;
  const [first, second] = value.split(':');
  if (second && first) return { channelId: second, workspaceKey: teamKey(first) };
  return first ? { channelId: first } : undefined;
}

/** Every write and every refusal, kept in the store and (optionally) posted to an audit channel. */
export class AuditTrail {
  private bots: BotClients | undefined;
  private readonly pendingPosts = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly channel: AuditChannel | undefined,
  ) {}

  /** The audit channel needs bot tokens, which need the installations, which audit: connected after construction. */
  attachBotClients(bots: BotClients): void {
    this.bots = bots;
  }

  /**
   * `toChannel: false` keeps the entry out of the audit channel (the log still has it): a bulk
   * run's rows, whose run posts its own start and end lines.
   */
  async record(entry: NewAuditEntry, { toChannel = true } = {}): Promise<AuditEntry | undefined> {
    try {
      const saved = await this.store.audit.append(entry);
      this.logger.info({ audit: { action: saved.action, outcome: saved.outcome, target: saved.target, backendId: saved.backendId } }, 'audit');
      if (toChannel) this.postToChannel(saved);
      return saved;
    } catch (error) {
      // Losing an audit line must not fail the user's action; it is logged instead.
      this.logger.error({ err: error, action: entry.action }, 'could not write the audit log');
      return undefined;
    }
  }

  /** Waits for audit-channel posts in flight (shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pendingPosts]);
  }

  private postToChannel(entry: AuditEntry): void {
    const workspaceKey = this.channel?.workspaceKey ?? entry.workspaceKey;
    if (!this.channel || !this.bots || !workspaceKey || entry.outcome === 'refused') return;
    const post = this.bots.postToChannel(workspaceKey, this.channel.channelId, { text: auditChannelLine(entry).text });
    this.pendingPosts.add(post);
    void post.finally(() => this.pendingPosts.delete(post));
  }
}
