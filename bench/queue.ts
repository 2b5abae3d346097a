/**
 * `npm run bench:queue` — pushes N no-op tasks through this project's queue (the real TaskRunner, claim, complete
 * and LISTEN/NOTIFY) and prints throughput and enqueue→start latency at several concurrencies.
 *
 * Postgres: BENCH_DATABASE_URL (a database it may fill and truncate) or a fresh embedded one in a temp folder.
 * Options: BENCH_TASKS (default 10000), BENCH_CONCURRENCY (default "1,8").
 *
 * Two phases per concurrency, so that a backlog does not pass for latency:
 *  - throughput: N tasks enqueued in one statement, then drained; tasks/s = N / drain time;
 *  - latency: BENCH_LATENCY_TASKS (default 2000) enqueued one INSERT at a time at half the measured throughput
 *    (as API clients would, below saturation); latency = started_at − created_at, both stamped by Postgres.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { enqueueTasks } from '../src/queue/enqueue.js';
import { NewWorkListener } from '../src/queue/listener.js';
import { TaskRegistry } from '../src/queue/registry.js';
import { TaskRunner } from '../src/queue/runner.js';
import { waitFor } from '../src/util/wait.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const LATENCY_TASKS = Number(process.env.BENCH_LATENCY_TASKS ?? 2000);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,8').split(',').map(Number);
const logger = createLogger({ level: 'warn', format: 'json' });

async function main() {
  let url = process.env.BENCH_DATABASE_URL;
  let cleanup = async () => {};
  if (!url) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'igscout-bench-'));
    const embedded = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger, adoptRunning: true, database: 'bench' });
    url = embedded.connectionString;
    cleanup = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const results = [];
  try {
    for (const concurrency of CONCURRENCIES) results.push(await runOnce(url, concurrency));
  } finally {
    await cleanup();
  }
  console.log(`\nqueue benchmark: ${TASKS} no-op tasks, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}`);
  console.table(results);
}

async function runOnce(url: string, concurrency: number) {
  const handle = openDatabase(url, { poolMax: concurrency + 4 });
  const { db } = handle;
  await migrate(handle.pool, logger);
  await sql`TRUNCATE scrape_tasks RESTART IDENTITY CASCADE`.execute(db);
  const registry = new TaskRegistry().register({ type: 'full_scrape', handler: async () => undefined });
  const runner = new TaskRunner({
    db,
    registry,
    logger,
    options: { workerId: `bench-${concurrency}`, concurrency, pollIntervalMs: 1000, leaseMs: 60_000, backoffBaseMs: 300_000, backoffFactor: 3 },
  });
  const listener = new NewWorkListener(url, () => runner.wake(), logger);
  listener.start();
  runner.start();

  // Throughput: a full backlog, drained.
  const drainStart = performance.now();
  await enqueueTasks(db, Array.from({ length: TASKS }, () => ({ type: 'full_scrape' })), { maxAttempts: 3 });
  await waitUntilDone(db, TASKS);
  const throughput = TASKS / ((performance.now() - drainStart) / 1000);
  await sql`TRUNCATE scrape_tasks RESTART IDENTITY CASCADE`.execute(db);

  // Latency: single inserts at half that rate.
  const gapMs = 1000 / (throughput / 2);
  const paceStart = performance.now();
  for (let i = 0; i < LATENCY_TASKS; i++) {
    const due = paceStart + i * gapMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    await enqueueTasks(db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
  }
  await waitUntilDone(db, LATENCY_TASKS);
  await runner.stop(1000);
  await listener.stop();

  const latency = await sql<{ p50: number; p99: number; max: number }>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
           max(ms) AS max
    FROM (SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM scrape_tasks) AS l`.execute(db);
  await handle.close();
  const { p50, p99, max } = latency.rows[0]!;
  return {
    concurrency,
    tasks: TASKS,
    'throughput tasks/s': Math.round(throughput),
    'paced at tasks/s': Math.round(throughput / 2),
    'latency p50 ms': round(p50),
    'latency p99 ms': round(p99),
    'latency max ms': round(max),
  };
}

async function waitUntilDone(db: ReturnType<typeof openDatabase>['db'], expected: number) {
  await waitFor(
    async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM scrape_tasks WHERE status = 'done'`.execute(db)).rows[0]!.n === expected,
    { timeoutMs: 600_000, intervalMs: 20, what: 'all tasks done' },
  );
}

const round = (n: number) => Math.round(Number(n) * 10) / 10;

await main();
