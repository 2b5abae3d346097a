/**
 * `npm run bench:console` — the web console's pages on 100,000 creators, loaded in a real Chromium against a daemon
 * process. Options: BENCH_QUICK=1, BENCH_CONSOLE_BLOGS, BENCH_CONSOLE_TASKS, BENCH_CONSOLE_LOADS.
 */
import { consolePart } from './console/part.js';
import { runParts } from './lib/part.js';

await runParts([consolePart], 'npm run bench:console');
