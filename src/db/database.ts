import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
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
  /**
   * Plan prepared statements once per connection, never per call (plan_cache_mode = force_generic_plan). Only for
   * the queue's own pool, whose few statements (sql/queue/) are written to have a single good plan whatever their
   * parameters; queries whose best plan depends on their values (API filters) keep custom plans on the main pool.
   */
  genericPlans?: boolean;
}

export function createPool(connectionString: string, max: number, genericPlans = false): pg.Pool {
  return new pg.Pool({
    connectionString,
    max,
    types: typeParsers,
    application_name: 'ig-scout',
    ...(genericPlans ? { options: '-c plan_cache_mode=force_generic_plan' } : {}),
  });
}

export function openDatabase(connectionString: string, options: OpenOptions): DatabaseHandle {
  const pool = createPool(connectionString, options.poolMax, options.genericPlans);
  pool.on('connect', namePreparedStatements);
  // An idle client losing its connection (Postgres restarted) must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.onPoolError?.(error));
  // A client that is checked out has no listener of the pool's: if Postgres goes away while one is (a query just
  // failed with "terminating connection", not yet released), pg emits 'error' on the client itself, and an 'error'
  // event nobody listens to kills the process. Found by test/faults/postgres-outage.test.ts. The failed query already
  // rejected, and the pool drops the broken client when it is released; here we only keep the process alive.
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
