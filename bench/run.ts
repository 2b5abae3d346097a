/**
 * `npm run bench` — every part, one after the other, on one throw-away Postgres: queue, scraping, API, console, enqueue contention,
 * memory, export, AI cost.
 * Writes bench/results/<part>.json and BENCHMARKS.md. BENCH_QUICK=1 for a fast smoke run; BENCH_PARTS=queue,api
 * to choose parts.
 */
import { aiPart } from './ai/part.js';
import { apiPart } from './api/part.js';
import { consolePart } from './console/part.js';
import { enqueuePart } from './enqueue/part.js';
import { exportPart } from './export/part.js';
import { runParts } from './lib/part.js';
import { memoryPart } from './memory/part.js';
import { backlogPart } from './queue/backlog.js';
import { queuePart } from './queue/part.js';
import { scrapePart } from './scrape/part.js';
import { followersListPart } from './scrape/followers-list.js';
import { audienceQualityPart } from './scrape/audience-quality.js';
import { saturatedPart } from './scrape/saturated.js';

const all = [
  queuePart,
  backlogPart,
  scrapePart,
  saturatedPart,
  followersListPart,
  audienceQualityPart,
  apiPart,
  consolePart,
  enqueuePart,
  memoryPart,
  exportPart,
  aiPart,
];
const chosen = process.env.BENCH_PARTS?.split(',');
await runParts(chosen ? all.filter((p) => chosen.includes(p.name)) : all, 'npm run bench');
