import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type Libsql from 'libsql';
import { KeyedMutex } from '../../util/keyed-mutex.js';
import type { Engine } from '../engine.js';
import type { Database } from '../schema.js';

/** A held lock is renewed well within its lease; a crashed holder's lock frees once the lease runs out. */
const lockLeaseMs = 10_000;
const lockRenewMs = 3_000;

/** Distinct SQL texts kept prepared; `in (…)` lists of every length make the set open-ended. */
const preparedStatementLimit = 500;

/**
 * Kysely prepares a query's SQL anew for each execution, and the driver parses and plans it
 * every time: for the installation lookup every Slack request makes, preparing took three times
 * as long as running the query. Prepared statements are reused by SQL text (Kysely runs one query
 * at a time on its single connection, so a statement is never busy when it is handed out again).
 */
function withStatementCache(database: Libsql.Database): SqliteDatabase {
  const prepared = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = prepared.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (prepared.size >= preparedStatementLimit) prepared.delete(prepared.keys().next().value ?? '');
        prepared.set(sql, statement);
      }
      return statement;
    },
  };
}

/** The embedded store: one file, no server. Meant for one process; locks still hold if two share the file. */
export function openSqliteEngine(path: string): Engine {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // Loaded here, not at import: a deployment on PostgreSQL never loads the SQLite driver.
  const Driver = createRequire(import.meta.url)('libsql') as typeof Libsql;
  const database = new Driver(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
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
