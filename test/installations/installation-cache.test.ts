import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../tenancy/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ env: { METRICS_TOKEN: 'scrape-token-cache', INSTALLATION_CACHE_SIZE: '1' } });
  await world.installAcme();
  await world.installGlobex();
});
afterAll(() => world.harness.stop());

interface CacheFigures {
  hits: number;
  misses: number;
  ratio: number;
  entries: number;
}

async function scrape(): Promise<CacheFigures> {
  const response = await fetch(`${world.harness.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-cache' } });
  const text = await response.text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  // A counter's labelled series appears with its first increment.
  const count = (result: 'hit' | 'miss') =>
    Number(new RegExp(`^switchboard_installation_cache_lookups_total\\{result="${result}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    hits: count('hit'),
    misses: count('miss'),
    ratio: value(/^switchboard_installation_cache_hit_ratio (\S+)$/m),
    entries: value(/^switchboard_installation_cache_entries (\S+)$/m),
  };
}

/** Runs a command and reports how the cache answered the lookups it made. */
async function lookupsOf(run: () => Promise<unknown>): Promise<{ hits: number; misses: number; entries: number }> {
  const before = await scrape();
  await run();
  const after = await scrape();
  return { hits: after.hits - before.hits, misses: after.misses - before.misses, entries: after.entries };
}

describe('the installation cache', () => {
  it("answers a workspace's repeat requests from memory, holds no more than INSTALLATION_CACHE_SIZE, and exports its hit rate", async () => {
    const help = (actor: World['acmeAdmin']) => () => world.answerTo('/phone', 'help', actor);

    const first = await lookupsOf(help(world.acmeAdmin));
    expect(first.misses).toBeGreaterThan(0);

    const repeat = await lookupsOf(help(world.acmeAdmin));
    expect(repeat).toMatchObject({ misses: 0, entries: 1 });
    expect(repeat.hits).toBeGreaterThan(0);

    const other = await lookupsOf(help(world.globexAdmin));
    expect(other.misses).toBeGreaterThan(0);
    expect(other.entries).toBe(1);

    const evicted = await lookupsOf(help(world.acmeAdmin));
    expect(evicted.misses).toBeGreaterThan(0);

    const totals = await scrape();
    expect(totals.ratio).toBeCloseTo(totals.hits / (totals.hits + totals.misses), 6);
    expect(totals.ratio).toBeGreaterThan(0);
    expect(totals.ratio).toBeLessThan(1);
  });
});
