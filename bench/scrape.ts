/**
 * `npm run bench:scrape` — 10 emulated accounts at 30 requests per (compressed) hour scrape 300 profiles through a
 * real daemon process: requests per profile, budget utilisation, violations, wall time against the minimum.
 * Options: BENCH_QUICK=1, BENCH_SCRAPE_PROFILES, BENCH_SCRAPE_WINDOW_MS, BENCH_DATABASE_URL.
 */
import { runParts } from './lib/part.js';
import { scrapePart } from './scrape/part.js';

await runParts([scrapePart], 'npm run bench:scrape');
