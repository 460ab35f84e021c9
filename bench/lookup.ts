/**
 * Installation lookups (Bolt's authorize path) against a seeded store, in a process of their own:
 * in the benchmark's process the load generator's and the emulator's garbage collections would land
 * in the lookups' tail. Run by bench/run.ts as
 *   tsx bench/lookup.ts <file:path | postgres://…> <installations stored> <encryption key, base64>
 * and prints one JSON line: p50 and p99 in ms, cold (never looked up), warm (cached), and Bolt's
 * MemoryInstallationStore on the same workspaces.
 */
import { MemoryInstallationStore } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { boltInstallationStore, OAuthInstalls } from '../src/installations/bolt-store.js';
import { Installations } from '../src/installations/installations.js';
import { TokenRefresher } from '../src/installations/token-refresher.js';
import { createLogger } from '../src/logging/logger.js';
import { openStore } from '../src/store/index.js';
import { benchTeamId, installationFor, percentile } from './common.js';

type Lookup = (teamId: string) => Promise<unknown>;

const [location = '', countText = '', keyText = ''] = process.argv.slice(2);
const installationCount = Number(countText);
const logger = createLogger({ level: 'silent', format: 'json' });
const database = location.startsWith('file:')
  ? { kind: 'sqlite' as const, path: location.slice('file:'.length) }
  : { kind: 'postgres' as const, url: location };
const store = await openStore(database, Buffer.from(keyText, 'base64'), logger);

const installations = new Installations(store, { ttlMs: 300_000, maxEntries: 20_000 });
const refresher = new TokenRefresher(store, installations, new WebClient(), { clientId: 'x', clientSecret: 'y' }, logger);
const bolt = boltInstallationStore(installations, refresher, { oauthInstalls: new OAuthInstalls(), novuRefreshes: false });
const switchboard: Lookup = (teamId) => bolt.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });

// Distinct workspaces never looked up before: the first half warms the code up (so "cold" means
// the cache, not the JIT compiler), the second half is measured.
const [warmUp, sample] = distinctTeams(4_000);
await percentiles(switchboard, warmUp);
const cold = await percentiles(switchboard, sample);
const warm = await percentiles(switchboard, sample);
installations.close();
await store.close();

const memory = new MemoryInstallationStore();
for (let index = 0; index < installationCount; index += 1) await memory.storeInstallation(installationFor(index));
const bare: Lookup = (teamId) => memory.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
await percentiles(bare, warmUp);
console.log(JSON.stringify({ cold, warm, bare: await percentiles(bare, sample) }));

async function percentiles(lookup: Lookup, teams: string[]): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (const teamId of teams) {
    const began = performance.now();
    await lookup(teamId);
    samples.push(performance.now() - began);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** `count` distinct stored workspaces in random order, split in two halves. */
function distinctTeams(count: number): [string[], string[]] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, installationCount)) picked.add(Math.floor(Math.random() * installationCount));
  const teams = [...picked].map(benchTeamId);
  return [teams.slice(0, teams.length / 2), teams.slice(teams.length / 2)];
}
