import type { Installation } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logging/logger.js';
import type { Store, StoredInstallation, WorkspaceKey } from '../store/types.js';
import type { Installations } from './installations.js';

/**
 * Bolt refreshes a rotating token when it has less than 2 hours left. We refresh a little earlier,
 * once per workspace across all replicas (a store-wide lock), so Bolt never races itself: two
 * refreshes with the same refresh token leave one of the stored tokens invalid.
 */
const refreshWindowSeconds = 2 * 3600 + 5 * 60;

export class TokenRefresher {
  constructor(
    private readonly store: Store,
    private readonly installations: Installations,
    private readonly slack: WebClient,
    private readonly credentials: { clientId: string; clientSecret: string },
    private readonly logger: Logger,
    /** False when Novu refreshes the tokens (NOVU_TOKEN_ROTATION=novu). */
    private readonly enabled = true,
  ) {}

  needsRefresh(installation: Installation, nowSeconds = Date.now() / 1000): boolean {
    if (!this.enabled) return false;
    const bot = installation.bot;
    return Boolean(bot?.refreshToken && bot.expiresAt !== undefined && bot.expiresAt - nowSeconds <= refreshWindowSeconds);
  }

  /** Returns the installation with a fresh bot token; on failure, the one it had (and logs why). */
  async refresh(workspaceKey: WorkspaceKey): Promise<StoredInstallation | undefined> {
    try {
      return await this.store.withLock(`token-refresh:${workspaceKey}`, async () => {
        // Read past the cache: another replica may have refreshed while we waited for the lock.
        const current = await this.store.installations.find(workspaceKey);
        if (!current || !this.needsRefresh(current.installation)) return current;
        return this.installations.save(await this.exchange(current.installation), 'rotation');
      });
    } catch (error) {
      this.logger.error({ err: error, workspaceKey }, 'could not refresh the bot token');
      return this.store.installations.find(workspaceKey);
    }
  }

  /** Refreshes every token that would otherwise expire before the next sweep; for idle workspaces. */
  async sweep(lookAheadMs: number): Promise<number> {
    if (!this.enabled) return 0;
    const due = await this.store.installations.expiringBefore(Date.now() + refreshWindowSeconds * 1000 + lookAheadMs, 100);
    for (const workspaceKey of due) await this.refresh(workspaceKey);
    return due.length;
  }

  private async exchange(installation: Installation): Promise<Installation> {
    const bot = installation.bot;
    if (!bot?.refreshToken) return installation;
    const response = await this.slack.oauth.v2.access({
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: bot.refreshToken,
    });
    if (!response.access_token || !response.refresh_token || response.expires_in === undefined) {
      throw new Error('Slack answered the token refresh without a token');
    }
    this.logger.info({ workspace: installation.team?.id ?? installation.enterprise?.id }, 'bot token rotated');
    return {
      ...installation,
      bot: {
        ...bot,
        token: response.access_token,
        refreshToken: response.refresh_token,
        expiresAt: Math.floor(Date.now() / 1000) + response.expires_in,
      },
    };
  }
}
