/**
 * A bounded read-through cache: entries expire after `ttlMs`, the least recently used go first
 * beyond `maxEntries`, and a read that raced with an invalidation is not kept (a generation counter).
 *
 * An entry past its time, or marked stale by `forget('*')`, is loaded again; when that load fails
 * (the store is unreachable), the last known value is served rather than the failure, so known
 * workspaces keep working through a database outage. Only a key never loaded fails.
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private generation = 0;
  hits = 0;
  misses = 0;
  /** Values served from stale entries because their load failed. */
  servedStale = 0;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly options: { ttlMs: number; maxEntries: number; onLookup?: (hit: boolean) => void },
  ) {}

  async get(key: string): Promise<V> {
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      this.hits += 1;
      this.options.onLookup?.(true);
      // Re-inserting moves the key to the end: the map's order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.value;
    }
    this.misses += 1;
    this.options.onLookup?.(false);
    const generation = this.generation;
    let value: V;
    try {
      value = await this.load(key);
    } catch (error) {
      // Still the entry loaded before (not one forgotten by key since): better than no answer.
      const known = this.entries.get(key);
      if (!known) throw error;
      this.servedStale += 1;
      return known.value;
    }
    if (generation === this.generation && this.options.ttlMs > 0) this.remember(key, value, now);
    return value;
  }

  /**
   * Forgets one key (it changed: never served again), or, with `*`, marks every entry stale (the
   * changes were missed, e.g. while the store was unreachable): each is loaded again before use,
   * and served only while that load fails.
   */
  forget(key: string | '*'): void {
    this.generation += 1;
    if (key !== '*') {
      this.entries.delete(key);
      return;
    }
    for (const entry of this.entries.values()) entry.expiresAt = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, value: V, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
