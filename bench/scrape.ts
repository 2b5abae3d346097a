/**
 * `npm run bench:scrape` — 10 emulated accounts at 30 requests per (compressed) hour scrape 300 profiles through a
 * real daemon process: requests per profile, budget utilisation, violations, wall time against the minimum.
 * Then the saturated run of issue 15 (budgets of 6, expiring sessions, a third of the accounts unreachable), and
 * issue 13's follower list at today's page size (10,000 followers on 1, 5 and 20 accounts).
 * Options: BENCH_QUICK=1, BENCH_SCRAPE_PROFILES, BENCH_SCRAPE_WINDOW_MS, BENCH_SATURATED_PROFILES,
 * BENCH_SATURATED_WINDOW_MS, BENCH_FOLLOWERS, BENCH_FOLLOWERS_WINDOW_MS, BENCH_FOLLOWERS_ACCOUNTS ("1,5,20"),
 * BENCH_PARTS=scrape_saturated,followers_list (those alone), BENCH_DATABASE_URL.
 */
import { runParts } from './lib/part.js';
import { scrapePart } from './scrape/part.js';
import { followersListPart } from './scrape/followers-list.js';
import { audienceQualityPart } from './scrape/audience-quality.js';
import { saturatedPart } from './scrape/saturated.js';

const all = [scrapePart, saturatedPart, followersListPart, audienceQualityPart];
const chosen = process.env.BENCH_PARTS?.split(',');
await runParts(chosen ? all.filter((p) => chosen.includes(p.name)) : all, 'npm run bench:scrape');
