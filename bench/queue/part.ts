import pg from 'pg';
import type { BenchPart } from '../lib/part.js';
import { log } from '../lib/part.js';
import { packageVersion } from '../lib/results.js';
import { quick, ratio } from '../lib/stats.js';
import { graphileWorker } from './graphile.js';
import { measure, type Measurement, type Settings } from './measure.js';
import { ourQueue } from './ours.js';
import { pgBoss } from './pgboss.js';
import type { QueueSystem } from './system.js';

const settings = (): Settings => ({
  tasks: Number(process.env.BENCH_TASKS ?? (quick() ? 2000 : 20_000)),
  latencyTasks: Number(process.env.BENCH_LATENCY_TASKS ?? (quick() ? 200 : 1000)),
  paceRate: Number(process.env.BENCH_PACE_RATE ?? 50),
});
const concurrencies = () => (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);

export const queuePart: BenchPart = {
  name: 'queue',
  title: 'Queue: ig-scout vs graphile-worker vs pg-boss',
  script: 'npm run bench:queue',
  async run(url) {
    const s = settings();
    const versions = {
      'ig-scout': (await import('../../package.json', { with: { type: 'json' } })).default.version,
      'graphile-worker': await packageVersion('graphile-worker'),
      'pg-boss': await packageVersion('pg-boss'),
    };
    const systems: QueueSystem[] = [
      await ourQueue(url, versions['ig-scout']),
      await graphileWorker(url, versions['graphile-worker']),
      await pgBoss(url, versions['pg-boss']),
    ];
    const results: Measurement[] = [];
    // WAL written during a phase, per task: what each design costs Postgres for one task (rows and index entries).
    const walPool = new pg.Pool({ connectionString: url, max: 1 });
    const wal = async () =>
      BigInt((await walPool.query<{ lsn: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn")).rows[0]!.lsn);
    try {
      for (const c of concurrencies()) {
        for (const system of systems) {
          const m = await measure(system, c, s, wal);
          log(`${system.name} c=${c}: ${m.throughput} tasks/s, ${m.queriesPerTask} queries/task, p50 ${m.p50} ms, p99 ${m.p99} ms`);
          results.push(m);
        }
      }
    } finally {
      for (const system of systems) await system.close();
      await walPool.end();
    }
    const reference = (c: number) => results.find((r) => r.system === 'graphile-worker' && r.concurrency === c)!;
    const rows = results.map((m) => ({
      concurrency: m.concurrency,
      system: m.system,
      'tasks/s': m.throughput,
      '× gw': ratio(m.throughput, reference(m.concurrency).throughput),
      'queries/task': m.queriesPerTask,
      'WAL bytes/task': m.walBytesPerTask,
      'p50 ms': m.p50,
      'p50 × gw': ratio(m.p50, reference(m.concurrency).p50),
      'p99 ms': m.p99,
      'p99 × gw': ratio(m.p99, reference(m.concurrency).p99),
      'max ms': m.max,
    }));
    const ours = results.filter((r) => r.system === 'ig-scout');
    const summary: Record<string, string | number | boolean | null> = {};
    for (const m of ours) {
      const gw = reference(m.concurrency);
      summary[`c=${m.concurrency}: ig-scout tasks/s (graphile-worker)`] = `${m.throughput} (${gw.throughput}) → ×${ratio(m.throughput, gw.throughput)}`;
      summary[`c=${m.concurrency}: ig-scout p50 ms (graphile-worker)`] = `${m.p50} (${gw.p50}) → ×${ratio(m.p50, gw.p50)}`;
    }
    summary['target: throughput ≥ graphile-worker at every concurrency'] = ours.every((m) => m.throughput >= reference(m.concurrency).throughput) ? 'met' : 'missed';
    summary['target: p50 latency < graphile-worker at every concurrency'] = ours.every((m) => m.p50 < reference(m.concurrency).p50) ? 'met' : 'missed';
    return {
      versions,
      summary,
      tables: [
        {
          title: `${s.tasks.toLocaleString('en-US')} no-op tasks per system and concurrency; latency over ${s.latencyTasks} single enqueues at ${s.paceRate}/s`,
          columns: ['concurrency', 'system', 'tasks/s', '× gw', 'queries/task', 'WAL bytes/task', 'p50 ms', 'p50 × gw', 'p99 ms', 'p99 × gw', 'max ms'],
          rows,
        },
      ],
      notes: [
        'All three on the same Postgres database, one after the other, in one process; producer and workers in that process (as a daemon enqueues from its API and runs tasks). "× gw" is the ratio to graphile-worker at the same concurrency (for latency, below 1 is better).',
        'Throughput: all tasks enqueued in one bulk call of each system\'s own API (enqueueTasks / addJobs / insert), timed from that call until none is unfinished in its table (an EXISTS polled every 25 ms, so that watching costs the system under test next to nothing).',
        'ig-scout writes completions in batches without waiting for one: the first goes out at once, runs that finish while it is in flight go in the next statement, and that statement also claims one task per freed slot. At concurrency 1 that is one statement per task; at 32, 0.06. Its statements are prepared on a pool of their own, planned once per connection (generic plans) and committed without waiting for the WAL flush (synchronous_commit = off: a crash of Postgres can undo a claim or completion, and the task then runs again, as after an expired lease; handlers\' data is committed synchronously on the main pool).',
        'In the daemon the runner has a claim plan (Instagram tasks are claimed only while an account can take them), so completions are batched the same way but the next claim goes through the plan: one more statement per batch. There the queue is not the bottleneck: each account is allowed 30 Instagram requests an hour.',
        'Latency: enqueue→start, from the producer\'s clock just before its single-task enqueue call (enqueueTasks / addJob / send) to the handler\'s first line; the same pace for every system, so none has a backlog.',
        'WAL bytes/task: WAL Postgres wrote during the throughput phase (enqueue included, every process on the server), per task.',
        'queries/task: every query any pg client of the process sent during the throughput phase (enqueue, claim, complete, listen), divided by the tasks; the bench\'s own polling is left out.',
        ...systems.map((sys) => `${sys.name} ${sys.version}: ${sys.setup(32).replace(/32/g, 'c')}.`),
        'pg-boss 10 polls (no LISTEN/NOTIFY) and sleeps between fetches until its polling interval has passed, so its latency is about half that interval and its throughput is bounded by batchSize ÷ interval per worker.',
      ],
    };
  },
};
