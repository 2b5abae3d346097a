/**
 * `npm run bench:api` — GET /api/tasks, /api/blogs and friends under load (autocannon, a separate process) against
 * a daemon process on 1,000,000 tasks and 100,000 blogs; POST /api/tasks/scrape with 1,000 usernames.
 * Options: BENCH_QUICK=1, BENCH_API_TASKS, BENCH_API_BLOGS, BENCH_API_SECONDS, BENCH_DATABASE_URL.
 */
import { apiPart } from './api/part.js';
import { runParts } from './lib/part.js';

await runParts([apiPart], 'npm run bench:api');
