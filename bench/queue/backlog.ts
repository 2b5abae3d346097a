import os from 'node:os';
import pg from 'pg';
import { loadSql } from '../../src/db/sql-file.js';
import { TASK_SQL_VARIABLES } from '../../src/queue/task.js';
import type { BenchPart } from '../lib/part.js';
import { log } from '../lib/part.js';
import { quietServer } from '../lib/postgres.js';
import { median, quick, ratio } from '../lib/stats.js';
import { measure, type Measurement } from './measure.js';
import { ourQueue } from './ours.js';

const CONCURRENCY = 8;

/**
 * What sits pending next to the no-op tasks the runner works through:
 *  - none: nothing;
 *  - ai: ai_analysis tasks, which the runner never claims (the batch builder takes them in bulk), as with no OpenAI
 *    key or while batches are open;
 *  - instagram: full_scrape tasks while no Instagram account is usable (the bench database has none), which the
 *    claim plan holds back while the runner claims the account-free type.
 */
type Backlog = 'none' | 'ai' | 'instagram';
const BACKLOGS: readonly Backlog[] = ['none', 'ai', 'instagram'];

/**
 * Issue 14's stuck backlog: 100,000 pending tasks the runner cannot take, at priority 3 (ahead of the no-op tasks at
 * priority 5), next to 1,000,000 finished ones. The claim must not walk them: no-op tasks go through the queue, as the
 * daemon wires it, with each backlog and with none, interleaved; the ratios are the figures (target ≥ 0.9). The
 * claim's plan with each backlog and nothing claimable is printed from EXPLAIN (ANALYZE, BUFFERS).
 */
