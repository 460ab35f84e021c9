import type { Installation } from '@slack/bolt';
import type { Store, StoredInstallation, WorkspaceKey } from '../store/types.js';
import { workspaceKeyOf } from '../store/workspace-key.js';

/** Why an installation was saved: an OAuth install (or reinstall), or a rotated bot token. */
export type SaveReason = 'install' | 'rotation';

export type InstallationListener = (event: {
  stored: StoredInstallation;
  previous: StoredInstallation | undefined;
  reason: SaveReason;
}) => Promise<void> | void;
export type UninstallListener = (workspaceKey: WorkspaceKey) => Promise<void> | void;

interface CacheEntry {
  value: StoredInstallation | undefined;
  expiresAt: number;
}

/**
 * Workspace installations, read through a small in-memory cache. The cache forgets an entry when
 * this or any other replica saves or deletes it (the store pushes changes), and after a TTL.
 */
export class Installations {
  private readonly cache = new Map<WorkspaceKey, CacheEntry>();
  private readonly savedListeners: InstallationListener[] = [];
  private readonly uninstallListeners: UninstallListener[] = [];
  private readonly unsubscribe: () => void;
  /** Bumped on every eviction: a read that raced with a change is not cached. */
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly options: { ttlMs: number; maxEntries: number },
  ) {
    this.unsubscribe = store.onInstallationChanged((key) => this.forget(key));
  }

  /** The installation of a workspace (bot token included), without the user token of anyone. */
  async find(workspaceKey: WorkspaceKey): Promise<StoredInstallation | undefined> {
    const now = Date.now();
    const cached = this.cache.get(workspaceKey);
    if (cached && cached.expiresAt > now) {
      // Refresh recency, so the map's insertion order works as an LRU.
      this.cache.delete(workspaceKey);
      this.cache.set(workspaceKey, cached);
      return cached.value;
    }
    const generation = this.generation;
    const value = await this.store.installations.find(workspaceKey);
    if (generation === this.generation) this.remember(workspaceKey, value, now);
    return value;
  }

  /** With a user id: that user's own token, as Bolt expects (other users' tokens are never handed out). */
  async findForUser(workspaceKey: WorkspaceKey, userId: string): Promise<StoredInstallation | undefined> {
    const stored = await this.find(workspaceKey);
    if (!stored || stored.installation.user.id === userId || !stored.installation.user.token) return stored;
    return this.store.installations.find(workspaceKey, userId);
  }

  async save(installation: Installation, reason: SaveReason = 'install'): Promise<StoredInstallation> {
    const previous = await this.store.installations.find(workspaceKeyOf(installation));
    const stored = await this.store.installations.save(installation);
    this.forget(stored.workspaceKey);
    for (const listener of this.savedListeners) await listener({ stored, previous, reason });
    return stored;
  }

  async delete(workspaceKey: WorkspaceKey): Promise<boolean> {
    const deleted = await this.store.installations.delete(workspaceKey);
    this.forget(workspaceKey);
    if (deleted) for (const listener of this.uninstallListeners) await listener(workspaceKey);
    return deleted;
  }

  /** Runs after every save: a new install, a reinstall, or a rotated token. */
  onSaved(listener: InstallationListener): void {
    this.savedListeners.push(listener);
  }

  onDeleted(listener: UninstallListener): void {
    this.uninstallListeners.push(listener);
  }

  close(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  private remember(workspaceKey: WorkspaceKey, value: StoredInstallation | undefined, now: number): void {
    if (this.options.ttlMs <= 0) return;
    this.cache.set(workspaceKey, { value, expiresAt: now + this.options.ttlMs });
    while (this.cache.size > this.options.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private forget(workspaceKey: WorkspaceKey | '*'): void {
    this.generation += 1;
    if (workspaceKey === '*') this.cache.clear();
    else this.cache.delete(workspaceKey);
  }
}
