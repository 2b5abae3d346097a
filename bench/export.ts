/**
 * `npm run bench:export` — a million blogs streamed through GET /api/blogs/export by `ig-scout export blogs`, with the
 * compiled daemon's RSS (Docker image heap settings) against its 200 MB target. Options: BENCH_QUICK=1 (100,000 rows),
 * BENCH_DATABASE_URL.
 */
import { exportPart } from './export/part.js';
import { runParts } from './lib/part.js';

await runParts([exportPart], 'npm run bench:export');
