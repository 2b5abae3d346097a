import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { claimTick, finishTick } from './guard.js';

/**
 * A cron job: a short piece of database work (mostly enqueueing), run once per tick across every process.
 */
export interface JobDefinition {
  name: string;
  /** Cron pattern (5 fields, or 6 with seconds), evaluated in UTC. */
  schedule: string;
  /** A run older than this no longer blocks the next tick (its process probably died). */
  maxRuntimeMs?: number;
  run(): Promise<Record<string, unknown> | void>;
}

export interface SchedulerDeps {
  db: Kysely<Database>;
  logger: Logger;
  workerId: string;
  jobs: readonly JobDefinition[];
}

const DEFAULT_MAX_RUNTIME_MS = 10 * 60_000;

/**
 * croner in every process, the database deciding which process runs a tick (src/scheduler/guard.ts): no process is
 * special, and stopping any of them does not stop the schedule.
 */
export class Scheduler {
  private crons: Cron[] = [];
  private readonly running = new Set<Promise<void>>();
  /** The last planned tick this process has handled, per job: a late timer catches up on what it missed. */
  private readonly handledUpTo = new Map<string, number>();

  constructor(private readonly deps: SchedulerDeps) {
    for (const job of deps.jobs) {
      try {
        new Cron(job.schedule, { paused: true, timezone: 'UTC' }).stop(); // validate the pattern up front
      } catch (error) {
        throw new Error(`invalid cron pattern for job ${job.name}: "${job.schedule}" (${(error as Error).message})`);
      }
    }
  }

  start(): void {
    if (this.crons.length > 0) return;
    for (const job of this.deps.jobs) {
      const cron = new Cron(job.schedule, { timezone: 'UTC', paused: true });
      this.handledUpTo.set(job.name, plannedTick(cron, new Date()).getTime());
      // No in-process protect: overlap is prevented in the database, and a busy process must not skip a tick.
      cron.schedule(() => this.track(this.catchUp(job, cron)));
      cron.resume();
      this.crons.push(cron);
    }
    this.deps.logger.info({ jobs: this.deps.jobs.map((j) => `${j.name} @ ${j.schedule}`) }, 'scheduler started');
  }

  /** The next planned run of each job, for /api/health and the logs. */
  nextRuns(): Record<string, string | null> {
    return Object.fromEntries(this.crons.map((cron, i) => [this.deps.jobs[i]!.name, cron.nextRun()?.toISOString() ?? null]));
  }

  private track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    return run.finally(() => this.running.delete(run));
  }

  /**
   * Handles every planned tick since the last one this process handled. croner plans the next run from the moment a
   * timer actually fired, so a timer that fires late (a busy event loop) would otherwise leave a tick to nobody.
   */
  private async catchUp(job: JobDefinition, cron: Cron): Promise<void> {
    const due = plannedTicksAfter(cron, this.handledUpTo.get(job.name) ?? 0, new Date());
    if (due.length === 0) return;
    this.handledUpTo.set(job.name, due.at(-1)!.getTime()); // before awaiting: an overlapping trigger takes none of these
    for (const tick of due) await this.tick(job, undefined, tick);
  }

  /** One tick in this process: take it in the database, or learn that another process has. */
  async tick(job: JobDefinition, cron?: Cron, at: Date = new Date()): Promise<void> {
    const { db, logger, workerId } = this.deps;
    const tick = cron ? plannedTick(cron, at) : new Date(Math.floor(at.getTime() / 1000) * 1000);
    const log = logger.child({ job: job.name, tick: tick.toISOString() });
    let claim: Awaited<ReturnType<typeof claimTick>>;
    try {
      claim = await claimTick(db, job.name, tick, workerId, job.maxRuntimeMs ?? DEFAULT_MAX_RUNTIME_MS);
    } catch (error) {
      log.error({ err: error }, 'could not claim the tick; skipped');
      return;
    }
    if (claim === 'taken') return log.debug('tick taken by another process');
    if (claim === 'overlap') return log.warn('previous run still going; tick skipped');
    const started = Date.now();
    try {
      const result = (await job.run()) ?? undefined;
      await finishTick(db, job.name, tick, { status: 'done', result });
      log.info({ durationMs: Date.now() - started, ...result }, 'job done');
    } catch (error) {
      log.error({ err: error, durationMs: Date.now() - started }, 'job failed');
      await finishTick(db, job.name, tick, { status: 'failed', error: (error as Error).message }).catch(() => undefined);
    }
  }

  /** Stops planning ticks and waits for runs in progress (jobs are short by design). */
  async stop(): Promise<void> {
    for (const cron of this.crons) cron.stop();
    this.crons = [];
    await Promise.allSettled([...this.running]);
  }
}

/**
 * The scheduled time this trigger belongs to: the latest planned run at or before `now`. Every process computes the
 * same value even when its timer fired late, which is what makes (job, tick) a cross-process key.
 */
export function plannedTick(cron: Cron, now: Date): Date {
  const lookBackMs = 5 * 60_000;
  let last: Date | null = null;
  let next = cron.nextRun(new Date(now.getTime() - lookBackMs));
  while (next && next.getTime() <= now.getTime()) {
    last = next;
    next = cron.nextRun(next);
  }
  return last ?? new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/** Planned ticks after `afterMs` and at or before `now`, oldest first; at most the last `max` of them. */
export function plannedTicksAfter(cron: Cron, afterMs: number, now: Date, max = 10): Date[] {
  const ticks: Date[] = [];
  let next = cron.nextRun(new Date(Math.max(afterMs, now.getTime() - 24 * 3_600_000)));
  while (next && next.getTime() <= now.getTime()) {
    ticks.push(next);
    next = cron.nextRun(next);
  }
  return ticks.slice(-max);
}
