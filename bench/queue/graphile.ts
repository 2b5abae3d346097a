import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import { Monitor, type Payload, type QueueSystem } from './system.js';

const silent = new Logger(() => () => undefined);

/**
 * graphile-worker as its docs set it up: `run()` with `concurrency` and a pool of at least that size, its own
 * migrations, LISTEN/NOTIFY, default 2 s poll. `batched`: its optional batching as its 0.17 release notes recommend
 * (https://github.com/graphile/worker/pull/595, RELEASE_NOTES.md): `preset.worker.localQueue.size` = concurrency + 1
 * (jobs fetched and locked in a batch, handed out locally) and `completeJobBatchDelay` / `failJobBatchDelay` = 0
 * (completions written in batches). `durable` false: its connections commit with synchronous_commit = off.
 */
export async function graphileWorker(url: string, version: string, options: { batched: boolean; durable: boolean }): Promise<QueueSystem> {
  const { batched, durable } = options;
  const connectionString = durable ? url : withAsyncCommit(url);
  const utils: WorkerUtils = await makeWorkerUtils({ connectionString, logger: silent });
  await utils.migrate();
  const monitor = new Monitor(url);
  let runner: Runner | undefined;

  return {
    name: `graphile-worker${batched ? ' batched' : ''}${durable ? ' (sync commit)' : ''}`,
    version,
    setup: `run({ concurrency: c, maxPoolSize: c + 2 }), LISTEN/NOTIFY, poll 2 s (default), ${batched ? 'localQueue.size c + 1, completeJobBatchDelay 0, failJobBatchDelay 0' : 'no localQueue'}, ${durable ? 'synchronous' : 'asynchronous'} commit`,
    async start(concurrency, onStart) {
      runner = await run({
        connectionString,
        ...(batched
          ? { preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } }
          : {}),
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

/** The URL with `options=-c synchronous_commit=off`: every connection of the system commits asynchronously. */
export function withAsyncCommit(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', '-c synchronous_commit=off');
  return u.toString();
}
