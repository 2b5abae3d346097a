/**
 * `npm run bench:enqueue` — 2,000 overlapping POST /api/tasks/scrape over 16 connections against a daemon process
 * (issue 17). Options: BENCH_QUICK=1, BENCH_ENQUEUE_ROUNDS, BENCH_ENQUEUE_REQUESTS, BENCH_DATABASE_URL.
 */
import { enqueuePart } from './enqueue/part.js';
import { runParts } from './lib/part.js';

await runParts([enqueuePart], 'npm run bench:enqueue');
