import { Migrator, sql } from 'kysely';
import type { Config } from '../config/load.js';
import type { Logger } from '../logging/logger.js';
import { TokenCipher } from './cipher.js';
import { migrationProvider } from './migrations/index.js';
import { type Engine, sqlStore } from './sql-store.js';
import type { Store } from './types.js';

export type { Store } from './types.js';

export async function openStore(database: Config['database'], encryptionKey: Buffer, logger: Logger): Promise<Store> {
  // Only the engine in use is loaded: each driver costs memory the other deployment never needs.
  const engine =
    database.kind === 'sqlite'
      ? (await import('./engines/sqlite.js')).openSqliteEngine(database.path)
      : (await import('./engines/postgres.js')).openPostgresEngine(database.url, logger);
  return openStoreOn(engine, encryptionKey, logger);
}

/** Migrates, then wraps the engine. Tests use this to open the same store over another engine. */
export async function openStoreOn(engine: Engine, encryptionKey: Buffer, logger: Logger): Promise<Store> {
  try {
    await migrate(engine, logger);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return sqlStore(engine, new TokenCipher(encryptionKey));
}

async function migrate(engine: Engine, logger: Logger): Promise<void> {
  const migrator = new Migrator({
    db: engine.db,
    provider: migrationProvider,
    migrationTableName: 'switchboard_migrations',
    migrationLockTableName: 'switchboard_migrations_lock',
    // Kysely looks for its tables in every schema; pin them to ours, or another schema's copy would be taken for ours.
    ...(engine.name === 'postgres' ? { migrationTableSchema: await currentSchema(engine) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') logger.info({ migration: result.migrationName, engine: engine.name }, 'applied store migration');
    if (result.status === 'Error') logger.error({ migration: result.migrationName, engine: engine.name }, 'store migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

async function currentSchema(engine: Engine): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(engine.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema: set search_path in DATABASE_URL (options=-c search_path=…)');
  return schema;
}
