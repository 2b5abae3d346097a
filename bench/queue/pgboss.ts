import PgBoss from 'pg-boss';
import { withAsyncCommit } from './graphile.js';
import { Monitor, type Payload, type QueueSystem } from './system.js';

/** Jobs one pg-boss worker fetches per poll. */
const BATCH = 100;

/**
 * pg-boss 10 has no LISTEN/NOTIFY and no teamSize: a `work()` worker polls, fetches up to `batchSize` jobs, runs the
 * handler, and sleeps until its polling interval has passed since the fetch. So, as its docs advise for
 * throughput: `concurrency` workers (v9's teamSize), each fetching batches of 100 and running them one by one, at the
 * shortest polling interval it allows (0.5 s). With batchSize 1 it would top out at 2 tasks/s per worker.
 */
export async function pgBoss(url: string, version: string, durable = true): Promise<QueueSystem> {
  const connectionString = durable ? url : withAsyncCommit(url);
  const monitor = new Monitor(url);
  let boss: PgBoss | undefined;
  const open = async (max: number) => {
    const b = new PgBoss({ connectionString, max, schedule: false });
    b.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
    await b.start();
    await b.createQueue('noop');
    return b;
  };
  boss = await open(4); // creates its schema before the first reset

  return {
    name: `pg-boss${durable ? ' (sync commit)' : ''}`,
    version,
    setup: `c × work({ batchSize: ${BATCH}, pollingIntervalSeconds: 0.5 }), pool c + 2, no cron`,
    async start(concurrency, onStart) {
      await boss?.stop({ graceful: false, wait: true });
      boss = await open(concurrency + 2);
      for (let i = 0; i < concurrency; i++) {
        await boss.work<Payload>('noop', { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) onStart(job.data);
        });
      }
    },
    async enqueueMany(payloads) {
      // With no worker running (the backlog phase) a started pg-boss without workers enqueues; start() replaces it.
      boss ??= await open(4);
      await boss.insert(payloads.map((data) => ({ name: 'noop', data })));
    },
    async enqueueOne(payload) {
      await boss!.send('noop', payload);
    },
    unfinished: () => monitor.count("SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = 'noop' AND state <> 'completed')::int AS n"),
    reset: () => monitor.exec("DELETE FROM pgboss.job WHERE name = 'noop'"),
    // Stopped whole, not only its workers: a started pg-boss keeps its maintenance and monitoring loops (and their
    // queries) running into the next system's measurement. start() opens a new one.
    async stop() {
      await boss?.stop({ graceful: false, wait: true });
      boss = undefined;
    },
    async close() {
      await boss?.stop({ graceful: false, wait: true });
      boss = undefined;
      await monitor.pool.end();
    },
  };
}
