import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { setConflictRetryPolicy, type ConflictRetryPolicy } from './retry.js';
import { preparedName } from './sql-file.js';

export type Db = Kysely<Database>;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * int8 (our ids and counters) and numeric (ER values) as JS numbers: ids stay far below 2^53 and ER has two
 * decimals. Instagram ids, which do exceed 2^53, are stored as text and never pass through here.
 * Set per pool rather than on pg's global registry so nothing else in the process is affected.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  connectionString: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  poolMax: number;
  onPoolError?: (error: Error) => void;
  /** The runner's own pool: its sessions run with QUEUE_SESSION_SETTINGS. */
  queuePool?: boolean;
  /** How transactions aborted for a deadlock or serialization failure are run again (src/db/retry.ts); default 3 runs. */
  conflictRetry?: ConflictRetryPolicy;
}

/**
 * Session settings of the queue's own pool, which runs only the runner's statements (sql/queue/: claim, complete,
 * fail, release, lease renewal, checkpoints, recovery):
 *  - plan_cache_mode = force_generic_plan: each prepared statement is planned once per connection, never per call.
 *    Those statements are written to have a single good plan whatever their parameters; queries whose best plan
 *    depends on their values (API filters) keep custom plans on the main pool.
 *  - synchronous_commit = off: a claim or completion returns without waiting for its WAL flush (0.1 to 0.2 ms of a
 *    0.4 ms claim on an idle server; see BENCHMARKS.md). What a Postgres crash can undo is at most the last
 *    ~600 ms (three times wal_writer_delay, per the Postgres manual) of lease bookkeeping, never data: a task whose claim or completion is lost goes
 *    back to `running` or `pending` and runs again, as after an expired lease, which delivery is already
 *    at-least-once for. Handlers write their data on the main pool, committed synchronously, and such a commit also
 *    flushes every earlier record, the claim of its own task included. A crash of this process loses nothing.
 */
const QUEUE_SESSION_SETTINGS = '-c plan_cache_mode=force_generic_plan -c synchronous_commit=off';

export function createPool(connectionString: string, max: number, queuePool = false): pg.Pool {
  return new pg.Pool({
    connectionString,
    max,
    types: typeParsers,
    application_name: 'ig-scout',
    ...(queuePool ? { options: QUEUE_SESSION_SETTINGS } : {}),
  });
}

export function openDatabase(connectionString: string, options: OpenOptions): DatabaseHandle {
  const pool = createPool(connectionString, options.poolMax, options.queuePool);
  pool.on('connect', namePreparedStatements);
  // An idle client losing its connection (Postgres restarted) must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.onPoolError?.(error));
  // A client that is checked out has no listener of the pool's: if Postgres goes away while one is (a query just
  // failed with "terminating connection", not yet released), pg emits 'error' on the client itself, and an 'error'
  // event nobody listens to kills the process. Found by test/faults/postgres-outage.test.ts. The failed query already
  // rejected, and the pool drops the broken client when it is released; here we only keep the process alive.
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (options.conflictRetry) setConflictRetryPolicy(db, options.conflictRetry);
  return {
    db,
    pool,
    connectionString,
    close: () => db.destroy(),
  };
}

/**
 * Kysely sends every query as an unnamed statement, parsed and planned anew each time. For the texts registered
 * with loadPreparedSql, this connection sends a named one instead; pg prepares it on first use and then only binds
 * and executes. Everything else passes through untouched. (Behind PgBouncer in transaction mode this needs its
 * max_prepared_statements, 1.21 or later.)
 */
function namePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values, callback] = args;
    const name = typeof text === 'string' ? preparedName(text) : undefined;
    if (!name) return query(...args);
    return callback === undefined ? query({ name, text, values }) : query({ name, text, values }, callback);
  }) as typeof client.query;
}
