import { sleep } from '../../src/util/wait.js';
import { percentile, round1, round2 } from '../lib/stats.js';
import { now, queryCount, type Payload, type QueueSystem } from './system.js';

export interface Settings {
  tasks: number;
  latencyTasks: number;
  /** Single enqueues per second in the latency phase: the same for every system, below all their capacities. */
  paceRate: number;
}

export interface Measurement {
  system: string;
  concurrency: number;
  throughput: number;
  /** Tasks/s working through a backlog enqueued before the workers started (graphile-worker's perfTest method); null when not measured. */
  backlogThroughput: number | null;
  queriesPerTask: number;
  walBytesPerTask: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Two phases on the same running workers, so that a backlog never passes for latency:
 *  - throughput: `tasks` enqueued in one bulk call of the system's API, timed from that call until none is unfinished;
 *  - latency: `latencyTasks` enqueued one call each at `paceRate`; enqueue→start = handler start − the producer's
 *    clock just before its enqueue call (one process, one clock).
 * With `settle`, a third on new workers: `tasks` enqueued with none running, `settle` (the bench analyzes the
 * database and checkpoints), and the workers started: timed from their start until none is unfinished
 * (measureBacklog). The stuck-backlog part leaves it out: it would clear the table it set up.
 */
export async function measure(
  system: QueueSystem,
  concurrency: number,
  settings: Settings,
  wal: () => Promise<bigint>,
  settle?: () => Promise<void>,
): Promise<Measurement> {
  await system.reset();
  const latencies: number[] = [];
  let pacing = false;
  const burst = startsOf(settings.tasks);
  await system.start(concurrency, (payload) => {
    if (pacing) latencies.push(now() - payload.t);
    else burst.started();
  });

  const queriesBefore = queryCount();
  const monitorBefore = monitorQueries(system);
  const walBefore = await wal();
  const startedAt = performance.now();
  await system.enqueueMany(Array.from({ length: settings.tasks }, () => ({ t: now() })));
  await burst.finished(system);
  const seconds = (performance.now() - startedAt) / 1000;
  const queries = queryCount() - queriesBefore - (monitorQueries(system) - monitorBefore);
  const walBytes = Number((await wal()) - walBefore);

  pacing = true;
  const gapMs = 1000 / settings.paceRate;
  const paceStart = performance.now();
  for (let i = 0; i < settings.latencyTasks; i++) {
    const wait = paceStart + i * gapMs - performance.now();
    if (wait > 1) await sleep(wait);
    const payload: Payload = { t: now() };
    await system.enqueueOne(payload);
  }
  await drained(system, 120_000);
  await system.stop();
  const backlogThroughput = settle ? await measureBacklog(system, concurrency, settings.tasks, settle) : null;
  return {
    system: system.name,
    concurrency,
    throughput: Math.round(settings.tasks / seconds),
    backlogThroughput,
    queriesPerTask: round2(queries / settings.tasks),
    walBytesPerTask: Math.round(walBytes / settings.tasks),
    p50: round1(percentile(latencies, 50)),
    p99: round1(percentile(latencies, 99)),
    max: round1(Math.max(...latencies)),
  };
}

/**
 * A backlog waiting when the workers start (a daemon restarted, or one more process added), measured as
 * graphile-worker's own perfTest measures it: jobs scheduled first, then only their execution timed. Between the two,
 * `settle` gives every system's tables the same statistics (ANALYZE with the backlog in them) and a checkpoint, so no
 * system's plan depends on when autovacuum last came by. The worker's start-up (pools, LISTEN, graphile-worker's
 * migration check) is inside the window, as in perfTest's run; it takes 2 to 15 ms.
 */
async function measureBacklog(system: QueueSystem, concurrency: number, tasks: number, settle: () => Promise<void>): Promise<number> {
  await system.reset();
  await system.enqueueMany(Array.from({ length: tasks }, () => ({ t: now() })));
  await settle();
  const backlog = startsOf(tasks);
  const startedAt = performance.now();
  await system.start(concurrency, () => backlog.started());
  await backlog.finished(system);
  const seconds = (performance.now() - startedAt) / 1000;
  await system.stop();
  return Math.round(tasks / seconds);
}

/**
 * Counts handler starts of a timed phase of `tasks`; `finished` waits for the last start, then for the table to show
 * nothing unfinished: the drain check asks the database only once every task has started.
 */
function startsOf(tasks: number) {
  let count = 0;
  let allStarted: () => void = () => undefined;
  const everyTaskStarted = new Promise<void>((resolve) => {
    allStarted = resolve;
  });
  return {
    started(): void {
      if (++count === tasks) allStarted();
    },
    async finished(system: QueueSystem): Promise<void> {
      const gaveUp = setTimeout(allStarted, 600_000); // a system that loses tasks fails in drained(), not here
      await everyTaskStarted;
      clearTimeout(gaveUp);
      await drained(system, 600_000);
    },
  };
}

const polls = new WeakMap<QueueSystem, number>();
const monitorQueries = (system: QueueSystem) => polls.get(system) ?? 0;

/**
 * Polls until nothing is unfinished; each poll is one monitor query, left out of the per-task count. In the
 * throughput phase it starts once every task's handler has started, so the watcher's queries (an EXISTS over a
 * table churning with dead entries costs ours 1 ms and graphile-worker's 0.4 ms) do not tax the server while the
 * system under test works, and it polls every 5 ms from then on: the end is seen within 5 ms for every system.
 */
async function drained(system: QueueSystem, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    polls.set(system, monitorQueries(system) + 1);
    if ((await system.unfinished()) === 0) return;
    if (Date.now() > deadline) throw new Error(`${system.name}: tasks still unfinished after ${timeoutMs} ms`);
    await sleep(5);
  }
}
