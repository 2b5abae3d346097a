/**
 * `npx tsx bench/webhook-trigger.ts` — what the webhook outbox trigger on scrape_tasks (migration 0021) costs the
 * queue's completion path (issue 18). N running tasks are completed through the runner's own statement
 * (sql/queue/complete-claim.sql via completeAndClaim, on a queue pool: prepared, asynchronous commit) in batches of
 * 32, alternating rounds: trigger disabled, trigger with no endpoint, and (last) an endpoint subscribed to
 * task.completed (one event + one delivery written per task). Also one UPDATE of all N rows in one statement, which
 * shows the trigger's per-row CPU without commits. Prints medians; writes nothing else.
 * Options: BENCH_WEBHOOK_TASKS (20000), BENCH_WEBHOOK_ROUNDS (5), BENCH_DATABASE_URL.
 */
import { sql, type Kysely } from 'kysely';
import { SecretBox } from '../src/crypto/secret-box.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { completeAndClaim } from '../src/queue/claim.js';
import { createEndpoint } from '../src/webhooks/store.js';
import { openBenchPostgres } from './lib/postgres.js';

const N = Number(process.env.BENCH_WEBHOOK_TASKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 5);
const BATCH = 32;

const postgres = await openBenchPostgres();
try {
  const url = await postgres.database('bench_webhook_trigger');
  const main = openDatabase(url, { poolMax: 2 });
  await migrate(main.pool, createLogger({ level: 'warn', format: 'json' }));
  const queue = openDatabase(url, { poolMax: 1, queuePool: true });

  const results: Record<string, { batched: number[]; oneStatement: number[] }> = {};
  const record = (label: string, batched: number, oneStatement: number) => {
    results[label] ??= { batched: [], oneStatement: [] };
    results[label].batched.push(batched);
    results[label].oneStatement.push(oneStatement);
  };
  const trigger = (on: boolean) =>
    sql.raw(`ALTER TABLE scrape_tasks ${on ? 'ENABLE' : 'DISABLE'} TRIGGER scrape_tasks_webhooks`).execute(main.db);

  for (let round = 0; round < ROUNDS; round++) {
    for (const on of [false, true]) {
      await trigger(on);
      record(on ? 'trigger, no endpoint' : 'no trigger', await batchedCompletions(main.db, queue.db), await oneStatement(main.db));
    }
  }
  await trigger(true);
  await createEndpoint(main.db, SecretBox.fromString(SecretBox.generateKey()), {
    url: 'https://receiver.example.com/hooks',
    events: ['task.completed'],
  });
  for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
    record('trigger, endpoint subscribed', await batchedCompletions(main.db, queue.db), await oneStatement(main.db));
  }

  console.log(`${N} completions, median of rounds (µs per task):`);
  console.log('| case | batches of 32 (complete-claim.sql, async commit) | one UPDATE of all rows |');
  console.log('|---|---|---|');
  for (const [label, r] of Object.entries(results))
    console.log(`| ${label} | ${median(r.batched).toFixed(1)} | ${median(r.oneStatement).toFixed(2)} |`);
  await queue.close();
  await main.close();
} finally {
  await postgres.stop();
}

/** N running tasks, leased to 'w'. */
async function runningTasks(db: Kysely<Database>): Promise<number[]> {
  await sql`TRUNCATE scrape_tasks, webhook_events RESTART IDENTITY CASCADE`.execute(db);
  const { rows } = await sql<{ id: number }>`
    INSERT INTO scrape_tasks (task_type, status, attempts, locked_by, locked_until, started_at)
    SELECT 'full_scrape', 'running', 1, 'w', now() + interval '1 hour', now() FROM generate_series(1, ${N})
    RETURNING id`.execute(db);
  await sql`VACUUM ANALYZE scrape_tasks`.execute(db);
  return rows.map((r) => r.id);
}

async function batchedCompletions(db: Kysely<Database>, queueDb: Kysely<Database>): Promise<number> {
  const ids = await runningTasks(db);
  const started = process.hrtime.bigint();
  for (let i = 0; i < ids.length; i += BATCH) {
    await completeAndClaim(
      queueDb,
      ids.slice(i, i + BATCH).map((id) => ({ id, leaseToken: 'w' })),
    );
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / N;
}

async function oneStatement(db: Kysely<Database>): Promise<number> {
  await runningTasks(db);
  const started = process.hrtime.bigint();
  await sql`UPDATE scrape_tasks SET status = 'done', completed_at = now(), locked_by = NULL, locked_until = NULL WHERE status = 'running'`.execute(
    db,
  );
  return Number(process.hrtime.bigint() - started) / 1e3 / N;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
