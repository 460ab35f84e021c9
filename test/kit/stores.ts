import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../src/logging/logger.js';
import { openPostgresEngine } from '../../src/store/engines/postgres.js';
import { openSqliteEngine } from '../../src/store/engines/sqlite.js';
import { openStoreOn } from '../../src/store/index.js';
import type { Database } from '../../src/store/schema.js';
import type { Engine } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/types.js';
import { KeyedMutex } from '../../src/util/keyed-mutex.js';

/**
 * Where the PostgreSQL tests run: TEST_DATABASE_URL, else the server on 127.0.0.1:5432 (database
 * `test`), else an embedded PGlite. In CI a real server is required. SWITCHBOARD_TEST_POSTGRES=pglite
 * forces PGlite.
 */
export type PostgresTarget = { kind: 'server'; url: string } | { kind: 'pglite'; reason: string };

let target: Promise<PostgresTarget> | undefined;

export function postgresTarget(): Promise<PostgresTarget> {
  target ??= (async () => {
    if (process.env.SWITCHBOARD_TEST_POSTGRES === 'pglite') return { kind: 'pglite', reason: 'SWITCHBOARD_TEST_POSTGRES=pglite' } as const;
    const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return { kind: 'server', url } as const;
    } catch (error) {
      if (process.env.CI || process.env.TEST_DATABASE_URL) {
        throw new Error(`PostgreSQL is required here but ${url} did not answer: ${(error as Error).message}`);
      }
      const reason = `no PostgreSQL server at ${url} (${(error as Error).message}); using embedded PGlite`;
      process.stderr.write(`\n[postgres tests] ${reason}\n`);
      return { kind: 'pglite', reason } as const;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return target;
}

/** A fresh schema on the test server, as a URL whose connections use it. */
export async function freshPostgresSchema(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `sb_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop schema if exists ${schema} cascade`);
      await cleanup.end();
    },
  };
}

/** PGlite behind Kysely's PostgreSQL dialect: one embedded connection, serialised. */
export async function openPgliteEngine(): Promise<Engine> {
  const { PGlite } = await import('@electric-sql/pglite');
  const database = await PGlite.create({ parsers: { 20: (value: string) => Number(value) } });
  let queue = Promise.resolve();
  const pool = {
    options: {},
    async connect() {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      await previous;
      return {
        async query(text: string, parameters: readonly unknown[]) {
          const result = await database.query(text, parameters as unknown[]);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, command: (result as { command?: string }).command ?? 'SELECT' };
        },
        release: () => release(),
      };
    },
    async end() {
      await database.close();
    },
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as never }) });
  const changes = new EventEmitter();
  const locks = new KeyedMutex();
  return {
    name: 'postgres',
    db,
    // One connection: FOR UPDATE SKIP LOCKED is valid SQL here too, but nothing ever waits.
    skipLockedRows: true,
    async publishInstallationChange(key) {
      changes.emit('change', key);
    },
    subscribeInstallationChanges(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    withLock: (name, fn) => locks.run(name, fn),
    close: () => db.destroy(),
  };
}

export type EngineKind = 'sqlite' | 'postgres';

export interface TestStore {
  store: Store;
  /** Opens another store on the same data: a second process, or a second replica. */
  openAnother(): Promise<Store>;
  /** Runs raw SQL against the same data, for checks the Store interface does not offer. */
  raw<T>(query: string): Promise<T[]>;
  kind: string;
  cleanup(): Promise<void>;
}

export const testEncryptionKey = randomBytes(32);

export async function openTestStore(kind: EngineKind, logger: Logger): Promise<TestStore> {
  const opened: Store[] = [];
  const open = async (engine: Engine) => {
    const store = await openStoreOn(engine, testEncryptionKey, logger);
    opened.push(store);
    return store;
  };
  const closeAll = async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => {});
  };
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
    const path = join(directory, 'store.db');
    const store = await open(openSqliteEngine(path));
    return {
      store,
      kind: 'sqlite',
      openAnother: () => open(openSqliteEngine(path)),
      raw: async (query) => {
        const engine = openSqliteEngine(path);
        try {
          return (await sql.raw(query).execute(engine.db)).rows as never;
        } finally {
          await engine.close();
        }
      },
      cleanup: async () => {
        await closeAll();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const where = await postgresTarget();
  if (where.kind === 'pglite') {
    const engine = await openPgliteEngine();
    const store = await open(engine);
    return {
      store,
      kind: 'pglite',
      openAnother: async () => store,
      raw: async (query) => (await sql.raw(query).execute(engine.db)).rows as never,
      cleanup: closeAll,
    };
  }
  const schema = await freshPostgresSchema(where.url);
  const store = await open(openPostgresEngine(schema.url, logger));
  return {
    store,
    kind: 'postgres',
    openAnother: () => open(openPostgresEngine(schema.url, logger)),
    raw: async (query) => {
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        return (await client.query(query)).rows as never;
      } finally {
        await client.end();
      }
    },
    cleanup: async () => {
      await closeAll();
      await schema.drop();
    },
  };
}
