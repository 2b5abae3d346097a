import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { accountAvailability } from '../../src/accounts/lease.js';
import { runnerOptionsFrom, wireAccountAwareRunner, type AccountAwareRunner } from '../../src/tasks/wiring.js';
import { Monitor, type Payload, type QueueSystem } from './system.js';

const logger = createLogger({ level: 'warn', format: 'json' });
/** The daemon's defaults (src/config.ts): poll, lease, retry backoff, statements in flight, claim ahead, queue pool size. */
const DAEMON = loadConfig({});
/** The daemon's configuration at a concurrency: what src/daemon.ts would run with WORKER_CONCURRENCY=c and nothing else set. */
const daemonAt = (concurrency: number, env: Record<string, string> = {}) => loadConfig({ WORKER_CONCURRENCY: String(concurrency), ...env });

/** The daemon's default account budget (src/config.ts); with no accounts in the bench database it plans 0 usable. */
const BUDGET = { windowMs: 3_600_000, perWindow: 30, warmupPerWindow: 10, warmupDays: 7, dailyCap: 0, delayMinMs: 0, delayMaxMs: 0 };

/**
 * This project's queue as the daemon wires it: wireAccountAwareRunner (src/tasks/wiring.ts, what src/daemon.ts
 * calls) — TaskRunner (claim with SKIP LOCKED, lease, complete) with the account-aware claim plan over the real
 * account-availability query and NewWorkListener waking it on NOTIFY — with the runner options src/daemon.ts takes
 * from its configuration (runnerOptionsFrom), a registry with an Instagram type that needs an account next to the
 * no-op, and enqueueTasks. Daemon defaults: 5 s fallback poll, 60 s lease, claim ahead concurrency + 1. `durable`: the queue pool commits synchronously like its peers (the
 * daemon's own setting is asynchronous commit, see src/db/database.ts). `env`: configuration over the daemon's defaults,
 * as a daemon would read it from its environment (the bench runs none; a probe comparing settings does).
 */
export async function ourQueue(url: string, version: string, durable = false, env: Record<string, string> = {}): Promise<QueueSystem> {
  const producer = openDatabase(url, { poolMax: 2 });
  // At "off" every connection of every system commits asynchronously, the enqueuing one included (graphile-worker's
  // addJob and pg-boss's send run on connections given synchronous_commit = off): else ig-scout's enqueue→start
  // would carry one WAL flush its peers skip. The daemon's API enqueues on its main pool, committed synchronously.
  if (!durable) producer.pool.on('connect', (client) => void client.query('SET synchronous_commit = off'));
  await migrate(producer.pool, logger);
  const monitor = new Monitor(url);
  let worker: { handle: DatabaseHandle; queue: DatabaseHandle; wired: AccountAwareRunner } | undefined;
  const asTask = (payload: Payload) => ({ type: 'noop', payload: payload as unknown as Record<string, unknown> });

  return {
    name: durable ? 'ig-scout (sync commit)' : 'ig-scout',
    version,
    setup: `TaskRunner concurrency c wired as the daemon wires it (wireAccountAwareRunner: account-aware claim plan, LISTEN/NOTIFY) with its defaults (poll ${DAEMON.QUEUE_POLL_INTERVAL_MS / 1000} s, ${DAEMON.QUEUE_STATEMENTS_IN_FLIGHT} completing statements in flight, ${DAEMON.QUEUE_CLAIM_AHEAD ?? 'c + 1'} no-op tasks claimed ahead (QUEUE_CLAIM_AHEAD)), pool c + 2 for handlers + queue pool ${DAEMON.DB_QUEUE_POOL_MAX} (generic plans), enqueue on a pool of 2, ${durable ? 'synchronous' : 'asynchronous'} commit on both`,
    async start(concurrency, onStart) {
      const handle = openDatabase(url, { poolMax: concurrency + 2 });
      const queue = openDatabase(url, { poolMax: daemonAt(concurrency, env).DB_QUEUE_POOL_MAX, queuePool: true });
      // A pg client runs its queries in order, so this SET precedes every statement of the connection.
      if (durable) queue.pool.on('connect', (client) => void client.query('SET synchronous_commit = on'));
      const registry = new TaskRegistry()
        .register({ type: 'noop', handler: async ({ task }) => onStart(task.payload as unknown as Payload) })
        .register({ type: 'full_scrape', needsAccount: true, handler: async () => undefined });
      const wired = wireAccountAwareRunner({
        db: handle.db,
        queueDb: queue.db,
        registry,
        availability: (types) => accountAvailability(handle.db, BUDGET, 'auto', types),
        connectionString: url,
        options: runnerOptionsFrom(daemonAt(concurrency, env), `bench-${concurrency}`),
        logger,
      });
      wired.start();
      worker = { handle, queue, wired };
    },
    async enqueueMany(payloads) {
      await enqueueTasks(producer.db, payloads.map(asTask), { maxAttempts: 3 });
    },
    async enqueueOne(payload) {
      await enqueueTasks(producer.db, [asTask(payload)], { maxAttempts: 3 });
    },
    // Each EXISTS through the partial index of its status.
    unfinished: () =>
      monitor.count(
        "SELECT (EXISTS (SELECT 1 FROM scrape_tasks WHERE status = 'pending') OR EXISTS (SELECT 1 FROM scrape_tasks WHERE status = 'running'))::int AS n",
      ),
    reset: () => monitor.exec('TRUNCATE scrape_tasks RESTART IDENTITY CASCADE'),
    async stop() {
      if (!worker) return;
      await worker.wired.runner.stop(1000);
      await worker.wired.listener.stop();
      await worker.handle.close();
      await worker.queue.close();
      worker = undefined;
    },
    async close() {
      await producer.close();
      await monitor.pool.end();
    },
  };
}
