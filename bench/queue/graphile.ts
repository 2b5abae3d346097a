import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import { Monitor, type Payload, type QueueSystem } from './system.js';

const silent = new Logger(() => () => undefined);

/**
 * graphile-worker as its docs set it up: `run()` with `concurrency` and a pool of at least that size, its own
 * migrations, LISTEN/NOTIFY, default 2 s poll; no localQueue (its optional batching), i.e. unbatched.
 */
export async function graphileWorker(url: string, version: string): Promise<QueueSystem> {
  const utils: WorkerUtils = await makeWorkerUtils({ connectionString: url, logger: silent });
  await utils.migrate();
  const monitor = new Monitor(url);
  let runner: Runner | undefined;

  return {
    name: 'graphile-worker',
    version,
    setup: (c) => `run({ concurrency: ${c}, maxPoolSize: ${c + 2} }), LISTEN/NOTIFY, poll 2 s (default), no localQueue`,
    async start(concurrency, onStart) {
      runner = await run({
        connectionString: url,
        concurrency,
        maxPoolSize: concurrency + 2,
        noHandleSignals: true,
        logger: silent,
        taskList: { noop: async (payload) => onStart(payload as Payload) },
      });
    },
    async enqueueMany(payloads) {
      await utils.addJobs(payloads.map((payload) => ({ identifier: 'noop', payload })));
    },
    async enqueueOne(payload) {
      await utils.addJob('noop', payload);
    },
    // Completed jobs are deleted, so whatever is left is unfinished.
    unfinished: () => monitor.count('SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs)::int AS n'),
    reset: () => monitor.exec('DELETE FROM graphile_worker._private_jobs'),
    async stop() {
      await runner?.stop();
      runner = undefined;
    },
    async close() {
      await utils.release();
      await monitor.pool.end();
    },
  };
}
