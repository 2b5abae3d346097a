/**
 * `npm run bench:queue` — 20,000 no-op tasks through this project's queue, graphile-worker and pg-boss on one
 * Postgres at concurrency 1, 8 and 32: throughput, queries per task, enqueue→start latency. See bench/queue/.
 * Options: BENCH_QUICK=1, BENCH_ROUNDS (3), BENCH_TASKS, BENCH_LATENCY_TASKS, BENCH_PACE_RATE, BENCH_CONCURRENCY ("1,8,32"),
 * BENCH_DATABASE_URL. Then the stuck-backlog run (BENCH_PARTS=queue_backlog alone, BENCH_PARTS=queue without it;
 * BENCH_BACKLOG_FINISHED, BENCH_BACKLOG_PENDING).
 */
import { runParts } from './lib/part.js';
import { backlogPart } from './queue/backlog.js';
import { queuePart } from './queue/part.js';

const only = process.env.BENCH_PARTS;
const parts = only === 'queue_backlog' ? [backlogPart] : only === 'queue' ? [queuePart] : [queuePart, backlogPart];
// The command as run, with the settings that change what is measured (BENCH_QUICK is added by runParts).
const settings = ['BENCH_PARTS', 'BENCH_ROUNDS', 'BENCH_TASKS', 'BENCH_LATENCY_TASKS', 'BENCH_PACE_RATE', 'BENCH_CONCURRENCY']
  .filter((name) => process.env[name])
  .map((name) => `${name}=${process.env[name]} `)
  .join('');
await runParts(parts, `${settings}npm run bench:queue`);
