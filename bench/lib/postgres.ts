import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createLogger } from '../../src/logger.js';
import { sleep } from '../../src/util/wait.js';

export interface BenchPostgres {
  /** A database of the server; each part gets its own, so one part's million rows never slow another. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * BENCH_DATABASE_URL (a server on which the role may create databases), or a throw-away embedded Postgres 17 in a
 * temp folder with default settings (fsync on: what production runs).
 */
export async function openBenchPostgres(): Promise<BenchPostgres> {
  let adminUrl = process.env.BENCH_DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'igscout-bench-'));
    const logger = createLogger({ level: 'warn', format: 'json' });
    const embedded = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger, adoptRunning: true, database: 'postgres' });
    adminUrl = embedded.connectionString;
    stop = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = adminUrl;
  return {
    async database(name: string) {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return url.toString();
    },
    stop,
  };
}

/** Another empty database on the server of `url` (dropped first if it exists), for a part that needs several. */
export async function siblingDatabase(url: string, name: string): Promise<string> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/**
 * Waits until no autovacuum worker is busy on the server (at most `timeoutMs`), then checkpoints: a measurement
 * starts on a quiet server, with its own checkpoint cycle, instead of paying for the cleanup and the dirty pages
 * that the system measured before it left behind (in an interleaved run the same system often follows the same
 * neighbour). Without the right to CHECKPOINT (a BENCH_DATABASE_URL role that is neither superuser nor
 * pg_checkpoint) it only waits.
 */
export async function quietServer(pool: pg.Pool, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND state = 'active'",
    );
    if (rows[0]!.n === 0 || Date.now() > deadline) break;
    await sleep(100);
  }
  await pool.query('CHECKPOINT').catch(() => undefined);
}
