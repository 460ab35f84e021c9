/**
 * A bounded read-through cache: entries expire after `ttlMs`, the least recently used go first
 * beyond `maxEntries`, and a read that raced with an invalidation is not kept (a generation counter).
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private generation = 0;
  hits = 0;
  misses = 0;

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
    const value = await this.load(key);
    if (generation === this.generation && this.options.ttlMs > 0) this.remember(key, value, now);
    return value;
  }

  /** Forgets one key, or everything with `*`. */
  forget(key: string | '*'): void {
    this.generation += 1;
    if (key === '*') this.entries.clear();
    else this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, value: V, now: number): void {
    this.entries.set(key, { value, expiresAt: now + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
