import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { workspaceKeyOfQuery } from '../store/workspace-key.js';
import type { Installations } from './installations.js';
import type { TokenRefresher } from './token-refresher.js';

/** Bolt's view of our installations: cached reads, single-flight token rotation, upserting writes. */
export function boltInstallationStore(installations: Installations, refresher: TokenRefresher): InstallationStore {
  return {
    async storeInstallation(installation) {
      await installations.save(installation as Installation);
    },

    async fetchInstallation(query: InstallationQuery<boolean>) {
      const workspaceKey = workspaceKeyOfQuery(query);
      let stored = await installations.find(workspaceKey);
      if (stored && refresher.needsRefresh(stored.installation)) stored = await refresher.refresh(workspaceKey);
      if (!stored) throw new Error(`Switchboard is not installed in ${workspaceKey}`);
      if (query.userId && query.userId !== stored.installation.user.id && stored.installation.user.token) {
        const forUser = await installations.findForUser(workspaceKey, query.userId);
        if (forUser) return forUser.installation;
      }
      return stored.installation;
    },

    async deleteInstallation(query) {
      await installations.delete(workspaceKeyOfQuery(query));
    },
  };
}
