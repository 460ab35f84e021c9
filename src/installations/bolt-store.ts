import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { workspaceKeyOfQuery } from '../store/workspace-key.js';
import type { Installations } from './installations.js';
import type { TokenRefresher } from './token-refresher.js';

/**
 * The OAuth callback marks the installation it is about to store (Bolt passes the same object from
 * `afterInstallation` to `storeInstallation`). Anything else Bolt stores is a token it refreshed
 * itself — a rotation, which Novu must hear of like our own.
 */
export class OAuthInstalls extends WeakSet<object> {
  mark(installation: object): void {
    this.add(installation);
  }
}

/**
 * Bolt's view of our installations: cached reads, single-flight token rotation, upserting writes.
 * When Novu owns rotation (NOVU_TOKEN_ROTATION=novu), Bolt is given no refresh token, so it
 * never refreshes either: a Slack refresh token works once, and Novu's copy must stay valid.
 */
export function boltInstallationStore(
  installations: Installations,
  refresher: TokenRefresher,
  options: { oauthInstalls: OAuthInstalls; novuRefreshes: boolean },
): InstallationStore {
  const forBolt = (installation: Installation): Installation =>
    options.novuRefreshes && installation.bot?.refreshToken
      ? { ...installation, bot: { ...installation.bot, refreshToken: undefined, expiresAt: undefined } }
      : installation;
  return {
    async storeInstallation(installation) {
      await installations.save(installation as Installation, options.oauthInstalls.has(installation) ? 'install' : 'rotation');
    },

    async fetchInstallation(query: InstallationQuery<boolean>) {
      const workspaceKey = workspaceKeyOfQuery(query);
      let stored = await installations.find(workspaceKey);
      if (stored && refresher.needsRefresh(stored.installation)) stored = await refresher.refresh(workspaceKey);
      if (!stored) throw new Error(`Switchboard is not installed in ${workspaceKey}`);
      const forUser = query.userId ? await installations.forUser(stored, query.userId) : undefined;
      return forBolt((forUser ?? stored).installation);
    },

    async deleteInstallation(query) {
      await installations.delete(workspaceKeyOfQuery(query));
    },
  };
}
