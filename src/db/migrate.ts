import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { migrationsDir } from '../util/paths.js';

/** Any constant works; it only has to be the same in every process that migrates this database. */
const MIGRATION_LOCK_KEY = 4_242_001;

export interface Migration {
  name: string;
  sql: string;
}

export async function readMigrations(dir = migrationsDir()): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name)).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(path.join(dir, name), 'utf8') })));
}

/**
 * Applies the numbered SQL files of migrations/ that this database has not seen, each in its own transaction.
 * A session advisory lock makes concurrent starts safe: the second process waits, then finds nothing to do.
 */
export async function migrate(pool: pg.Pool, logger: Logger, dir?: string): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  // A migration that degrades instead of failing (0009 without pg_trgm) says so with RAISE WARNING: pass it on.
  const onNotice = (notice: { severity?: string; message?: string }) => {
    if (notice.severity === 'WARNING') logger.warn(`migration: ${notice.message}`);
  };
  client.on('notice', onNotice);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await applyOne(client, migration);
      applied.push(migration.name);
      logger.info({ migration: migration.name }, 'migration applied');
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.off('notice', onNotice);
    client.release();
  }
}

async function applyOne(client: pg.PoolClient, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
