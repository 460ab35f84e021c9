import type { Kysely } from 'kysely';

/**
 * The CSV phone import and "link everyone by email" are one kind of record: a bulk run and its
 * items. Their runs, rows and members move into `bulk_runs` and `bulk_items`, each kind's own
 * fields as JSON; nothing is left behind. There is no way down: the runs live only here now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bulk_runs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('workspace_key', 'text', (column) => column.notNull())
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('intent', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('fields', 'text', (column) => column.notNull())
    .addColumn('confirmed_by', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('error', 'text')
    .addColumn('reported_at', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('bulk_runs_intent', ['kind', 'intent'])
    .execute();
  await db.schema.createIndex('bulk_runs_tenant').on('bulk_runs').columns(['kind', 'workspace_key', 'created_at']).execute();
  await db.schema.createIndex('bulk_runs_status').on('bulk_runs').columns(['kind', 'status', 'updated_at']).execute();
  await db.schema
    .createTable('bulk_items')
    .addColumn('run_id', 'text', (column) => column.notNull())
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('item_key', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('tag', 'text')
    .addColumn('detail', 'text')
    .addColumn('data', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('bulk_items_pk', ['run_id', 'position'])
    .execute();
  await db.schema.createIndex('bulk_items_key').on('bulk_items').columns(['run_id', 'item_key']).unique().execute();
  await db.schema.createIndex('bulk_items_state').on('bulk_items').columns(['run_id', 'state', 'position']).execute();
  await copy(
    db,
    { runs: 'phone_imports', items: 'phone_import_rows', order: 'row_number' },
    ({ file_id, file_name, default_integration, ...run }) => {
      const fields = { fileId: file_id, fileName: file_name, defaultIntegration: default_integration };
      return { ...run, kind: 'phone-import', fields: JSON.stringify(fields) };
    },
    (row) => ({
      item_key: String(row.row_number),
      tag: row.problem ?? (['created', 'existing'].includes(row.state) && row.detail?.startsWith('phone kept: ') ? 'phone-kept' : null),
      data: JSON.stringify({
        rowNumber: Number(row.row_number),
        subscriberId: row.subscriber_id,
        phone: row.phone,
        integration: row.integration,
        identifier: row.identifier,
        problem: row.problem,
      }),
    }),
  );
  await copy(
    db,
    { runs: 'link_runs', items: 'link_run_items', order: 'user_id' },
    ({ members_seen, ...run }) => ({ ...run, kind: 'link-everyone', intent: run.id, fields: JSON.stringify({ membersSeen: Number(members_seen) }) }),
    (item) => ({ item_key: item.user_id, tag: null, data: JSON.stringify({ userId: item.user_id, subscriberId: item.subscriber_id }) }),
  );
  for (const table of ['phone_import_rows', 'phone_imports', 'link_run_items', 'link_runs']) await db.schema.dropTable(table).execute();
}

type Row = Record<string, any>;

/** Each run of the old tables, then its items in their order, into the new ones. */
async function copy(
  db: Kysely<any>,
  from: { runs: string; items: string; order: string },
  toRun: (run: Row) => Row,
  toItem: (item: Row) => Row,
): Promise<void> {
  for (const run of await db.selectFrom(from.runs).selectAll().execute()) {
    await db.insertInto('bulk_runs').values(toRun(run)).execute();
    const items = await db.selectFrom(from.items).selectAll().where('run_id', '=', run.id).orderBy(from.order).execute();
    const rows = items.map((item, position) => ({ run_id: run.id, position, state: item.state, detail: item.detail, ...toItem(item) }));
    for (let start = 0; start < rows.length; start += 200)
      await db
        .insertInto('bulk_items')
        .values(rows.slice(start, start + 200))
        .execute();
  }
}
