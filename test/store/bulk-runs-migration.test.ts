import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { openPostgresEngine } from '../../src/store/engines/postgres.js';
import { openSqliteEngine } from '../../src/store/engines/sqlite.js';
import { openStoreOn } from '../../src/store/index.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import type { Engine } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/types.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { type EngineKind, freshPostgresSchema, openPgliteEngine, postgresTarget, testEncryptionKey } from '../kit/stores.js';

/** Runs of the CSV import and of "link everyone" stored before bulk runs were one record move over whole, on both engines. */
const logger = createLogger({ level: 'silent', format: 'json' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openEngine(kind: EngineKind): Promise<Engine> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-migration-'));
    cleanups.push(async () => rmSync(directory, { recursive: true, force: true }));
    return openSqliteEngine(join(directory, 'store.db'));
  }
  const where = await postgresTarget();
  if (where.kind === 'pglite') return openPgliteEngine();
  const schema = await freshPostgresSchema(where.url);
  cleanups.push(schema.drop);
  return openPostgresEngine(schema.url, logger);
}

/** The store as it was before bulk runs, holding one import and one link run. */
async function storeOfBefore(engine: Engine): Promise<void> {
  const schema = engine.name === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(engine.db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: engine.db,
    provider: migrationProvider,
    migrationTableName: 'switchboard_migrations',
    migrationLockTableName: 'switchboard_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateTo('0009_follow_ups');
  if (error) throw error;
  const db = engine.db as unknown as Kysely<any>;
  const times = { reported_at: 0, created_at: 1_000, updated_at: 2_000 };
  const run = { workspace_key: teamKey('T1'), requested_by: 'U1', channel_id: 'D1', message_ts: '1.1', error: null, ...times };
  await db
    .insertInto('phone_imports')
    .values({
      ...run,
      id: 'imp-1',
      intent: 'view-1:abc',
      status: 'registering',
      file_id: 'F1',
      file_name: 'people.csv',
      default_integration: null,
      confirmed_by: 'U2',
    })
    .execute();
  const row = { run_id: 'imp-1', subscriber_id: 'sub', phone: '+14155550100', integration: 'twilio-sms', problem: null, detail: null };
  await db
    .insertInto('phone_import_rows')
    .values([
      { ...row, row_number: 10, identifier: null, state: 'problem', problem: 'number', detail: 'Too short.' },
      { ...row, row_number: 2, identifier: 'id-2', state: 'ready' },
      { ...row, row_number: 3, identifier: 'id-3', state: 'created', detail: 'phone kept: +14155550199' },
    ])
    .execute();
  await db
    .insertInto('link_runs')
    .values({ ...run, id: 'link-1', status: 'linking', members_seen: 3 })
    .execute();
  await db
    .insertInto('link_run_items')
    .values([
      { run_id: 'link-1', user_id: 'U3', subscriber_id: null, state: 'unmatched', detail: null },
      { run_id: 'link-1', user_id: 'U2', subscriber_id: 'sub-2', state: 'matched', detail: null },
      { run_id: 'link-1', user_id: 'U1', subscriber_id: 'sub-1', state: 'linked', detail: null },
    ])
    .execute();
}

describe.each<EngineKind>(['sqlite', 'postgres'])('bulk runs migration on %s', (kind) => {
  it('keeps every run with its own fields and every item in its order, and they carry on', async () => {
    const engine = await openEngine(kind);
    await storeOfBefore(engine);
    const store: Store = await openStoreOn(engine, testEncryptionKey, logger);
    cleanups.push(() => store.close());

    expect(await store.phoneImports.get('imp-1')).toMatchObject({
      status: 'registering',
      fileId: 'F1',
      fileName: 'people.csv',
      defaultIntegration: null,
      confirmedBy: 'U2',
      channelId: 'D1',
      messageTs: '1.1',
      createdAt: 1_000,
    });
    const rows = await store.phoneImports.items('imp-1', { states: ['ready', 'problem', 'created'], limit: 10 });
    expect(rows.map((row) => row.rowNumber)).toEqual([2, 3, 10]);
    expect(await store.phoneImports.item('imp-1', 10)).toMatchObject({ state: 'problem', problem: 'number', detail: 'Too short.', phone: '+14155550100' });
    expect(await store.phoneImports.tagCounts('imp-1')).toEqual({ number: 1, 'phone-kept': 1 });
    expect(await store.phoneImports.settle('imp-1', 2, 'existing')).toBe(true);
    expect(await store.phoneImports.counts('imp-1')).toMatchObject({ ready: 0, existing: 1, created: 1, problem: 1 });

    expect(await store.linkRuns.latest(teamKey('T1'))).toMatchObject({ id: 'link-1', status: 'linking', membersSeen: 3 });
    const members = await store.linkRuns.items('link-1', { states: ['matched', 'unmatched', 'linked'], limit: 10 });
    expect(members.map((member) => member.userId)).toEqual(['U1', 'U2', 'U3']);
    expect(await store.linkRuns.settle('link-1', 'U2', 'linked')).toBe(true);
    expect(await store.linkRuns.counts('link-1')).toMatchObject({ matched: 0, linked: 2, unmatched: 1 });
  });
});
