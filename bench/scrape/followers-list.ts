import os from 'node:os';
import pg from 'pg';
import { startInstagramEmulator } from '../../emulator/instagram/index.js';
import { sleep } from '../../src/util/wait.js';
import { startDaemon } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { siblingDatabase } from '../lib/postgres.js';
import { quick, round1, round2 } from '../lib/stats.js';

const HOUR_MS = 3_600_000;
const BUDGET = 30;

/**
 * Issue 13: follower lists come 25 to a page in 2026. One `followers` task for a 10,000-follower list, on 1, 5 and
 * 20 accounts at 30 requests per (compressed) hour, through a real daemon against the emulator (25 per page). Time is
 * compressed by one factor for the budget window and the pause between one account's requests alike, so the wall
 * time × that factor is the real-time equivalent. Requests are counted from the emulator's log.
 */
export const followersListPart: BenchPart = {
  name: 'followers_list',
  title: "Follower lists at today's page size: a 10,000-follower list on 1, 5 and 20 accounts",
  script: 'npm run bench:scrape',
  async run(url) {
    const followers = Number(process.env.BENCH_FOLLOWERS ?? (quick() ? 1000 : 10_000));
    const windowMs = Number(process.env.BENCH_FOLLOWERS_WINDOW_MS ?? 6000);
    const factor = HOUR_MS / windowMs;
    const accountCounts = (process.env.BENCH_FOLLOWERS_ACCOUNTS ?? '1,5,20').split(',').map(Number);
    const rows: Record<string, string | number>[] = [];
    for (const accounts of accountCounts) {
      const db = await siblingDatabase(url, `bench_followers_${accounts}`);
      const emulator = await startInstagramEmulator({
        seed: 13,
        proxies: accounts,
        world: { accounts: accounts + 3, creators: 10, followersAccountCount: followers },
      });
      emulator.setRateLimit({ maxRequests: BUDGET, windowMs });
      const logins = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, accounts);
      const target = emulator.world.followersAccount;
      const client = new pg.Client({ connectionString: db });
      const daemon = await startDaemon(db, {
        WORKER_CONCURRENCY: '2',
        IG_PROXIES: emulator.proxyUrls.join('\n'),
        IG_ACCOUNTS: logins.map((a) => `${a.username}:${a.password}`).join('\n'),
        ACCOUNT_REQUESTS_PER_HOUR: String(BUDGET),
        ACCOUNT_BUDGET_WINDOW_MS: String(windowMs),
        ACCOUNT_WARMUP_DAYS: '0',
        // The daemon's 2–5 s pause between one account's requests, compressed by the same factor as the hour.
        ACCOUNT_REQUEST_DELAY_MIN_MS: String(Math.max(1, Math.round(2000 / factor))),
        ACCOUNT_REQUEST_DELAY_MAX_MS: String(Math.max(2, Math.round(5000 / factor))),
        SCHEDULER_ENABLED: 'false',
      });
      try {
        await client.connect();
        const started = Date.now();
        const response = await daemon.call('POST', '/api/tasks/followers', {
          username: target.username,
          kind: 'followers',
          max: followers,
        });
        if (response.status !== 202) throw new Error(`POST /api/tasks/followers → ${response.status} ${JSON.stringify(response.json)}`);
        const deadline = started + Math.max(120_000, (followers / 25 / (accounts * BUDGET) + 2) * windowMs * 3);
        let status = 'pending';
        for (;;) {
          const { rows: tasks } = await client.query<{ status: string }>("SELECT status FROM scrape_tasks WHERE task_type = 'followers'");
          status = tasks[0]?.status ?? 'missing';
          if (status === 'done' || status === 'failed') break;
          if (Date.now() > deadline)
            throw new Error(`the followers task is still ${status} after ${Math.round((Date.now() - started) / 1000)} s`);
          await sleep(200);
        }
        const wallMs = Date.now() - started;
        const { rows: stored } = await client
          .query<{ n: string }>("SELECT count(*) AS n FROM audience_edges WHERE kind = 'followers'")
          .catch(() => ({ rows: [{ n: '?' }] }));
        const pages = emulator.log.filter((e) => e.route === 'friendships/{pk}/followers').length;
        const requests = emulator.log.filter((e) => e.route !== 'accounts/login').length;
        const rateLimited = emulator.log.filter((e) => e.status === 429 || e.status === 401).length;
        const load = os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ');
        log(
          `followers_list ${accounts} account(s): ${status}, ${requests} requests (${pages} pages), ${round1(wallMs / 1000)} s (load ${load})`,
        );
        rows.push({
          accounts,
          'task status': status,
          'followers stored': Number(stored[0]?.n ?? 0),
          'list pages': pages,
          'requests (logins left out)': requests,
          'requests per 1,000 followers': round2((requests / followers) * 1000),
          '401/429 answers': rateLimited,
          'wall s (compressed)': round1(wallMs / 1000),
          // Where the budget binds, compressed time scales back by the factor. Where it does not (enough accounts for the
          // whole list), the real run is bound by the 2–5 s pause between requests, which the compressed run cannot
          // show (there each request's own processing, tens of ms, dominates): that row is computed, and says so.
          'real-time equivalent':
            requests > accounts * BUDGET
              ? formatDuration(wallMs * factor)
              : `${formatDuration(requests * 3500)} (computed: ${requests} × 3.5 s pause)`,
          'load 1/5/15': load,
        });
      } finally {
        await daemon.stop();
        await client.end().catch(() => undefined);
        await emulator.close();
      }
    }
    const summary: Record<string, string | number> = {};
    for (const row of rows)
      summary[`${row['accounts']} account(s): requests, real-time equivalent`] =
        `${row['requests (logins left out)']}, ${row['real-time equivalent']}`;
    return {
      summary,
      tables: [
        {
          title: `One followers task, ${followers.toLocaleString('en-US')} followers, 25 per page, ${BUDGET} requests per account per compressed hour (${windowMs} ms, factor ${Math.round(factor)})`,
          columns: [
            'accounts',
            'task status',
            'followers stored',
            'list pages',
            'requests (logins left out)',
            'requests per 1,000 followers',
            '401/429 answers',
            'wall s (compressed)',
            'real-time equivalent',
            'load 1/5/15',
          ],
          rows,
        },
      ],
      notes: [
        'A real daemon process (src/main.ts under tsx, its own database per row) and the Instagram emulator at its 2026 defaults (follower pages of 25, string pks), whose own rate limit matches the budget.',
        `Time compressed by ${Math.round(factor)}: the budget window (ACCOUNT_BUDGET_WINDOW_MS ${windowMs} for an hour) and the pause between one account's requests (ACCOUNT_REQUEST_DELAY_MIN_MS / _MAX_MS, 2–5 s in real time) alike. "Real-time equivalent" is the wall time × ${Math.round(factor)} where the budget binds (more requests than accounts × ${BUDGET}); where it does not, the real run is bound by the pauses and the figure is computed (requests × 3.5 s), because the compressed run is then bound by its own processing time, which does not scale.`,
        "Requests: every request the emulator logged but logins (one profile lookup, then the list pages). One list is read page after page by one task; when its account's budget is spent the task moves to another account, or waits for the budget when none has any left.",
      ],
    };
  },
};

function formatDuration(ms: number): string {
  const minutes = ms / 60_000;
  return minutes < 90 ? `${round1(minutes)} min` : `${round1(minutes / 60)} h`;
}
