/**
 * `npm run bench:memory` — RSS of a daemon process with 100 accounts (on the Instagram emulator), idle and while it
 * scrapes with all of them and serves API reads. Options: BENCH_QUICK=1, BENCH_DATABASE_URL.
 */
import { memoryPart } from './memory/part.js';
import { runParts } from './lib/part.js';

await runParts([memoryPart], 'npm run bench:memory');
