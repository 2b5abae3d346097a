/**
 * `npm run bench:queue` — 20,000 no-op tasks through this project's queue, graphile-worker and pg-boss on one
 * Postgres at concurrency 1, 8 and 32: throughput, queries per task, enqueue→start latency. See bench/queue/.
 * Options: BENCH_QUICK=1, BENCH_TASKS, BENCH_LATENCY_TASKS, BENCH_PACE_RATE, BENCH_CONCURRENCY ("1,8,32"),
 * BENCH_DATABASE_URL.
 */
import { runParts } from './lib/part.js';
import { queuePart } from './queue/part.js';

await runParts([queuePart], 'npm run bench:queue');
