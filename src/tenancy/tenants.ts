import type { NewTenantInstall, Store, TenantRecord, WorkspaceKey } from '../store/types.js';
import { fromStore } from '../store/unavailable.js';
import { ReadThroughCache } from '../util/read-through-cache.js';

/** Tenants' standing, read through a cache that every replica's changes invalidate. */
export class Tenants {
  private readonly cache: ReadThroughCache<TenantRecord | undefined>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    options: { ttlMs: number; maxEntries: number },
  ) {
    this.cache = new ReadThroughCache((key) => fromStore(store.tenants.find(key)), options);
    this.unsubscribe = store.onInstallationChanged((key) => this.cache.forget(key));
  }

  find(workspaceKey: WorkspaceKey): Promise<TenantRecord | undefined> {
    return this.cache.get(workspaceKey);
  }

  async recordInstall(install: NewTenantInstall): Promise<TenantRecord> {
    const record = await this.store.tenants.recordInstall(install);
    this.cache.forget(install.workspaceKey);
    return record;
  }

  async decide(workspaceKey: WorkspaceKey, status: 'approved' | 'denied', decidedBy: string): Promise<TenantRecord | undefined> {
    const record = await this.store.tenants.decide(workspaceKey, status, decidedBy);
    this.cache.forget(workspaceKey);
    return record;
  }

  /** Display names by key, for views that label records with their tenant (operators'). */
  async names(keys: readonly WorkspaceKey[]): Promise<Map<WorkspaceKey, string>> {
    const unique = [...new Set(keys)];
    const records = await this.store.tenants.list({ workspaceKeys: unique, limit: unique.length || 1 });
    return new Map(records.map((record) => [record.workspaceKey, record.name ?? record.slackId]));
  }

  close(): void {
    this.unsubscribe();
    this.cache.forget('*');
  }
}
