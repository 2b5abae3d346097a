import pg from 'pg';
import { startInstagramEmulator } from '../../emulator/instagram/index.js';
import { sleep } from '../../src/util/wait.js';
import { startDaemon } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { quick, round1, round2 } from '../lib/stats.js';
import { analyseBudget } from './analyse.js';

const ACCOUNTS = 10;
const BUDGET = 30;

export const scrapePart: BenchPart = {
  name: 'scrape',
  title: 'Scraping: 10 accounts at 30 requests per (compressed) hour',
  script: 'npm run bench:scrape',
  async run(url) {
    const profiles = Number(process.env.BENCH_SCRAPE_PROFILES ?? (quick() ? 100 : 300));
    const windowMs = Number(process.env.BENCH_SCRAPE_WINDOW_MS ?? (quick() ? 5000 : 12_000));
    // Pauses between one account's requests scaled like the hour: 2–5 s per 3,600 s.
    const delayMin = Math.max(1, Math.round((2000 * windowMs) / 3_600_000));
    const delayMax = Math.max(delayMin, Math.round((5000 * windowMs) / 3_600_000));
    const emulator = await startInstagramEmulator({ seed: 11, proxies: ACCOUNTS, world: { accounts: ACCOUNTS + 3, creators: profiles } });
    emulator.setRateLimit({ maxRequests: BUDGET, windowMs }); // Instagram's own limit: any 429 is a violation
    const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, ACCOUNTS);
    const usernames = emulator.world.creators.slice(0, profiles).map((c) => c.username);
    const client = new pg.Client({ connectionString: url });
    const daemon = await startDaemon(url, {
      WORKER_CONCURRENCY: String(ACCOUNTS),
      IG_PROXIES: emulator.proxyUrls.join('\n'),
      IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
      ACCOUNT_REQUESTS_PER_HOUR: String(BUDGET),
      ACCOUNT_BUDGET_WINDOW_MS: String(windowMs),
      ACCOUNT_WARMUP_DAYS: '0',
      ACCOUNT_REQUEST_DELAY_MIN_MS: String(delayMin),
      ACCOUNT_REQUEST_DELAY_MAX_MS: String(delayMax),
    });
    try {
      await client.connect();
      const started = Date.now();
      const response = await daemon.call('POST', '/api/tasks/scrape', { usernames });
      if (response.status !== 202) throw new Error(`POST /api/tasks/scrape → ${response.status} ${JSON.stringify(response.json)}`);
      const minimumMs = ((profiles * 5 + ACCOUNTS) / (ACCOUNTS * BUDGET)) * windowMs;
      const deadline = started + Math.max(120_000, minimumMs * 4);
      let finished = 0;
      for (;;) {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM scrape_tasks WHERE task_type = 'full_scrape' AND status IN ('done', 'failed')",
        );
        finished = Number(rows[0]!.n);
        if (finished >= profiles) break;
        if (Date.now() > deadline) throw new Error(`only ${finished} of ${profiles} scrapes finished in time`);
        await sleep(100);
      }
      const wallMs = Date.now() - started;
      const { rows: times } = await client.query<{ last_claim: Date; last_done: Date }>(
        "SELECT max(started_at) AS last_claim, max(completed_at) AS last_done FROM scrape_tasks WHERE task_type = 'full_scrape'",
      );
      const { rows: byStatus } = await client.query<{ status: string; n: string }>(
        "SELECT status, count(*) AS n FROM scrape_tasks WHERE task_type = 'full_scrape' GROUP BY 1 ORDER BY 1",
      );
      const { rows: blogs } = await client.query<{ scrape_status: string; n: string }>(
        'SELECT scrape_status, count(*) AS n FROM blogs GROUP BY 1 ORDER BY 1',
      );
      const budget = analyseBudget(emulator.log, {
        accounts: accounts.map((a) => a.username),
        budget: BUDGET,
        windowMs,
        lastClaimAt: times[0]!.last_claim.getTime(),
      });
      const theoreticalMs = (budget.requests / (ACCOUNTS * BUDGET)) * windowMs;
      const slidingFloorMs = (Math.ceil(budget.requests / (ACCOUNTS * BUDGET)) - 1) * windowMs;
      const logins = accounts.reduce((sum, a) => sum + emulator.loginCount(a.username), 0);
      const routes = new Map<string, number>();
      for (const e of emulator.log) if (e.username) routes.set(e.route, (routes.get(e.route) ?? 0) + 1);
      log(`scrape: ${budget.requests} requests, utilisation ${budget.utilisation}, wall ${wallMs} ms vs ${theoreticalMs} ms`);
      return {
        summary: {
          profiles,
          'budget window (compressed hour)': `${windowMs / 1000} s (daemon ACCOUNT_BUDGET_WINDOW_MS and emulator rate limit alike)`,
          'requests to Instagram (emulator log, logins included)': budget.requests,
          'requests per profile': round2(budget.requests / profiles),
          'budget utilisation while work was waiting (target ≥ 95 %)':
            budget.utilisation === null ? null : `${round1(budget.utilisation * 100)} % over ${budget.fullWindows} whole windows`,
          'budget violations: 429 answers (target 0)': budget.rateLimited,
          'budget violations: accounts over 30 in a sliding window (target 0)': budget.accountsOverBudget,
          'busiest window of any account': budget.busiestWindow,
          'wall time, enqueue → last scrape finished': `${round1(wallMs / 1000)} s`,
          'theoretical minimum (requests ÷ (10 × 30) × window)': `${round1(theoreticalMs / 1000)} s`,
          'wall ÷ minimum': round2(wallMs / theoreticalMs),
          // A sliding window lets each account spend its first budget at once, so the last window need not be waited
          // out: the real floor is one window less than the number of budgets the work needs.
          'sliding-window floor ((⌈requests ÷ 300⌉ − 1) × window)': `${round1(slidingFloorMs / 1000)} s`,
          'wall ÷ sliding-window floor': round2(wallMs / slidingFloorMs),
        },
        tables: [
          {
            title: 'Outcome',
            columns: ['what', 'counts'],
            rows: [
              { what: 'full_scrape tasks by status', counts: byStatus.map((r) => `${r.status} ${r.n}`).join(', ') },
              { what: 'blogs by scrape_status', counts: blogs.map((r) => `${r.scrape_status} ${r.n}`).join(', ') },
              { what: 'logins', counts: logins },
              {
                what: 'requests by route',
                counts: [...routes]
                  .sort((a, b) => b[1] - a[1])
                  .map(([r, n]) => `${r} ${n}`)
                  .join(', '),
              },
              {
                what: 'last task claimed / finished after enqueue',
                counts: `${round1((times[0]!.last_claim.getTime() - started) / 1000)} s / ${round1((times[0]!.last_done.getTime() - started) / 1000)} s`,
              },
            ],
          },
        ],
        notes: [
          `A real daemon process (src/main.ts under tsx, WORKER_CONCURRENCY=${ACCOUNTS}) on the bench database and the Instagram emulator (emulator/instagram, seed 11, ${profiles} creators, 10 proxies, one per account); all ${profiles} usernames in one POST /api/tasks/scrape.`,
          `Compressed time: ACCOUNT_BUDGET_WINDOW_MS=${windowMs} and the emulator's rate limit ${BUDGET} per ${windowMs} ms per account; pauses between one account's requests ${delayMin}–${delayMax} ms (2–5 s scaled like the hour); warm-up off.`,
          "Utilisation: requests made ÷ (accounts × 30 × whole windows) from the first request until the last task was claimed (after that no work waited); violations and windows are read from the emulator's request log (wall clock), not from the daemon.",
          'A private profile costs 1 request, a deleted one 1, a public one up to 5 (profile, 2 feed pages, highlights tray, highlight stories); ai_analysis tasks stay pending (no OpenAI key) and are not counted.',
        ],
      };
    } finally {
      await daemon.stop();
      await client.end().catch(() => undefined);
      await emulator.close();
    }
  },
};
