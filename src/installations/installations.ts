import type { Installation } from '@slack/bolt';
import type { Store, StoredInstallation, WorkspaceKey } from '../store/types.js';
import { fromStore } from '../store/unavailable.js';
import { workspaceKeyOf } from '../store/workspace-key.js';
import { ReadThroughCache } from '../util/read-through-cache.js';

/** Why an installation was saved: an OAuth install (or reinstall), or a rotated bot token. */
export type SaveReason = 'install' | 'rotation';

export type InstallationListener = (event: {
  stored: StoredInstallation;
  previous: StoredInstallation | undefined;
  reason: SaveReason;
}) => Promise<void> | void;

/**
 * Workspace installations, read through a bounded in-memory cache (least recently used first out).
 * The cache forgets an entry when this or any other replica saves or deletes it (the store pushes
 * changes), and after a TTL. Every Slack request looks its installation up here.
 */
export class Installations {
  private readonly cache: ReadThroughCache<StoredInstallation | undefined>;
  private readonly savedListeners: InstallationListener[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    options: { ttlMs: number; maxEntries: number; onLookup?: (hit: boolean) => void },
  ) {
    this.cache = new ReadThroughCache((key) => fromStore(store.installations.find(key)), { ...options, ttlMs: options.maxEntries > 0 ? options.ttlMs : 0 });
    this.unsubscribe = store.onInstallationChanged((key) => this.cache.forget(key));
  }

  /** The installation of a workspace (bot token included), without the user token of anyone. */
  find(workspaceKey: WorkspaceKey): Promise<StoredInstallation | undefined> {
    return this.cache.get(workspaceKey);
  }

  /** The installation with that user's own token, as Bolt expects (other users' tokens are never handed out). */
  async forUser(stored: StoredInstallation, userId: string): Promise<StoredInstallation | undefined> {
    if (stored.installation.user.id === userId || !stored.installation.user.token) return stored;
    return this.store.installations.find(stored.workspaceKey, userId);
  }

  async save(installation: Installation, reason: SaveReason = 'install'): Promise<StoredInstallation> {
    const previous = await this.store.installations.find(workspaceKeyOf(installation));
    const stored = await this.store.installations.save(installation);
    this.cache.forget(stored.workspaceKey);
    for (const listener of this.savedListeners) await listener({ stored, previous, reason });
    return stored;
  }

  async delete(workspaceKey: WorkspaceKey): Promise<boolean> {
    const deleted = await this.store.installations.delete(workspaceKey);
    this.cache.forget(workspaceKey);
    return deleted;
  }

  /** Runs after every save: a new install, a reinstall, or a rotated token. */
  onSaved(listener: InstallationListener): void {
    this.savedListeners.push(listener);
  }

  close(): void {
    this.unsubscribe();
    this.cache.forget('*');
  }

  get cachedCount(): number {
    return this.cache.size;
  }
}
