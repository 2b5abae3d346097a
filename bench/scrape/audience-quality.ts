import pg from 'pg';
import { startInstagramEmulator } from '../../emulator/instagram/index.js';
import { audienceTruth } from '../../emulator/world/index.js';
import { sleep } from '../../src/util/wait.js';
import { startDaemon } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { siblingDatabase } from '../lib/postgres.js';
import { quick, round2 } from '../lib/stats.js';

/**
 * Issue 19: what an audience-quality estimate costs in Instagram requests. A real daemon runs the `audience_quality`
 * task (quick tier: 400 followers; then the deep tier with 50 profile lookups) for several creators of the emulator,
 * whose follower lists come 25 to a page as in 2026. Requests are counted at the emulator (what Instagram would
 * see), logins left out, per creator: the bound is ≤ 17 requests for a 400-follower quick tier.
 */
const SAMPLE = 400;
const DEEP = 50;

export const audienceQualityPart: BenchPart = {
  name: 'audience_quality',
  title: 'Audience quality: Instagram requests of the quick tier (400 followers) and of a 50-lookup deep tier',
  script: 'npm run bench:scrape',
  async run(url) {
    const creators = Number(process.env.BENCH_AUDIENCE_CREATORS ?? (quick() ? 2 : 5));
    const db = await siblingDatabase(url, 'bench_audience_quality');
    const emulator = await startInstagramEmulator({ seed: 19, proxies: 1, world: { accounts: 4 } });
    const login = emulator.world.accounts.find((a) => a.loginBehaviour === 'ok')!;
    const targets = emulator.world.creators.filter((c) => !c.isPrivate && c.followerCount >= 1_000).slice(0, creators);
    const client = new pg.Client({ connectionString: db });
    const daemon = await startDaemon(db, {
      WORKER_CONCURRENCY: '1',
      IG_PROXIES: emulator.proxyUrls.join('\n'),
      IG_ACCOUNTS: `${login.username}:${login.password}`,
      ACCOUNT_REQUESTS_PER_HOUR: '10000',
      ACCOUNT_WARMUP_DAYS: '0',
      ACCOUNT_REQUEST_DELAY_MIN_MS: '1',
      ACCOUNT_REQUEST_DELAY_MAX_MS: '2',
      SCHEDULER_ENABLED: 'false',
    });
    const rows: Record<string, string | number>[] = [];
    try {
      await client.connect();
      for (const target of targets) {
        for (const deep of [0, DEEP]) {
          const from = emulator.log.length;
          const res = await daemon.call('POST', '/api/tasks/audience-quality', {
            username: target.username,
            sample: SAMPLE,
            deep_budget: deep,
            seed: 1,
          });
          if (res.status !== 202) throw new Error(`POST /api/tasks/audience-quality → ${res.status} ${JSON.stringify(res.json)}`);
          const id = res.json.tasks[0].id as number;
          const deadline = Date.now() + 120_000;
          let task: { status: string; result: any } | undefined;
          for (;;) {
            task = (await client.query<{ status: string; result: any }>('SELECT status, result FROM scrape_tasks WHERE id = $1', [id]))
              .rows[0];
            if (task?.status === 'done' || task?.status === 'failed') break;
            if (Date.now() > deadline) throw new Error(`audience_quality task ${id} is still ${task?.status}`);
            await sleep(100);
          }
          const seen = emulator.log
            .slice(from)
            .filter((e) => e.route !== 'accounts/login' && !e.route.includes('sync') && e.route !== 'accounts/current_user');
          const truth = audienceTruth(emulator.world, target, SAMPLE);
          const q = task!.result;
          rows.push({
            creator: target.username,
            followers: target.followerCount,
            tier: deep === 0 ? 'quick' : `deep (${DEEP})`,
            'followers read': q.sample_size,
            'list pages': seen.filter((e) => e.route === 'friendships/{pk}/followers').length,
            'profile lookups': seen.filter((e) => e.route === 'users/{pk}/info').length,
            'requests at Instagram': seen.length,
            'requests (task result)': q.requests,
            credibility:
              q.credibility === null ? '—' : `${round2(q.credibility.value)} [${round2(q.credibility.low)}, ${round2(q.credibility.high)}]`,
            'true credibility (frame)': round2(1 - truth.suspicious / truth.frame),
          });
          log(`audience_quality ${target.username} ${deep === 0 ? 'quick' : 'deep'}: ${seen.length} requests`);
        }
      }
    } finally {
      await daemon.stop();
      await client.end().catch(() => undefined);
      await emulator.close();
    }
    const quickRows = rows.filter((r) => r['tier'] === 'quick');
    const maxQuick = Math.max(...quickRows.map((r) => Number(r['requests at Instagram'])));
    return {
      summary: {
        'quick tier, 400 followers: most requests at Instagram': maxQuick,
        'quick tier within 17 requests': maxQuick <= 17 ? 'yes' : 'no',
        [`deep tier (${DEEP} lookups): most requests`]: Math.max(
          ...rows.filter((r) => r['tier'] !== 'quick').map((r) => Number(r['requests at Instagram'])),
        ),
      },
      tables: [
        {
          title: `audience_quality per creator: sample ${SAMPLE}, follower pages of 25, one account`,
          columns: [
            'creator',
            'followers',
            'tier',
            'followers read',
            'list pages',
            'profile lookups',
            'requests at Instagram',
            'requests (task result)',
            'credibility',
            'true credibility (frame)',
          ],
          rows,
        },
      ],
      notes: [
        'A real daemon process (src/main.ts under tsx) and the Instagram emulator at its 2026 defaults (follower pages of 25). "Requests at Instagram" counts what the emulator logged for the task, logins and session syncs left out; "requests (task result)" is what the task reports.',
        'Quick tier: 1 profile request + ⌈400 ÷ 25⌉ = 16 list pages = 17. Deep tier: the same, plus one users/{pk}/info per lookup. The true credibility is over the same 400-follower frame (the emulator knows every follower).',
      ],
    };
  },
};
