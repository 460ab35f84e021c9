import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import { KeyedMutex } from '../../util/keyed-mutex.js';
import type { Engine } from '../engine.js';
import type { Database } from '../schema.js';

const changeChannel = 'switchboard_installations';
const int8 = 20;
/** How long opening a connection may take, and one query, before it fails (the database stalled). */
const connectTimeoutMs = 5_000;
const queryTimeoutMs = 30_000;

/** PostgreSQL, for several replicas sharing state: row locks for the queue, LISTEN/NOTIFY for cache invalidation. */
export function openPostgresEngine(url: string, logger: Logger, { poolSize = 10 } = {}): Engine {
  // Epoch milliseconds fit a JavaScript number; without this pg returns bigint columns as strings.
  const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === int8 ? Number : pg.types.getTypeParser(oid, format)) };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: types as pg.CustomTypesConfig,
    // A stalled database fails a request in bounded time instead of holding it (and its connection) forever.
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: queryTimeoutMs,
    keepAlive: true,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  // pg-pool listens for errors only on idle clients: a connection reset during a query would
  // otherwise be an 'error' event with no listener, which ends the process. The query in flight
  // fails on its own (and is retried or reported by its caller); the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection failed during a query'));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const changes = new EventEmitter();
  const locks = new KeyedMutex();
  // Our own notifications come back over LISTEN too; they carry our id so they are not applied twice.
  const instance = randomBytes(6).toString('hex');
  const listener = new ChangeListener(url, logger, (payload) => {
    const separator = payload.indexOf('|');
    if (payload === '*' || separator < 0) return changes.emit('change', payload);
    if (payload.slice(0, separator) !== instance) changes.emit('change', payload.slice(separator + 1));
  });

  return {
    name: 'postgres',
    db,
    skipLockedRows: true,
    async publishInstallationChange(workspaceKey) {
      changes.emit('change', workspaceKey);
      await sql`select pg_notify(${changeChannel}, ${`${instance}|${workspaceKey}`})`.execute(db);
    },
    subscribeInstallationChanges(callback) {
      listener.start();
      changes.on('change', callback);
      return () => changes.off('change', callback);
    },
    // The in-process mutex keeps concurrent callers from each holding a pooled connection while they wait.
    withLock: (name, fn) =>
      locks.run(name, () =>
        db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(trx);
          return fn();
        }),
      ),
    async close() {
      await listener.stop();
      changes.removeAllListeners();
      await db.destroy();
    },
  };
}

/** One connection that LISTENs for installation changes from other replicas, reconnecting when it drops. */
class ChangeListener {
  private client: pg.Client | undefined;
  private started = false;
  private stopped = false;
  private lost = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly onChange: (payload: string) => void,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === changeChannel && message.payload) this.onChange(message.payload);
    });
    const reconnect = (error?: Error) => {
      if (this.stopped || this.client !== client) return;
      this.client = undefined;
      this.lost = true;
      if (error) this.logger.warn({ err: error }, 'installation change listener lost its connection; reconnecting');
      // Changes may have been missed while disconnected: forget everything cached.
      this.onChange('*');
      client.end().catch(() => {});
      this.retryTimer = setTimeout(() => void this.connect(), 1000);
      this.retryTimer.unref();
    };
    client.on('error', reconnect);
    client.on('end', () => reconnect());
    try {
      await client.connect();
      await client.query(`LISTEN ${changeChannel}`);
      // Listening again after a loss: what changed meanwhile was not heard, so all is read again.
      if (this.lost) this.onChange('*');
      this.lost = false;
    } catch (error) {
      reconnect(error as Error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
