import pg from 'pg';
import { startInstagramEmulator } from '../../emulator/instagram/index.js';
import { sleep } from '../../src/util/wait.js';
import { startDaemon } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { quick, round1, round2 } from '../lib/stats.js';
import { analyseBudget } from './analyse.js';

const HEALTHY = 6;
const UNREACHABLE = 3;
const BUDGET = 6;
const SESSION_REQUESTS = 25;

/**
 * Issue 15's saturated run: budgets that bind (6 requests per window), sessions that die (every 25 requests), and a
 * third of the accounts unable to reach Instagram (their proxies refuse). What it must show: requests per profile,
 * counted from the emulator's own log with logins, at most 5.5; no task failed while a healthy account existed; no
 * budget violation.
 */
export const saturatedPart: BenchPart = {
  name: 'scrape_saturated',
  title: 'Scraping under pressure: budgets of 6, expiring sessions, a third of the accounts unreachable',
  script: 'npm run bench:scrape',
  async run(url) {
    const profiles = Number(process.env.BENCH_SATURATED_PROFILES ?? (quick() ? 30 : 90));
    const windowMs = Number(process.env.BENCH_SATURATED_WINDOW_MS ?? 4000);
    const accountsTotal = HEALTHY + UNREACHABLE;
    const emulator = await startInstagramEmulator({
      seed: 15,
      proxies: accountsTotal,
      world: { accounts: accountsTotal + 3, creators: profiles },
    });
    emulator.setRateLimit({ maxRequests: BUDGET, windowMs });
    emulator.setSessionExpiry({ afterRequests: SESSION_REQUESTS });
    // The last third of the proxies refuse every connection: their accounts cannot reach Instagram at all.
    for (let i = HEALTHY; i < accountsTotal; i++) await emulator.takeProxyDown(i);
    const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, accountsTotal);
    const healthy = accounts.slice(0, HEALTHY).map((a) => a.username);
    const usernames = emulator.world.creators.slice(0, profiles).map((c) => c.username);
    const client = new pg.Client({ connectionString: url });
    const daemon = await startDaemon(url, {
      WORKER_CONCURRENCY: String(accountsTotal),
      IG_PROXIES: emulator.proxyUrls.join('\n'),
      IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
      ACCOUNT_REQUESTS_PER_HOUR: String(BUDGET),
      ACCOUNT_BUDGET_WINDOW_MS: String(windowMs),
      ACCOUNT_WARMUP_DAYS: '0',
      ACCOUNT_REQUEST_DELAY_MIN_MS: '5',
      ACCOUNT_REQUEST_DELAY_MAX_MS: '20',
      TASK_RETRY_BASE_MS: '2000',
    });
    try {
      await client.connect();
      const started = Date.now();
      const response = await daemon.call('POST', '/api/tasks/scrape', { usernames });
      if (response.status !== 202) throw new Error(`POST /api/tasks/scrape → ${response.status} ${JSON.stringify(response.json)}`);
      const deadline = started + Math.max(180_000, ((profiles * 6) / (HEALTHY * BUDGET)) * windowMs * 4);
      for (;;) {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM scrape_tasks WHERE task_type = 'full_scrape' AND status IN ('done', 'failed')",
        );
        if (Number(rows[0]!.n) >= profiles) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${profiles} scrapes finished in time`);
        await sleep(200);
      }
      const wallMs = Date.now() - started;
      const { rows: byStatus } = await client.query<{ status: string; n: string }>(
        "SELECT status, count(*) AS n FROM scrape_tasks WHERE task_type = 'full_scrape' GROUP BY 1 ORDER BY 1",
      );
      const { rows: failed } = await client.query<{ error_message: string }>(
        "SELECT error_message FROM scrape_tasks WHERE task_type = 'full_scrape' AND status = 'failed' ORDER BY id LIMIT 5",
      );
      const { rows: accountRows } = await client.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM ig_accounts GROUP BY 1 ORDER BY 1',
      );
      const { rows: lastClaim } = await client.query<{ at: Date }>(
        "SELECT max(started_at) AS at FROM scrape_tasks WHERE task_type = 'full_scrape'",
      );
      const budget = analyseBudget(emulator.log, { accounts: healthy, budget: BUDGET, windowMs, lastClaimAt: lastClaim[0]!.at.getTime() });
      const logins = healthy.reduce((sum, a) => sum + emulator.loginCount(a), 0);
      const perProfile = round2(budget.requests / profiles);
      const failedCount = Number(byStatus.find((r) => r.status === 'failed')?.n ?? 0);
      log(
        `scrape_saturated: ${budget.requests} requests for ${profiles} profiles (${perProfile} each), ${failedCount} failed, ${logins} logins`,
      );
      return {
        summary: {
          profiles,
          'requests per profile (emulator log, logins included; target ≤ 5.5)': perProfile,
          'tasks failed while a healthy account existed (target 0)': failedCount,
          'budget violations: 429 answers (target 0)': budget.rateLimited,
          'budget violations: accounts over budget in a sliding window (target 0)': budget.accountsOverBudget,
          'logins of the healthy accounts (sessions die every 25 requests)': logins,
          'wall time': `${round1(wallMs / 1000)} s`,
        },
        tables: [
          {
            title: 'Outcome',
            columns: ['what', 'counts'],
            rows: [
              { what: 'full_scrape tasks by status', counts: byStatus.map((r) => `${r.status} ${r.n}`).join(', ') },
              { what: 'accounts by status at the end', counts: accountRows.map((r) => `${r.status} ${r.n}`).join(', ') },
              { what: 'first failures', counts: failed.map((r) => r.error_message.slice(0, 120)).join(' | ') || '—' },
            ],
          },
        ],
        notes: [
          `A real daemon process (src/main.ts under tsx, WORKER_CONCURRENCY=${accountsTotal}) and the Instagram emulator (seed 15, ${profiles} creators): ${HEALTHY} accounts on working proxies, ${UNREACHABLE} on proxies that refuse every connection (their logins never reach Instagram).`,
          `Budgets that bind: ${BUDGET} requests per ${windowMs} ms window, in the daemon (ACCOUNT_REQUESTS_PER_HOUR, ACCOUNT_BUDGET_WINDOW_MS) and as the emulator's own rate limit; every session dies after ${SESSION_REQUESTS} requests (login_required), so accounts log in again mid-run.`,
          "Requests are counted from the emulator's log (what Instagram saw), logins included, for the healthy accounts; the unreachable ones never reach it.",
        ],
      };
    } finally {
      await daemon.stop();
      await client.end().catch(() => undefined);
      await emulator.close();
    }
  },
};
