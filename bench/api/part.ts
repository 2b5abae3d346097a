import pg from 'pg';
import { BENCH_API_KEY, startDaemon } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { packageVersion } from '../lib/results.js';
import { percentile, quick, round1 } from '../lib/stats.js';
import { autocannon } from './load.js';
import { seed } from './seed.js';

/** Read routes under load; the query strings are what the README shows as typical. */
const routes = (tasks: number) => [
  '/api/tasks',
  '/api/tasks?status=failed&limit=50',
  '/api/tasks?status=pending&limit=50',
  '/api/tasks?status=done&task_type=full_scrape&limit=100&offset=5000',
  '/api/blogs',
  '/api/blogs?sort=er&min_followers=10000&limit=50',
  '/api/blogs?q=mountains&limit=20',
  // A rare term (one blog): without the trigram indexes of migration 0009 it reads all 100,000 blogs.
  '/api/blogs?q=creator_77777&limit=20',
  '/api/blogs?source=discover:*&sort=scraped_at&limit=50',
  `/api/tasks/${Math.floor(tasks / 2)}`,
  '/api/health',
];

export const apiPart: BenchPart = {
  name: 'api',
  title: 'API: 1,000,000 tasks and 100,000 blogs',
  script: 'npm run bench:api',
  async run(url) {
    const tasks = Number(process.env.BENCH_API_TASKS ?? (quick() ? 100_000 : 1_000_000));
    const blogs = Number(process.env.BENCH_API_BLOGS ?? (quick() ? 10_000 : 100_000));
    const seconds = Number(process.env.BENCH_API_SECONDS ?? (quick() ? 2 : 8));
    const connections = 10;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // The daemon migrates an empty database; stop it, fill the tables, start it again on the data.
    const first = await startDaemon(url, { SCHEDULER_ENABLED: 'false' });
    await first.stop();
    const seedStarted = Date.now();
    await seed(client, blogs, tasks);
    const seedS = round1((Date.now() - seedStarted) / 1000);
    log(`seeded ${tasks} tasks and ${blogs} blogs in ${seedS} s`);
    const daemon = await startDaemon(url, { SCHEDULER_ENABLED: 'false' });
    const rows: Record<string, string | number | null>[] = [];
    try {
      for (const route of routes(tasks)) {
        const r = await autocannon(`${daemon.api}${route}`, {
          connections,
          seconds,
          headers: { authorization: `Bearer ${BENCH_API_KEY}` },
        });
        log(`GET ${route}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}`);
        rows.push({
          request: `GET ${route}`,
          'req/s': r.rps,
          'p50 ms': r.p50,
          'p99 ms': r.p99,
          'max ms': r.max,
          requests: r.requests,
          'non-2xx': r.non2xx,
          errors: r.errors,
        });
      }
      // POST /api/tasks/scrape with 1,000 usernames: new ones (1,000 blogs and tasks created), then the same again
      // (all found live), one request at a time.
      const rounds = quick() ? 3 : 10;
      const fresh: number[] = [];
      const again: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const usernames = Array.from({ length: 1000 }, (_, j) => `bench.new_${i}_${j}`);
        const created = await daemon.call('POST', '/api/tasks/scrape', { usernames });
        if (created.status !== 202 || created.json.created !== 1000)
          throw new Error(`scrape → ${created.status} ${JSON.stringify(created.json).slice(0, 300)}`);
        fresh.push(created.ms);
        const repeated = await daemon.call('POST', '/api/tasks/scrape', { usernames });
        if (repeated.status !== 202 || repeated.json.existing !== 1000) throw new Error(`scrape again → ${repeated.status}`);
        again.push(repeated.ms);
      }
      for (const [label, samples] of [
        ['1,000 new usernames', fresh],
        ['the same 1,000 again (all live)', again],
      ] as const) {
        rows.push({
          request: `POST /api/tasks/scrape, ${label}`,
          'req/s': null,
          'p50 ms': round1(percentile(samples, 50)),
          'p99 ms': round1(percentile(samples, 99)),
          'max ms': round1(Math.max(...samples)),
          requests: samples.length,
          'non-2xx': 0,
          errors: 0,
        });
      }
      const { rows: counts } = await client.query<{ tasks: string; blogs: string }>(
        'SELECT (SELECT count(*) FROM scrape_tasks) AS tasks, (SELECT count(*) FROM blogs) AS blogs',
      );
      const reads = rows.filter((r) => String(r.request).startsWith('GET'));
      const worst = reads.reduce((a, b) => (Number(b['p99 ms']) > Number(a['p99 ms']) ? b : a));
      // By name, not position: a route added to the list must not shift what the summary reports.
      const p50p99 = (request: string) => {
        const row = reads.find((r) => r.request === request)!;
        return `${row['p50 ms']} / ${row['p99 ms']}`;
      };
      return {
        versions: { autocannon: await packageVersion('autocannon') },
        summary: {
          'rows at the end': `${Number(counts[0]!.tasks).toLocaleString('en-US')} tasks, ${Number(counts[0]!.blogs).toLocaleString('en-US')} blogs`,
          'GET /api/tasks p50 / p99 ms': p50p99('GET /api/tasks'),
          'GET /api/blogs p50 / p99 ms': p50p99('GET /api/blogs'),
          'slowest read (p99)': `${worst.request}: ${worst['p99 ms']} ms`,
          'POST /api/tasks/scrape (1,000 new) p50 / max ms': `${round1(percentile(fresh, 50))} / ${round1(Math.max(...fresh))}`,
          'seed time': `${seedS} s`,
        },
        tables: [{ title: `${connections} connections, ${seconds} s per route`, columns: Object.keys(rows[0]!), rows }],
        notes: [
          `A real daemon process (src/main.ts under tsx, defaults: DB_POOL_MAX 10, WORKER_CONCURRENCY 2, no accounts so no task is claimed; SCHEDULER_ENABLED=false so no job touches the data) on ${tasks.toLocaleString('en-US')} tasks (90 % done, 4 % failed, 1 % cancelled, 5 % pending; 70 % full_scrape) and ${blogs.toLocaleString('en-US')} blogs, inserted with generate_series (bench/api/seed.ts) and VACUUM ANALYZEd (as autovacuum leaves a table of that age).`,
          `Load: autocannon's CLI in a separate process (${connections} connections, ${seconds} s per route, keep-alive, bearer key) against 127.0.0.1; the bench process, the daemon and Postgres share the 2 cores with it.`,
          'POST /api/tasks/scrape: sequential requests, each 1,000 new usernames (blogs upserted, 1,000 full_scrape tasks created), then the same list again (all returned as existing).',
        ],
      };
    } finally {
      await daemon.stop();
      await client.end();
    }
  },
};
