import { describe, expect, it } from 'vitest';
import { ReadThroughCache } from '../../src/util/read-through-cache.js';

describe('the read-through cache', () => {
  function cache(ttlMs = 60_000) {
    const source = new Map<string, string>([['a', 'A1']]);
    let down = false;
    let loads = 0;
    const reads = new ReadThroughCache<string | undefined>(
      async (key) => {
        loads += 1;
        if (down) throw new Error('the store is unreachable');
        return source.get(key);
      },
      { ttlMs, maxEntries: 10 },
    );
    return { reads, source, setDown: (value: boolean) => (down = value), loads: () => loads };
  }

  it('after `forget("*")` an entry is loaded again, and served as it was while that load fails', async () => {
    const { reads, source, setDown, loads } = cache();
    expect(await reads.get('a')).toBe('A1');
    reads.forget('*');
    setDown(true);
    expect(await reads.get('a')).toBe('A1');
    expect(reads.servedStale).toBe(1);
    setDown(false);
    source.set('a', 'A2');
    expect(await reads.get('a')).toBe('A2');
    expect(await reads.get('a')).toBe('A2');
    expect(loads()).toBe(3);
  });

  it('a key never loaded fails with the store; a key forgotten by name (it changed) is never served stale', async () => {
    const { reads, setDown } = cache();
    await reads.get('a');
    setDown(true);
    await expect(reads.get('b')).rejects.toThrow('unreachable');
    reads.forget('a');
    await expect(reads.get('a')).rejects.toThrow('unreachable');
  });

  it('an entry past its time is served while its reload fails', async () => {
    const { reads, setDown } = cache(1);
    await reads.get('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    setDown(true);
    expect(await reads.get('a')).toBe('A1');
  });
});
