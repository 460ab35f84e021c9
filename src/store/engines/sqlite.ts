import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KeyedMutex } from '../../util/keyed-mutex.js';
import type { Database } from '../schema.js';
import type { Engine } from '../sql-store.js';

/** A held lock is renewed well within its lease; a crashed holder's lock frees once the lease runs out. */
const lockLeaseMs = 10_000;
const lockRenewMs = 3_000;

/** The embedded store: one file, no server. Meant for one process; locks still hold if two share the file. */
export function openSqliteEngine(path: string): Engine {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const changes = new EventEmitter();
  const locks = new KeyedMutex();
  const holder = randomBytes(8).toString('hex');

  /** A row in `locks`, taken over only once its holder's lease has run out (a crashed process). */
  async function acquire(name: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const taken = await db
        .insertInto('locks')
        .values({ name, holder, expires_at: now + lockLeaseMs })
        .onConflict((conflict) =>
          conflict
            .column('name')
            .doUpdateSet({ holder, expires_at: now + lockLeaseMs })
            .where('locks.expires_at', '<', now),
        )
        .returning('holder')
        .executeTakeFirst();
      if (taken?.holder === holder) return;
      await sleep(15);
    }
  }

  return {
    name: 'sqlite',
    db,
    skipLockedRows: false,
    async publishInstallationChange(workspaceKey) {
      changes.emit('change', workspaceKey);
    },
    subscribeInstallationChanges(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    withLock: (name, fn) =>
      locks.run(name, async () => {
        await acquire(name);
        const renew = setInterval(() => {
          db.updateTable('locks')
            .set({ expires_at: Date.now() + lockLeaseMs })
            .where('name', '=', name)
            .where('holder', '=', holder)
            .execute()
            .catch(() => {});
        }, lockRenewMs);
        renew.unref();
        try {
          return await fn();
        } finally {
          clearInterval(renew);
          await db.deleteFrom('locks').where('name', '=', name).where('holder', '=', holder).execute();
        }
      }),
    async close() {
      changes.removeAllListeners();
      await db.destroy();
    },
  };
}
