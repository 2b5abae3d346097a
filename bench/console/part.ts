import pg from 'pg';
import { seed } from '../api/seed.js';
import { BENCH_API_KEY, startDaemon } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { packageVersion } from '../lib/results.js';
import { percentile, quick, round1 } from '../lib/stats.js';
import { launchBrowser } from '../../test/helpers/browser.js';

/** Console pages as a planner opens them; the creators page first (the target: < 300 ms on 100,000 creators). */
const PAGES = [
  '/ui',
  '/ui?sort=er&order=desc&min_followers=10000',
  '/ui?q=mountains',
  '/ui?q=creator_77777',
  '/ui?category=food&sort=scraped_at',
  '/ui/creators/creator_500',
  '/ui/tasks',
  '/ui/tasks?status=failed&type=full_scrape',
  '/ui/overview',
  '/ui/accounts',
  '/ui/logs',
];
const TARGET_MS = 300;

/**
 * The web console on 100,000 creators (and 100,000 tasks), against a real daemon process: each page loaded in a
 * real Chromium (signed in through the form) and timed by the browser's own Navigation Timing (request start →
 * load event: server time, transfer, parsing, scripts and styles), and the same pages fetched sequentially (server
 * time and body transfer only).
 */
export const consolePart: BenchPart = {
  name: 'console',
  title: 'Web console: 100,000 creators',
  script: 'npm run bench:console',
  async run(url) {
    const blogs = Number(process.env.BENCH_CONSOLE_BLOGS ?? (quick() ? 10_000 : 100_000));
    const tasks = Number(process.env.BENCH_CONSOLE_TASKS ?? (quick() ? 10_000 : 100_000));
    const loads = Number(process.env.BENCH_CONSOLE_LOADS ?? (quick() ? 5 : 30));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const first = await startDaemon(url, { SCHEDULER_ENABLED: 'false' });
    await first.stop();
    const seedStarted = Date.now();
    await seed(client, blogs, tasks);
    log(`seeded ${blogs} blogs and ${tasks} tasks in ${round1((Date.now() - seedStarted) / 1000)} s`);
    const daemon = await startDaemon(url, { SCHEDULER_ENABLED: 'false', WORKER_CONCURRENCY: '0' });
    const { browser, close } = await launchBrowser();
    const rows: Record<string, string | number>[] = [];
    try {
      const page = await browser.newPage({ locale: 'en-US' });
      await page.goto(`${daemon.api}/ui/sign-in`);
      await page.getByLabel('API key').fill(BENCH_API_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Creators' }).waitFor();
      const cookie = (await page.context().cookies()).find((c) => c.name === 'igs_session');
      if (!cookie) throw new Error('sign-in gave no session cookie');
      for (const route of PAGES) {
        const browserMs: number[] = [];
        const serverMs: number[] = [];
        let bytes = 0;
        // One warm-up load (first statement plans, the uPlot file read once), not counted.
        await page.goto(`${daemon.api}${route}`, { waitUntil: 'load' });
        for (let i = 0; i < loads; i++) {
          await page.goto(`${daemon.api}${route}`, { waitUntil: 'load' });
          const timing = await page.evaluate(() => {
            const [nav] = (
              globalThis as unknown as {
                performance: { getEntriesByType(t: string): { startTime: number; loadEventEnd: number; transferSize: number }[] };
              }
            ).performance.getEntriesByType('navigation');
            return { ms: nav!.loadEventEnd - nav!.startTime, bytes: nav!.transferSize };
          });
          browserMs.push(timing.ms);
          const started = performance.now();
          const response = await fetch(`${daemon.api}${route}`, { headers: { cookie: `igs_session=${cookie.value}` }, redirect: 'manual' });
          const body = await response.text();
          serverMs.push(performance.now() - started);
          if (response.status !== 200) throw new Error(`GET ${route} → ${response.status}`);
          bytes = body.length;
        }
        const row = {
          page: route,
          'browser load p50 ms': round1(percentile(browserMs, 50)),
          'browser load p95 ms': round1(percentile(browserMs, 95)),
          'browser load max ms': round1(Math.max(...browserMs)),
          'server p50 ms': round1(percentile(serverMs, 50)),
          'server p95 ms': round1(percentile(serverMs, 95)),
          'HTML KB': round1(bytes / 1024),
        };
        log(`${route}: ${JSON.stringify(row)}`);
        rows.push(row);
      }
    } finally {
      await close();
      await daemon.stop();
      await client.end();
    }
    const creators = rows.filter((r) => String(r.page).startsWith('/ui?') || r.page === '/ui');
    const worst = creators.reduce((a, b) => (Number(b['browser load p95 ms']) > Number(a['browser load p95 ms']) ? b : a));
    return {
      versions: { 'playwright-core': await packageVersion('playwright-core'), uplot: await packageVersion('uplot') },
      summary: {
        creators: `${blogs.toLocaleString('en-US')}`,
        'creators page (/ui) browser load p50 / p95 ms': `${rows[0]!['browser load p50 ms']} / ${rows[0]!['browser load p95 ms']}`,
        'slowest creators view (p95)': `${worst.page}: ${worst['browser load p95 ms']} ms`,
        [`target < ${TARGET_MS} ms (p95, every creators view)`]: Number(worst['browser load p95 ms']) < TARGET_MS ? 'met' : 'MISSED',
      },
      tables: [{ title: `${loads} loads per page, one after the other`, columns: Object.keys(rows[0]!), rows }],
      notes: [
        `A real daemon process (src/main.ts under tsx, WORKER_CONCURRENCY=0, SCHEDULER_ENABLED=false) on ${blogs.toLocaleString('en-US')} blogs and ${tasks.toLocaleString('en-US')} tasks (bench/api/seed.ts, VACUUM ANALYZEd).`,
        'Browser load: a real headless Chromium (@sparticuz/chromium + playwright-core), signed in through the form; Navigation Timing from the request start to the end of the load event (the page, its stylesheet and scripts, uPlot on the creator page). Server: the same page fetched by Node with the session cookie (response and body).',
        'The creators page runs the query of GET /api/blogs (src/results/blog-list.ts, 50 rows a page, has_more paging, no total count) and renders 50 rows.',
      ],
    };
  },
};
