import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { sleep } from '../util/wait.js';
import { claimTasks, completeAndClaim, type Completion, type GroupedClaimRequest } from './claim.js';
import { DeferTaskError, PermanentTaskError } from './errors.js';
import { failTask, releaseTask, renewLease, saveProgress } from './finish.js';
import { notifyNewWork, recoverExpiredLeases } from './recover.js';
import type { TaskRegistry } from './registry.js';
import type { Task } from './task.js';

export interface RunnerOptions {
  workerId: string;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  backoffBaseMs: number;
  backoffFactor: number;
  /**
   * Completing statements in flight at once (QUEUE_STATEMENTS_IN_FLIGHT, default 2): runs that finish while one is
   * in flight go out in the next without waiting for it, so synchronous commits overlap (Postgres flushes them
   * together). Keep below the queue pool's size (DB_QUEUE_POOL_MAX), which the loop's claims also use.
   */
  statementsInFlight?: number;
}

export interface RunnerDeps {
  /** What handlers get. */
  db: Kysely<Database>;
  /**
   * Where the runner's own statements go (claim, complete, fail, lease renewal, checkpoints): the daemon gives it a
   * small pool of its own (openDatabase's queuePool: generic plans, asynchronous commit). Default: `db`.
   */
  queueDb?: Kysely<Database>;
  registry: TaskRegistry;
  logger: Logger;
  options: RunnerOptions;
  /**
   * What to claim with `free` slots: groups of task types, each with a limit (default: every registered type, up
   * to `free`). The account pool uses it to claim Instagram tasks only while an account can run them.
   */
  planClaims?: (free: number) => Promise<ClaimGroup[]>;
  /** When an idle runner should look again even without a NOTIFY (e.g. an account's cooldown ends); null = poll. */
  nextWakeAt?: () => Promise<Date | null>;
  observer?: RunnerObserver;
}

/** Optional instrumentation (Prometheus metrics); the runner works the same without it. */
export interface RunnerObserver {
  claimed(tasks: readonly Task[], durationMs: number): void;
  finished(task: Task, outcome: 'done' | 'retry' | 'failed' | 'deferred' | 'released' | 'lost', durationMs: number): void;
}

export interface ClaimGroup {
  types: readonly string[];
  limit: number;
}

interface PendingCompletion {
  completion: Completion;
  resolve(completed: boolean): void;
  reject(error: unknown): void;
}

interface ActiveRun {
  task: Task;
  controller: AbortController;
  done: Promise<void>;
}

class ShutdownAbort extends Error {}

const WAKE_UP = Symbol('wake up');

/**
 * The poll loop: claims as many tasks as it has free slots, runs them with a renewed lease, and records how each
 * ended. It sleeps until woken (NOTIFY, a slot freed) or the fallback poll interval passes, and backs off after
 * errors instead of spinning.
 */
export class TaskRunner {
  private readonly active = new Map<number, ActiveRun>();
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeSleeper = new AbortController();
  private lastRecovery = 0;
  private sleeping = false;
  private claimSeq = 0;
  private readonly wakeTimers = new Set<NodeJS.Timeout>();
  private readonly completions: PendingCompletion[] = [];
  private flushScheduled = false;
  private flushesInFlight = 0;
  private readonly queueDb: Kysely<Database>;

