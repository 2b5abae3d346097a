import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { NewWorkListener } from '../../src/queue/listener.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { TaskRunner } from '../../src/queue/runner.js';
import { accountAvailability } from '../../src/accounts/lease.js';
import { accountAwareClaims } from '../../src/tasks/claim-plan.js';
import { Monitor, type Payload, type QueueSystem } from './system.js';

const logger = createLogger({ level: 'warn', format: 'json' });
/** The daemon's defaults (src/config.ts): poll, lease, retry backoff, statements in flight, queue pool size. */
const DAEMON = loadConfig({});

/** The daemon's default account budget (src/config.ts); with no accounts in the bench database it plans 0 usable. */
const BUDGET = { windowMs: 3_600_000, perWindow: 30, warmupPerWindow: 10, warmupDays: 7, dailyCap: 0, delayMinMs: 0, delayMaxMs: 0 };

/**
 * This project's queue as the daemon wires it (src/daemon.ts): TaskRunner (claim with SKIP LOCKED, lease, complete)
 * with the account-aware claim plan over the real account-availability query, a registry with an Instagram type
 * that needs an account next to the no-op, enqueueTasks, and NewWorkListener waking the runner on NOTIFY. Daemon
 * defaults: 5 s fallback poll, 60 s lease. `durable`: the queue pool commits synchronously like its peers (the
 * daemon's own setting is asynchronous commit, see src/db/database.ts).
 */
export async function ourQueue(url: string, version: string, durable = false): Promise<QueueSystem> {
  const producer = openDatabase(url, { poolMax: 2 });
  await migrate(producer.pool, logger);
  const monitor = new Monitor(url);
  let worker: { handle: DatabaseHandle; queue: DatabaseHandle; runner: TaskRunner; listener: NewWorkListener } | undefined;
  const asTask = (payload: Payload) => ({ type: 'noop', payload: payload as unknown as Record<string, unknown> });

  return {
    name: durable ? 'ig-scout (sync commit)' : 'ig-scout',
    version,
    setup: (c) =>
      `TaskRunner concurrency ${c} with the daemon's account-aware claim plan and defaults (poll ${DAEMON.QUEUE_POLL_INTERVAL_MS / 1000} s, ${DAEMON.QUEUE_STATEMENTS_IN_FLIGHT} completing statements in flight), LISTEN/NOTIFY, pool ${c + 2} for handlers + queue pool ${DAEMON.DB_QUEUE_POOL_MAX} (generic plans, ${durable ? 'synchronous' : 'asynchronous'} commit)`,
    async start(concurrency, onStart) {
      const handle = openDatabase(url, { poolMax: concurrency + 2 });
      const queue = openDatabase(url, { poolMax: DAEMON.DB_QUEUE_POOL_MAX, queuePool: true });
      // A pg client runs its queries in order, so this SET precedes every statement of the connection.
      if (durable) queue.pool.on('connect', (client) => void client.query('SET synchronous_commit = on'));
      const registry = new TaskRegistry()
        .register({ type: 'noop', handler: async ({ task }) => onStart(task.payload as unknown as Payload) })
        .register({ type: 'full_scrape', needsAccount: true, handler: async () => undefined });
      const plan = accountAwareClaims(registry, (types) => accountAvailability(handle.db, BUDGET, 'auto', types), { noneUsableRecheckMs: DAEMON.QUEUE_POLL_INTERVAL_MS });
      const runner = new TaskRunner({
        db: handle.db,
        queueDb: queue.db,
        registry,
        planClaims: plan.planClaims,
        nextWakeAt: plan.nextWakeAt,
        logger,
        options: {
          workerId: `bench-${concurrency}`,
          concurrency,
          pollIntervalMs: DAEMON.QUEUE_POLL_INTERVAL_MS,
          leaseMs: DAEMON.TASK_LEASE_MS,
          backoffBaseMs: DAEMON.TASK_RETRY_BASE_MS,
          backoffFactor: DAEMON.TASK_RETRY_FACTOR,
          statementsInFlight: DAEMON.QUEUE_STATEMENTS_IN_FLIGHT,
        },
      });
      const listener = new NewWorkListener(
        url,
        (payload) => {
          plan.heard(payload);
          runner.wake();
        },
        logger,
      );
      listener.start();
      runner.start();
      worker = { handle, queue, runner, listener };
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
      await worker.runner.stop(1000);
      await worker.listener.stop();
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
