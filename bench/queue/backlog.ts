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
 * Issue 14's stuck backlog: pending tasks the runner never claims (ai_analysis, claimed in bulk by the batch
 * builder; 100,000 of them at priority 3, as with no OpenAI key or while batches are open) next to 1,000,000
 * finished ones. The claim must not walk them: no-op tasks at priority 5 go through the queue, as the daemon wires
 * it, with and without that backlog, interleaved; the ratio is the figure (target ≥ 0.9). The claim's plan, with
 * the backlog and nothing claimable, is printed from EXPLAIN (ANALYZE, BUFFERS).
 */
export const backlogPart: BenchPart = {
  name: 'queue_backlog',
  title: 'Queue under a stuck backlog: 100,000 pending tasks the runner never claims',
  script: 'npm run bench:queue',
  async run(url) {
    const finished = Number(process.env.BENCH_BACKLOG_FINISHED ?? (quick() ? 100_000 : 1_000_000));
    const backlog = Number(process.env.BENCH_BACKLOG_PENDING ?? (quick() ? 20_000 : 100_000));
    // BENCH_ROUNDS, as the queue part: the order of the two scenarios alternates each round (a machine warming up or
    // slowing down favours neither), and each figure is the median of its rounds.
    const rounds = Number(process.env.BENCH_ROUNDS ?? (quick() ? 1 : 3));
    const settings = { tasks: quick() ? 4000 : 20_000, latencyTasks: quick() ? 100 : 300, paceRate: 50 };
    const version = (await import('../../package.json', { with: { type: 'json' } })).default.version;
    const base = await ourQueue(url, version, false);
    const admin = new pg.Pool({ connectionString: url, max: 2 });
    // Only the no-op tasks are the bench's: the backlog and the finished rows stay. The poll names their priority
    // (5, enqueueTasks' default), so through scrape_tasks_claimable (priority, run_at, id) it starts past the
    // backlog at priority 3 instead of walking it every 25 ms itself.
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
    const setBacklog = async (on: boolean) => {
      // The backlog moves between pending and cancelled, so the table's size is the same in both scenarios.
      await admin.query(
        on
          ? "UPDATE scrape_tasks SET status = 'pending', completed_at = NULL WHERE task_type = 'ai_analysis' AND status = 'cancelled'"
          : "UPDATE scrape_tasks SET status = 'cancelled', completed_at = now() WHERE task_type = 'ai_analysis' AND status = 'pending'",
      );
      await admin.query('VACUUM ANALYZE scrape_tasks');
    };
    const wal = async () =>
      BigInt((await admin.query<{ lsn: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn")).rows[0]!.lsn);
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
      log(`seeded ${finished} finished and ${backlog} ai_analysis tasks in ${Math.round((Date.now() - seedStarted) / 1000)} s`);
      const results: { scenario: string; m: Measurement; load: string }[] = [];
      for (let round = 1; round <= rounds; round++) {
        for (const on of round % 2 === 1 ? [false, true] : [true, false]) {
          await setBacklog(on);
          await quietServer(admin);
          const m = await measure(system, CONCURRENCY, settings, wal);
          const load = os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ');
          const scenario = on ? `${backlog.toLocaleString('en-US')} unclaimable pending` : 'no backlog';
          log(`backlog ${scenario} round ${round}: ${m.throughput} tasks/s, p50 ${m.p50} ms (load ${load})`);
          results.push({ scenario, m, load });
        }
      }
      // The claim with the backlog in place and nothing claimable: what every claim and fallback poll pays.
      await setBacklog(true);
      await admin.query("DELETE FROM scrape_tasks WHERE task_type = 'noop'");
      const claim = loadSql('queue/claim.sql', TASK_SQL_VARIABLES);
      const client = await admin.connect();
      let plan: string[];
      try {
        await client.query('BEGIN');
        const explained = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${claim}`, [
          'bench#explain',
          8,
          60_000,
          ['noop', 'full_scrape'],
        ]);
        plan = explained.rows.map((r) => r['QUERY PLAN']);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      const medianOf = (on: boolean) => median(results.filter((r) => (r.scenario !== 'no backlog') === on).map((r) => r.m.throughput));
      const with_ = medianOf(true);
      const without = medianOf(false);
      const backlogRatio = ratio(with_, without);
      return {
        versions: { 'ig-scout': version },
        summary: {
          [`tasks/s at concurrency ${CONCURRENCY}, no backlog (median of ${rounds})`]: without,
          [`tasks/s with ${backlog.toLocaleString('en-US')} unclaimable pending tasks`]: with_,
          'ratio (target ≥ 0.9)': backlogRatio,
          'claim with the backlog, nothing claimable': plan
            .filter((line) => /Execution Time|Buffers: shared/.test(line))
            .slice(0, 2)
            .map((l) => l.trim())
            .join('; '),
        },
        tables: [
          {
            title: `${settings.tasks.toLocaleString('en-US')} no-op tasks at priority 5, concurrency ${CONCURRENCY}, next to ${finished.toLocaleString('en-US')} finished tasks`,
            columns: ['round', 'scenario', 'tasks/s', 'p50 ms', 'p99 ms', 'queries/task', 'load 1/5/15'],
            rows: results.map((r, i) => ({
              round: Math.floor(i / 2) + 1,
              scenario: r.scenario,
              'tasks/s': r.m.throughput,
              'p50 ms': r.m.p50,
              'p99 ms': r.m.p99,
              'queries/task': r.m.queriesPerTask,
              'load 1/5/15': r.load,
            })),
          },
          {
            title: 'The claim (sql/queue/claim.sql) with the backlog pending and nothing claimable: EXPLAIN (ANALYZE, BUFFERS)',
            columns: ['plan'],
            rows: plan.map((line) => ({ plan: line })),
          },
        ],
        notes: [
          `ig-scout's queue as the daemon wires it (bench/queue/ours.ts: TaskRunner with the account-aware claim plan, LISTEN/NOTIFY, asynchronous commit on the queue pool), concurrency ${CONCURRENCY}, on one database holding ${finished.toLocaleString('en-US')} finished full_scrape tasks and ${backlog.toLocaleString('en-US')} ai_analysis tasks at priority 3.`,
          `The backlog is switched between pending and cancelled (then VACUUM ANALYZE) so both scenarios run on a table of the same size; ${rounds} rounds (BENCH_ROUNDS), each both scenarios, their order alternating from round to round; each figure is the median of its rounds. The runner never claims ai_analysis (the batch builder takes them in bulk).`,
        ],
      };
    } finally {
      await base.close();
      await admin.end();
    }
  },
};
