import type { Kysely } from 'kysely';
import { camelCased, changed, takeFirst } from '../engine.js';
import type { Database } from '../schema.js';

export interface OAuthStateRecords {
  create(stateHash: string, installOptions: string, expiresAt: number, now?: number): Promise<void>;
  exists(stateHash: string): Promise<boolean>;
  /** Deletes and returns the state: a second use finds nothing. */
  consume(stateHash: string): Promise<{ installOptions: string; expiresAt: number } | undefined>;
  pruneExpired(now: number): Promise<number>;
}

export function oauthStateRecords(db: Kysely<Database>): OAuthStateRecords {
  return {
    async create(stateHash, installOptions, expiresAt, now = Date.now()) {
      await db.insertInto('oauth_states').values({ state_hash: stateHash, install_options: installOptions, expires_at: expiresAt, created_at: now }).execute();
    },
    async exists(stateHash) {
      return (await db.selectFrom('oauth_states').select('state_hash').where('state_hash', '=', stateHash).executeTakeFirst()) !== undefined;
    },
    consume: (stateHash) =>
      takeFirst(db.deleteFrom('oauth_states').where('state_hash', '=', stateHash).returning(['install_options', 'expires_at']), camelCased),
    pruneExpired: (now) => changed(db.deleteFrom('oauth_states').where('expires_at', '<', now)),
  };
}