export const backlogPart: BenchPart = {
  name: 'queue_backlog',
  title: 'Queue under a stuck backlog: 100,000 pending tasks the runner cannot take',
  script: 'npm run bench:queue',
  async run(url) {
    const finished = Number(process.env.BENCH_BACKLOG_FINISHED ?? (quick() ? 100_000 : 1_000_000));
    const backlog = Number(process.env.BENCH_BACKLOG_PENDING ?? (quick() ? 20_000 : 100_000));
    // BENCH_ROUNDS, as the queue part: the scenarios' order rotates each round (with 3 rounds each scenario runs once
    // first, once second, once last, so a machine warming up or slowing down favours none), and each figure is the
    // median of its rounds.
    const rounds = Number(process.env.BENCH_ROUNDS ?? (quick() ? 1 : 3));
    const settings = { tasks: quick() ? 4000 : 20_000, latencyTasks: quick() ? 100 : 300, paceRate: 50 };
    const version = (await import('../../package.json', { with: { type: 'json' } })).default.version;
    const base = await ourQueue(url, version, false);
    const admin = new pg.Pool({ connectionString: url, max: 2 });
    // Only the no-op tasks are the bench's: the backlog and the finished rows stay. The drain watcher names their type
    // and priority, so through scrape_tasks_claimable (task_type, priority, run_at, id) it reads only theirs.
    const system = {
      ...base,
      reset: async () => void (await admin.query("DELETE FROM scrape_tasks WHERE task_type = 'noop'")),
      unfinished: async () =>
        Number(
          (
            await admin.query<{ n: number }>(
              "SELECT (EXISTS (SELECT 1 FROM scrape_tasks WHERE status = 'pending' AND priority = 5 AND task_type = 'noop') OR EXISTS (SELECT 1 FROM scrape_tasks WHERE status = 'running' AND task_type = 'noop'))::int AS n",
            )
          ).rows[0]!.n,
        ),
    };
    // The backlog rows (priority 3; the finished rows are at 5) move between cancelled and pending, and between the
    // two types, so every scenario runs on a table of the same size.
    const setBacklog = async (kind: Backlog) => {
      await admin.query(
        `UPDATE scrape_tasks
         SET status = CASE WHEN $1 = 'none' THEN 'cancelled' ELSE 'pending' END,
             task_type = CASE WHEN $1 = 'instagram' THEN 'full_scrape' ELSE 'ai_analysis' END,
             completed_at = CASE WHEN $1 = 'none' THEN now() END
         WHERE priority = 3 AND task_type IN ('ai_analysis', 'full_scrape')`,
        [kind],
      );
      await admin.query('VACUUM ANALYZE scrape_tasks');
    };
    const label = (kind: Backlog) =>
      kind === 'none'
        ? 'no backlog'
        : kind === 'ai'
          ? `${backlog.toLocaleString('en-US')} pending ai_analysis`
          : `${backlog.toLocaleString('en-US')} pending full_scrape, no account usable`;
    const wal = async () =>
      BigInt((await admin.query<{ lsn: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn")).rows[0]!.lsn);
    // The claim with a backlog in place and nothing claimable: what every claim and fallback poll pays. The types are
    // what the runner asks for then: with the AI backlog both (the plan has accounts to offer in the daemon), with the
    // Instagram backlog only the account-free one (no account is usable).
    const explainClaim = async (types: string[]) => {
      const claim = loadSql('queue/claim.sql', TASK_SQL_VARIABLES);
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        const explained = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${claim}`, [
          'bench#explain',
          CONCURRENCY + 1,
          60_000,
          types,
        ]);
        await client.query('ROLLBACK');
        return explained.rows.map((r) => r['QUERY PLAN']);
      } finally {
        client.release();
      }
    };
    /** The statement's total buffers (the first Buffers line) and its execution time. */
    const brief = (plan: string[]) =>
      [plan.find((line) => /Buffers: shared/.test(line)), plan.find((line) => /Execution Time/.test(line))]
        .filter((line) => line !== undefined)
        .map((line) => line.trim())
        .join('; ');
    try {
      const seedStarted = Date.now();
      await admin.query(
        `INSERT INTO scrape_tasks (task_type, status, priority, payload, attempts, created_at, completed_at)
         SELECT 'full_scrape', 'done', 5, '{}', 1, now() - interval '1 day', now() - interval '1 day' FROM generate_series(1, $1)`,
        [finished],
      );
      await admin.query(
        `INSERT INTO scrape_tasks (task_type, status, priority, payload) SELECT 'ai_analysis', 'cancelled', 3, '{}' FROM generate_series(1, $1)`,
        [backlog],
      );
      log(`seeded ${finished} finished and ${backlog} backlog tasks in ${Math.round((Date.now() - seedStarted) / 1000)} s`);
      const results: { round: number; kind: Backlog; m: Measurement; load: string }[] = [];
      for (let round = 0; round < rounds; round++) {
        for (const kind of BACKLOGS.map((_, i) => BACKLOGS[(i + round) % BACKLOGS.length]!)) {
          await setBacklog(kind);
          await quietServer(admin);
          const m = await measure(system, CONCURRENCY, settings, wal);
          const load = os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ');
          log(`backlog ${label(kind)} round ${round + 1}: ${m.throughput} tasks/s, p50 ${m.p50} ms (load ${load})`);
          results.push({ round: round + 1, kind, m, load });
        }
      }
      await admin.query("DELETE FROM scrape_tasks WHERE task_type = 'noop'");
      await setBacklog('ai');
      const aiPlan = await explainClaim(['noop', 'full_scrape']);
      await setBacklog('instagram');
      const instagramPlan = await explainClaim(['noop']);
      await setBacklog('none');
      const throughput = (kind: Backlog) => median(results.filter((r) => r.kind === kind).map((r) => r.m.throughput));
      const without = throughput('none');
      return {
        versions: { 'ig-scout': version },
        summary: {
          [`tasks/s at concurrency ${CONCURRENCY}, no backlog (median of ${rounds})`]: without,
          [`tasks/s with ${label('ai')}`]: throughput('ai'),
          'ratio, ai_analysis backlog (target ≥ 0.9)': ratio(throughput('ai'), without),
          [`tasks/s with ${label('instagram')}`]: throughput('instagram'),
          'ratio, Instagram backlog (target ≥ 0.9)': ratio(throughput('instagram'), without),
          'claim with the ai_analysis backlog, nothing claimable': brief(aiPlan),
          'claim of the account-free type with the Instagram backlog, nothing claimable': brief(instagramPlan),
        },
        tables: [
          {
            title: `${settings.tasks.toLocaleString('en-US')} no-op tasks at priority 5, concurrency ${CONCURRENCY}, next to ${finished.toLocaleString('en-US')} finished tasks`,
            columns: ['round', 'scenario', 'tasks/s', 'p50 ms', 'p99 ms', 'queries/task', 'load 1/5/15'],
            rows: results.map((r) => ({
              round: r.round,
              scenario: label(r.kind),
              'tasks/s': r.m.throughput,
              'p50 ms': r.m.p50,
              'p99 ms': r.m.p99,
              'queries/task': r.m.queriesPerTask,
              'load 1/5/15': r.load,
            })),
          },
          {
            title:
              'The claim (sql/queue/claim.sql) of noop and full_scrape with the ai_analysis backlog pending and nothing claimable: EXPLAIN (ANALYZE, BUFFERS)',
            columns: ['plan'],
            rows: aiPlan.map((line) => ({ plan: line })),
          },
          {
            title:
              'The claim of the account-free type (noop) with the full_scrape backlog pending and nothing claimable, as while no account is usable: EXPLAIN (ANALYZE, BUFFERS)',
            columns: ['plan'],
            rows: instagramPlan.map((line) => ({ plan: line })),
          },
        ],
        notes: [
          `ig-scout's queue as the daemon wires it (bench/queue/ours.ts: TaskRunner with the account-aware claim plan, LISTEN/NOTIFY, asynchronous commit on the queue pool), concurrency ${CONCURRENCY}, on one database holding ${finished.toLocaleString('en-US')} finished full_scrape tasks and ${backlog.toLocaleString('en-US')} backlog tasks at priority 3, ahead of the no-op tasks at 5.`,
          `The backlog rows are switched between cancelled (no backlog), pending ai_analysis and pending full_scrape (then VACUUM ANALYZE), so every scenario runs on a table of the same size; the bench database has no Instagram account, so the claim plan holds full_scrape back and the runner claims only noop. ${rounds} rounds (BENCH_ROUNDS), each all three scenarios, their order rotating from round to round; before each measurement the server is left to finish autovacuum and checkpointed. Each figure is the median of its rounds.`,
        ],
      };
    } finally {
      await base.close();
      await admin.end();
    }
  },
};
