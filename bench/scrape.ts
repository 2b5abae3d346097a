/**
 * `npm run bench:scrape` — 10 emulated accounts at 30 requests per (compressed) hour scrape 300 profiles through a
 * real daemon process: requests per profile, budget utilisation, violations, wall time against the minimum.
 * Then the saturated run of issue 15 (budgets of 6, expiring sessions, a third of the accounts unreachable).
 * Options: BENCH_QUICK=1, BENCH_SCRAPE_PROFILES, BENCH_SCRAPE_WINDOW_MS, BENCH_SATURATED_PROFILES,
 * BENCH_SATURATED_WINDOW_MS, BENCH_PARTS=scrape_saturated (that run alone), BENCH_DATABASE_URL.
 */
import { runParts } from './lib/part.js';
import { scrapePart } from './scrape/part.js';
import { saturatedPart } from './scrape/saturated.js';

await runParts(process.env.BENCH_PARTS === 'scrape_saturated' ? [saturatedPart] : [scrapePart, saturatedPart], 'npm run bench:scrape');