  constructor(private readonly deps: RunnerDeps) {
    this.queueDb = deps.queueDb ?? deps.db;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** True while the loop sleeps waiting for work (NOTIFY, a freed slot or the fallback poll). */
  get isIdle(): boolean {
    return this.sleeping;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Wakes the loop now: new work may be claimable. */
  wake(): void {
    this.wakeRequested = true;
    // With a reason given, abort() skips building a DOMException (and its stack): this runs once per task.
    this.wakeSleeper.abort(WAKE_UP);
  }

  private async loop(): Promise<void> {
    const { logger, options } = this.deps;
    let errorStreak = 0;
    while (this.running) {
      this.wakeRequested = false;
      try {
        await this.recoverIfDue();
        const free = options.concurrency - this.active.size;
        const claimed = free > 0 ? await this.claim(free) : [];
        errorStreak = 0;
        for (const task of claimed) this.startRun(task);
        if (free > 0 && claimed.length === free) continue; // a full batch: there may be more right away
      } catch (error) {
        errorStreak++;
        const delay = Math.min(30_000, 250 * 2 ** Math.min(errorStreak, 7));
        logger.error({ err: error, retryInMs: delay }, 'claiming tasks failed');
        await sleep(delay, this.stopSignal());
        continue;
      }
      await this.idle(await this.idleMs());
    }
  }

  /** The fallback poll, shortened when something (an account leaving its cooldown) is due sooner. */
  private async idleMs(): Promise<number> {
    const { pollIntervalMs } = this.deps.options;
    const wakeAt = await this.deps.nextWakeAt?.().catch(() => null);
    if (!wakeAt) return pollIntervalMs;
    return Math.min(pollIntervalMs, Math.max(50, wakeAt.getTime() - Date.now()));
  }

  /**
   * Each claim gets its own lease token (worker id + a sequence number), stored as locked_by. Outcomes are accepted
   * only with the token of the run that claimed the task, so a stale run of this same process — whose lease
   * expired during a stall, after which the task was recovered and claimed again — cannot overwrite the new run.
   */
  private leaseToken(): string {
    return leaseTokenOf(this.deps.options.workerId, ++this.claimSeq);
  }

  private async claim(free: number): Promise<Task[]> {
    const plan = this.deps.planClaims ? await this.deps.planClaims(free) : [{ types: this.deps.registry.types(), limit: free }];
    const { workerId, leaseMs } = this.deps.options;
    const claimed: Task[] = [];
    const started = performance.now();
    for (const group of plan) {
      const limit = Math.min(group.limit, free - claimed.length);
      if (limit > 0) claimed.push(...(await claimTasks(this.queueDb, { workerId: this.leaseToken(), limit, leaseMs, taskTypes: group.types })));
    }
    this.deps.observer?.claimed(claimed, performance.now() - started);
    return claimed;
  }

  /** Expired leases are recovered by every runner, at most once per lease period; the statement is idempotent. */
  private async recoverIfDue(): Promise<void> {
    if (Date.now() - this.lastRecovery < this.deps.options.leaseMs) return;
    this.lastRecovery = Date.now();
    const recovered = await recoverExpiredLeases(this.queueDb);
    if (recovered.requeued + recovered.failed > 0) this.deps.logger.warn(recovered, 'recovered tasks with expired leases');
  }

  private async idle(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) return;
    this.wakeSleeper = new AbortController();
    this.sleeping = true;
    await sleep(ms, this.wakeSleeper.signal);
    this.sleeping = false;
  }

  private stopSignal(): AbortSignal {
    this.wakeSleeper = new AbortController();
    return this.wakeSleeper.signal;
  }

  private startRun(task: Task): void {
    const controller = new AbortController();
    const run: ActiveRun = { task, controller, done: Promise.resolve() };
    this.active.set(task.id, run);
    run.done = this.execute(task, controller).finally(() => {
      this.active.delete(task.id);
      // A slot refilled by the completing statement's own claim needs no look from the loop.
      if (this.active.size < this.deps.options.concurrency || !this.running) this.wake();
    });
  }

  private async execute(task: Task, controller: AbortController): Promise<void> {
    const { db, options } = this.deps;
    const logger = this.deps.logger.child({ taskId: task.id, taskType: task.task_type });
    const renewal = setInterval(() => void this.renew(task, controller, logger), Math.max(100, options.leaseMs / 3));
    const startedAt = Date.now();
    try {
      const definition = this.deps.registry.get(task.task_type);
      if (!definition) throw new PermanentTaskError(`no handler is registered for task type ${task.task_type}`);
      logger.info({ attempt: task.attempts }, 'task started');
      const result = await definition.handler({
        task,
        db,
        logger,
        signal: controller.signal,
        saveProgress: (progress) => saveProgress(this.queueDb, task.id, holder(task), progress),
      });
      // A handler that returned because it was aborted did not finish its work: treat it as interrupted.
      controller.signal.throwIfAborted();
      const done = await this.complete(task, result ?? undefined);
      if (done) logger.info({ durationMs: Date.now() - startedAt }, 'task done');
      else logger.warn('task finished but its lease was gone (cancelled or recovered); result discarded');
      this.deps.observer?.finished(task, done ? 'done' : 'lost', Date.now() - startedAt);
    } catch (error) {
      const outcome = await this.recordFailure(task, controller, error, logger);
      this.deps.observer?.finished(task, outcome, Date.now() - startedAt);
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * Records success. Completions are written in batches without waiting for one: the first goes out on the next
   * tick (with every run that finished in the same tick), and runs that finish while it is in flight go together in
   * the next statement (up to `statementsInFlight` at once), each batch under one commit. Without a claim
   * plan (every registered type is claimable at any time) that statement also claims a task for each slot it
   * frees, so a busy worker spends one statement per batch rather than two per task. With a plan (the daemon's
   * account check) the statement claims what the plan allows for the freed slots, so the daemon runs this same path.
   */
  private complete(task: Task, result: Record<string, unknown> | undefined): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.completions.push({ completion: { id: task.id, leaseToken: holder(task), result }, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * One tick first: runs that finish in this same turn of the event loop (short tasks of one claimed batch end
   * together) go in one statement, instead of the first alone and the rest in the next (issue 14). At most
   * `statementsInFlight` statements at once; when one returns, whatever finished meanwhile goes next.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.completions.length === 0 || this.flushesInFlight >= (this.deps.options.statementsInFlight ?? 2)) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.completions.splice(0, this.completions.length);
    if (batch.length === 0) return;
    this.flushesInFlight++;
    try {
      const claim = await this.claimForFreedSlots(batch.length);
      const started = performance.now();
      const { completed, claimed } = await completeAndClaim(this.queueDb, batch.map((b) => b.completion), claim);
      if (claim) this.deps.observer?.claimed(claimed, performance.now() - started);
      // The new runs start before the finished ones leave `active`, so the loop never sees their slots as free.
      for (const next of claimed) {
        // stop() began while the statement ran: hand the task straight back instead of starting it.
        if (this.running) this.startRun(next);
        else await releaseTask(this.queueDb, next.id, holder(next));
      }
      for (const b of batch) b.resolve(completed.has(b.completion.id));
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      this.flushesInFlight--;
      this.scheduleFlush();
    }
  }

  /**
   * What the completing statement claims for the slots it frees: the claim plan's groups (at most two, the shape of
   * complete-claim.sql), or every registered type without a plan. A plan that fails or has more groups leaves the
   * claim to the loop, which a freed slot wakes.
   */
  private async claimForFreedSlots(freed: number): Promise<GroupedClaimRequest | undefined> {
    if (!this.running) return undefined;
    const { leaseMs } = this.deps.options;
    if (!this.deps.planClaims) return { workerId: this.leaseToken(), limit: freed, leaseMs, taskTypes: this.deps.registry.types() };
    const plan = await this.deps.planClaims(freed).catch(() => undefined);
    if (!plan || plan.length === 0 || plan.length > 2) return undefined;
    const [first, second] = plan as [ClaimGroup, ClaimGroup | undefined];
    return {
      workerId: this.leaseToken(),
      limit: Math.min(first.limit, freed),
      taskTypes: first.types,
      leaseMs,
      total: freed,
      ...(second ? { then: { taskTypes: second.types, limit: second.limit } } : {}),
    };
  }

  private async recordFailure(
    task: Task,
    controller: AbortController,
    error: unknown,
    logger: Logger,
  ): Promise<'retry' | 'failed' | 'deferred' | 'released' | 'lost'> {
    const { options } = this.deps;
    const db = this.queueDb;
    const message = error instanceof Error ? error.message : String(error);
    try {
      if (controller.signal.reason instanceof ShutdownAbort) {
        if (await releaseTask(db, task.id, holder(task))) logger.info('task handed back for another process (shutdown)');
        return 'released';
      }
      if (error instanceof DeferTaskError) {
        // The lease may be gone (cancelled, or recovered after a stall): then nothing was deferred.
        if (!(await releaseTask(db, task.id, holder(task), error.until, message))) {
          logger.warn({ reason: message }, 'task deferred after its lease was gone; outcome discarded');
          return 'lost';
        }
        logger.info({ until: error.until.toISOString(), reason: message }, 'task deferred');
        this.wakeAt(error.until);
        return 'deferred';
      }
      const failed = await failTask(db, task.id, holder(task), {
        message,
        retryable: !(error instanceof PermanentTaskError),
        backoffBaseMs: options.backoffBaseMs,
        backoffFactor: options.backoffFactor,
      });
      if (!failed) {
        logger.warn({ err: message }, 'task failed after its lease was gone; outcome discarded');
        return 'lost';
      }
      if (failed.status === 'pending') {
        logger.warn({ err: message, retryAt: failed.run_at }, 'task failed; will retry');
        return 'retry';
      }
      logger.error({ err: message, attempts: failed.attempts }, 'task failed');
      return 'failed';
    } catch (dbError) {
      // The lease will expire and recovery will retry the task; nothing is lost.
      logger.error({ err: dbError, taskError: message }, 'could not record the task outcome');
      return 'lost';
    }
  }

  /**
   * Looks again when a deferred task falls due. The account plan wakes the loop when an account leaves its cooldown,
   * but a task deferred a little past that moment would otherwise wait for the fallback poll.
   */
  private wakeAt(at: Date): void {
    if (!this.running) return;
    const timer = setTimeout(() => {
      this.wakeTimers.delete(timer);
      this.wake();
    }, Math.max(0, at.getTime() - Date.now()) + 10);
    timer.unref();
    this.wakeTimers.add(timer);
  }

  private async renew(task: Task, controller: AbortController, logger: Logger): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const held = await renewLease(this.queueDb, task.id, holder(task), this.deps.options.leaseMs);
      if (!held) {
        logger.warn('lease lost (task cancelled or recovered); stopping it');
        controller.abort(new Error('lease lost'));
      }
    } catch (error) {
      logger.warn({ err: error }, 'lease renewal failed; will try again');
    }
  }

  /**
   * Stops claiming, lets running tasks finish for up to `graceMs`, then aborts the rest and hands them back to
   * pending without spending their attempt (checkpoints kept).
   */
  async stop(graceMs: number): Promise<{ finished: number; handedBack: number }> {
    if (!this.running) return { finished: 0, handedBack: 0 };
    this.running = false;
    for (const timer of this.wakeTimers) clearTimeout(timer);
    this.wakeTimers.clear();
    this.wake();
    await this.loopDone;
    const inFlight = [...this.active.values()];
    const allDone = Promise.all(inFlight.map((run) => run.done));
    // graceMs is the whole budget: the wait for aborted handlers comes out of it, not on top (a container's stop
    // period counts from the signal, and SIGKILL follows it).
    const abortWaitMs = Math.min(2_000, Math.floor(graceMs / 5));
    const timedOut = await Promise.race([allDone.then(() => false), sleep(graceMs - abortWaitMs).then(() => true)]);
    const remaining = [...this.active.values()];
    if (timedOut && remaining.length > 0) {
      for (const run of remaining) run.controller.abort(new ShutdownAbort('shutting down'));
      // Handlers see the abort and return; whichever way they end, the task is released (see recordFailure).
      await Promise.race([Promise.all(remaining.map((run) => run.done)), sleep(abortWaitMs)]);
      for (const run of this.active.values()) await releaseTask(this.queueDb, run.task.id, holder(run.task));
      await notifyNewWork(this.queueDb).catch(() => undefined);
    }
    return { finished: inFlight.length - remaining.length, handedBack: remaining.length };
  }
}

/**
 * `<worker id>#<claim sequence>`. igscout_account_holder (migration 0014) strips the `#<sequence>` to find the
 * worker's account lease (src/accounts/session.ts accountHolderOf): keep the three in step.
 */
export function leaseTokenOf(workerId: string, claimSeq: number): string {
  return `${workerId}#${claimSeq}`;
}

/** The lease token a claimed task carries: every outcome of its run is conditioned on it. */
function holder(task: Task): string {
  return task.locked_by!;
}
