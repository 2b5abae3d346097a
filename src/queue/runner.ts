import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { signalled, sleep } from '../util/wait.js';
import { claimTasks, completeAndClaim, type Completion, type GroupedClaimRequest } from './claim.js';
import { DeferTaskError, PermanentTaskError } from './errors.js';
import { failTask, handBackUnstarted, releaseTask, renewLeases, saveProgress, type Lease } from './finish.js';
import { notifyNewWork, recoverExpiredLeases } from './recover.js';
import type { TaskContext, TaskRegistry } from './registry.js';
import type { ClaimedTask } from './task.js';

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
  /**
   * Tasks of types that need no Instagram account (registry `needsAccount` false) the runner holds claimed beyond
   * its running ones (QUEUE_CLAIM_AHEAD, default 0 here; the daemon's default is its concurrency + 1), so a slot
   * freed by a finished run starts the next task at once instead of after a round trip. Their leases are renewed
   * with the running ones' and they are handed back, attempt returned, on stop. Instagram types are never claimed
   * ahead: the claim plan takes them only for free slots, as many as accounts are usable.
   */
  claimAhead?: number;
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
   * What to claim with `free` slots and room for `ahead` more tasks claimed ahead: groups of task types, each with a
   * limit; the groups together claim at most free + ahead (default: every registered type, those that need an
   * account only for free slots). The account pool uses it to claim Instagram tasks only while an account can run
   * them; it must give types that need an account no more than `free`.
   */
  planClaims?: (free: number, ahead: number) => Promise<ClaimGroup[]>;
  /** When an idle runner should look again even without a NOTIFY (e.g. an account's cooldown ends); null = poll. */
  nextWakeAt?: () => Promise<Date | null>;
  observer?: RunnerObserver;
}

/** Optional instrumentation (Prometheus metrics); the runner works the same without it. */
export interface RunnerObserver {
  claimed(tasks: readonly ClaimedTask[], durationMs: number): void;
  finished(task: ClaimedTask, outcome: 'done' | 'retry' | 'failed' | 'deferred' | 'released' | 'lost', durationMs: number): void;
}

export interface ClaimGroup {
  types: readonly string[];
  limit: number;
}

/** A task whose lease this runner holds: running, claimed ahead (buffered) or finished with its completion unwritten. */
interface Held {
  task: ClaimedTask;
  /**
   * When the lease runs out as far as this process can tell: when the statement that set it was sent, plus the
   * lease. A task claimed ahead whose lease is this close to its end is handed back rather than started.
   */
  leaseUntil: number;
}

/** A run whose handler succeeded, its outcome not written yet: the completing statement settles it (settleRun). */
interface PendingCompletion {
  completion: Completion;
  /** The task ran on an Instagram account: writing its outcome can make the plan see one more usable account. */
  usedAccount: boolean;
  run: ActiveRun;
}

/**
 * A run from its start until its outcome is written. Per-task state lives here, not in closures and promises: the
 * busy path allocates little per task (issue 14, "cut per-task work").
 */
interface ActiveRun {
  held: Held;
  /** Made when first needed (a handler reads `signal`, or the run is aborted): most runs never need one. */
  controller: AbortController | undefined;
  startedAt: number;
  /** The task's child logger, made when first used. */
  logger: Logger | undefined;
}

/** The signal a run's handler sees. */
function controllerOf(run: ActiveRun): AbortController {
  run.controller ??= new AbortController();
  return run.controller;
}
const signalOf = (run: ActiveRun): AbortSignal => controllerOf(run).signal;
const abortRun = (run: ActiveRun, reason: unknown): void => controllerOf(run).abort(reason);
const isAborted = (run: ActiveRun): boolean => run.controller?.signal.aborted === true;

class ShutdownAbort extends Error {}

const WAKE_UP = Symbol('wake up');

/**
 * The poll loop: claims as many tasks as it has free slots (plus up to `claimAhead` more of types that need no
 * account), runs them with a renewed lease, and records how each ended. It sleeps until woken (NOTIFY, a slot
 * freed) or the fallback poll interval passes, and backs off after errors instead of spinning.
 *
 * Accounting: every task is owned from the moment a statement is sent to claim it (`reserved`) until its outcome is
 * written. A finished run frees its slot at once (the next task claimed ahead starts in it) while its completion is
 * written; the statement that writes it claims for whatever room the runner then has, so the loop claims only when
 * that statement came back short or a run ended otherwise.
 */
export class TaskRunner {
  private readonly active = new Map<number, ActiveRun>();
  /** Every task whose lease this runner holds, by id: renewed together, one statement per renewal period. */
  private readonly held = new Map<number, Held>();
  /** Claimed ahead, in the order they were claimed (most urgent first): started as slots free up. */
  private readonly buffer: Held[] = [];
  /** Runs whose outcome is not written yet: stop() waits for these, not only for running handlers. */
  private unsettled = 0;
  private settledWaiter: { promise: Promise<void>; resolve(): void } | undefined;
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
  /** Tasks asked for by claiming statements in flight (the loop's and the completing ones'). */
  private reserved = 0;
  /** The loop was woken but had no room, all of it asked for by completing statements in flight. */
  private wakeMissed = false;
  /**
   * The last claim came back short: nothing more was due. Completing statements then only complete, and new work
   * is claimed by the loop when its NOTIFY comes, at once, instead of after a completing statement holding the room
   * (on an idle queue that statement would find nothing, and a task enqueued meanwhile waited for it).
   */
  private drained = false;
  private renewalTimer: NodeJS.Timeout | undefined;
  private renewing = false;
  private readonly queueDb: Kysely<Database>;
  private readonly claimAhead: number;
  /** Types that may wait in the buffer: those that need no Instagram account. */
  private readonly aheadTypes: ReadonlySet<string>;
  private readonly accountTypes: readonly string[];

  constructor(private readonly deps: RunnerDeps) {
    this.queueDb = deps.queueDb ?? deps.db;
    const { withAccount, withoutAccount } = deps.registry.typesByAccountNeed();
    this.aheadTypes = new Set(withoutAccount);
    this.accountTypes = withAccount;
    this.claimAhead = withoutAccount.length > 0 ? Math.max(0, deps.options.claimAhead ?? 0) : 0;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Tasks claimed ahead and not started yet. */
  get bufferedCount(): number {
    return this.buffer.length;
  }

  /** True while the loop sleeps waiting for work (NOTIFY, a freed slot or the fallback poll). */
  get isIdle(): boolean {
    return this.sleeping;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { leaseMs } = this.deps.options;
    this.renewalTimer = setInterval(() => void this.renewAll(), Math.max(100, leaseMs / 3));
    this.renewalTimer.unref(); // runs keep the process alive, not an idle runner's renewal tick
    this.loopDone = this.loop();
  }

  /** Wakes the loop now: new work may be claimable. */
  wake(): void {
    this.wakeRequested = true;
    // With a reason given, abort() skips building a DOMException (and its stack): this runs once per task.
    this.wakeSleeper.abort(WAKE_UP);
  }

  private async loop(): Promise<void> {
    const { logger } = this.deps;
    let errorStreak = 0;
    while (this.running) {
      this.wakeRequested = false;
      try {
        await this.recoverIfDue();
        const { free, room } = this.room();
        if (room === 0) {
          // Woken (new work, maybe) with no room: completing statements claim again as they free some.
          this.drained = false;
          // A NOTIFY while completing statements claim for all the room: one that comes back short wakes the loop.
          if (this.reserved > 0) this.wakeMissed = true;
        }
        const claimed = room > 0 ? await this.claim(free, room) : 0;
        errorStreak = 0;
        if (room > 0 && claimed === room) continue; // a full batch: there may be more right away
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

  /**
   * What a claim may take now: `free` slots no owned task will fill, and `room` in all, the claim-ahead buffer
   * included. Owned: running, buffered, finished with the completion queued (its statement claims their
   * successors), and asked for by a claim in flight.
   */
  private room(): { free: number; room: number } {
    const owned = this.active.size + this.buffer.length + this.completions.length + this.reserved;
    const { concurrency } = this.deps.options;
    return { free: Math.max(0, concurrency - owned), room: Math.max(0, concurrency + this.claimAhead - owned) };
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

  /** The groups to claim: the plan's, or every type (those that need an account only for free slots). */
  private async plan(free: number, room: number): Promise<ClaimGroup[]> {
    if (this.deps.planClaims) return this.deps.planClaims(free, room - free);
    if (room === free || this.accountTypes.length === 0) return [{ types: this.deps.registry.types(), limit: room }];
    return [
      { types: this.accountTypes, limit: free },
      { types: [...this.aheadTypes], limit: room },
    ];
  }

  /** The loop's own claim (idle, or a completing statement came back short): returns how many it got. */
  private async claim(free: number, room: number): Promise<number> {
    const { leaseMs } = this.deps.options;
    const claimed: ClaimedTask[] = [];
    this.reserved += room;
    const sent = Date.now();
    const started = performance.now();
    try {
      for (const group of await this.plan(free, room)) {
        const limit = Math.min(group.limit, room - claimed.length);
        if (limit > 0)
          claimed.push(...(await claimTasks(this.queueDb, { workerId: this.leaseToken(), limit, leaseMs, taskTypes: group.types })));
      }
    } finally {
      this.reserved -= room;
      this.drained = claimed.length < room;
      // Even when a later group failed: what the earlier ones claimed runs (or goes back), it is not left to expire.
      if (claimed.length > 0) await this.place(claimed, sent + leaseMs);
    }
    this.deps.observer?.claimed(claimed, performance.now() - started);
    return claimed.length;
  }

  /**
   * Newly claimed tasks (most urgent first) go to free slots, then to the buffer (types that need no account); one
   * that fits neither (stopping, or a plan that gave more than asked) is handed back at once.
   */
  private async place(tasks: readonly ClaimedTask[], leaseUntil: number): Promise<void> {
    const { concurrency } = this.deps.options;
    const back: Held[] = [];
    for (const task of tasks) {
      const held: Held = { task, leaseUntil };
      this.held.set(task.id, held);
      if (!this.running) back.push(held);
      else if (this.active.size < concurrency && this.buffer.length === 0) this.startRun(held);
      else if (this.aheadTypes.has(task.task_type) && this.buffer.length < this.claimAhead) this.buffer.push(held);
      else back.push(held);
    }
    if (back.length > 0) await this.handBack(back);
  }

  /** Fills free slots from the buffer; a buffered task whose lease may be near its end goes back instead. */
  private startFromBuffer(): void {
    const { concurrency, leaseMs } = this.deps.options;
    const stale: Held[] = [];
    while (this.running && this.active.size < concurrency && this.buffer.length > 0) {
      const held = this.buffer.shift()!;
      // Renewed every third of the lease, a held lease has two thirds left; less means this process stalled, and
      // the task may already be recovered by another: never start it then.
      if (held.leaseUntil - Date.now() < leaseMs / 3) stale.push(held);
      else this.startRun(held);
    }
    if (stale.length > 0) {
      this.deps.logger.warn(
        { taskIds: stale.map((h) => h.task.id) },
        'tasks claimed ahead were near the end of their lease; handed back unstarted',
      );
      void this.handBack(stale).catch(() => undefined);
    }
  }

  /** Gives never-started tasks back (attempt returned, place in line kept); lease expiry covers a failure here. */
  private async handBack(tasks: readonly Held[]): Promise<number> {
    for (const held of tasks) this.held.delete(held.task.id);
    try {
      return await handBackUnstarted(this.queueDb, tasks.map(leaseOf));
    } catch (error) {
      this.deps.logger.error(
        { err: error, taskIds: tasks.map((h) => h.task.id) },
        'could not hand back unstarted tasks; their leases will expire',
      );
      return 0;
    }
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

  private startRun(held: Held): void {
    const run: ActiveRun = { held, controller: undefined, startedAt: Date.now(), logger: undefined };
    this.active.set(held.task.id, run);
    this.unsettled++;
    void this.execute(run);
  }

  /** Frees a run's slot (once) and starts the next buffered task in it. */
  private leaveSlot(run: ActiveRun): void {
    if (this.active.get(run.held.task.id) !== run) return;
    this.active.delete(run.held.task.id);
    this.startFromBuffer();
  }

  /** The run's child logger, made on first use: by the handler, or by a log line at a level that is on. */
  private loggerOf(run: ActiveRun): Logger {
    const { task } = run.held;
    run.logger ??= this.deps.logger.child({ taskId: task.id, taskType: task.task_type });
    return run.logger;
  }

  /** What a handler gets: getters on one object, so a run that reads neither its logger nor its signal makes neither. */
  private contextOf(run: ActiveRun): TaskContext {
    const runner = this;
    const { task } = run.held;
    return {
      task,
      db: this.deps.db,
      get logger() {
        return runner.loggerOf(run);
      },
      get signal() {
        return signalOf(run);
      },
      saveProgress: (progress) => saveProgress(this.queueDb, task.id, holder(task), progress),
    };
  }

  /**
   * Runs the handler. Success hands the run to the completion writer (its slot frees at once, the next task claimed
   * ahead starts in it, and the completing statement settles the run: settleRun); anything else is recorded here.
   */
  private async execute(run: ActiveRun): Promise<void> {
    const { task } = run.held;
    try {
      const definition = this.deps.registry.get(task.task_type);
      if (!definition) throw new PermanentTaskError(`no handler is registered for task type ${task.task_type}`);
      if (this.deps.logger.isLevelEnabled('info')) this.loggerOf(run).info({ attempt: task.attempts }, 'task started');
      const result = await definition.handler(this.contextOf(run));
      // A handler that returned because it was aborted did not finish its work: treat it as interrupted.
      run.controller?.signal.throwIfAborted();
      this.completions.push({
        completion: { id: task.id, leaseToken: holder(task), result: result ?? undefined },
        usedAccount: !this.aheadTypes.has(task.task_type),
        run,
      });
      this.scheduleFlush();
      this.leaveSlot(run);
    } catch (error) {
      // No completing statement claims for a run that ended otherwise: the loop looks.
      await this.settleFailed(run, error, true);
    }
  }

  /** The completing statement wrote (or found gone) a successful run's outcome. */
  private settleRun(run: ActiveRun, completed: boolean): void {
    if (!completed) this.loggerOf(run).warn('task finished but its lease was gone (cancelled or recovered); result discarded');
    else if (this.deps.logger.isLevelEnabled('info')) this.loggerOf(run).info({ durationMs: Date.now() - run.startedAt }, 'task done');
    this.deps.observer?.finished(run.held.task, completed ? 'done' : 'lost', Date.now() - run.startedAt);
    this.held.delete(run.held.task.id);
    this.settled();
  }

  /**
   * A run that failed, was deferred or interrupted, or whose completing statement failed: records the outcome.
   * `wake`: the loop claims for the freed slot (a completing statement that failed wakes it itself).
   */
  private async settleFailed(run: ActiveRun, error: unknown, wake: boolean): Promise<void> {
    try {
      const outcome = await this.recordFailure(run, error);
      this.deps.observer?.finished(run.held.task, outcome, Date.now() - run.startedAt);
    } catch (unexpected) {
      // recordFailure never throws (the lease's expiry covers what it cannot write); an observer might.
      this.deps.logger.error({ err: unexpected, taskId: run.held.task.id }, 'recording a task outcome failed');
    } finally {
      this.held.delete(run.held.task.id);
      this.leaveSlot(run);
      if (wake && this.running) this.wake();
      this.settled();
    }
  }

  private settled(): void {
    if (--this.unsettled > 0 || !this.settledWaiter) return;
    this.settledWaiter.resolve();
    this.settledWaiter = undefined;
  }

  /** Resolves once every run's outcome is written (at once when none is pending). */
  private allSettled(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    this.settledWaiter ??= signalled();
    return this.settledWaiter.promise;
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
    const { free, room } = this.room();
    const asked = this.running && !this.drained ? room : 0;
    this.reserved += asked;
    let reserving = true;
    let claimedCount = 0;
    let claim: GroupedClaimRequest | undefined;
    try {
      claim = asked > 0 ? await this.claimRequest(free, asked) : undefined;
      const sent = Date.now();
      const started = performance.now();
      const { completed, claimed } = await completeAndClaim(
        this.queueDb,
        batch.map((b) => b.completion),
        claim,
      );
      if (claim) this.deps.observer?.claimed(claimed, performance.now() - started);
      this.reserved -= asked;
      reserving = false;
      claimedCount = claimed.length;
      if (claim) this.drained = claimedCount < asked;
      // Placed before the finished runs settle, so stop() (which waits for those) never misses one.
      await this.place(claimed, sent + this.deps.options.leaseMs);
      for (const b of batch) this.settleRun(b.run, completed.has(b.completion.id));
    } catch (error) {
      for (const b of batch) void this.settleFailed(b.run, error, false);
    } finally {
      if (reserving) this.reserved -= asked;
      this.flushesInFlight--;
      // Short because nothing more was due: the loop need not look (a NOTIFY wakes it for new work), unless one came
      // while this statement held the room, or the claim was not made (the plan failed) or failed.
      if (this.running && claimedCount < asked && (this.wakeMissed || !claim || reserving)) {
        this.wakeMissed = false;
        this.wake();
      } else if (this.running && this.deps.planClaims && batch.some((b) => b.usedAccount)) {
        // A run that used an account counts in the plan's availability as claimed but holding none from the moment it
        // releases its account until this statement wrote its outcome, so every plan made meanwhile (this statement's
        // own, or the loop's after the release's NOTIFY) saw one account fewer than there is: plan again now.
        this.wake();
      }
      this.scheduleFlush();
    }
  }

  /**
   * What the completing statement claims: the claim plan's groups (at most two, the shape of complete-claim.sql), or
   * every registered type without a plan. A plan that fails or has more groups leaves the claim to the loop, which
   * the short claim wakes.
   */
  private async claimRequest(free: number, room: number): Promise<GroupedClaimRequest | undefined> {
    const { leaseMs } = this.deps.options;
    const plan = await this.plan(free, room).catch(() => undefined);
    if (!plan || plan.length === 0 || plan.length > 2) return undefined;
    const [first, second] = plan as [ClaimGroup, ClaimGroup | undefined];
    return {
      workerId: this.leaseToken(),
      limit: Math.min(first.limit, room),
      taskTypes: first.types,
      leaseMs,
      total: room,
      ...(second ? { then: { taskTypes: second.types, limit: second.limit } } : {}),
    };
  }

  private async recordFailure(run: ActiveRun, error: unknown): Promise<'retry' | 'failed' | 'deferred' | 'released' | 'lost'> {
    const { task } = run.held;
    const logger = this.loggerOf(run);
    const { options } = this.deps;
    const db = this.queueDb;
    const message = error instanceof Error ? error.message : String(error);
    try {
      if (run.controller?.signal.reason instanceof ShutdownAbort) {
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
    const timer = setTimeout(
      () => {
        this.wakeTimers.delete(timer);
        this.wake();
      },
      Math.max(0, at.getTime() - Date.now()) + 10,
    );
    timer.unref();
    this.wakeTimers.add(timer);
  }

  /**
   * Every third of the lease, one statement extends the lease of every task this runner holds (one timer for the
   * runner, not one per task). A task whose lease is gone (cancelled, or recovered after a stall) stops if it runs,
   * and leaves the buffer if it waits there; one whose completion is being written learns it from that statement.
   */
  private async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const entries = [...this.held.values()];
    const sent = Date.now();
    try {
      const kept = await renewLeases(this.queueDb, entries.map(leaseOf), this.deps.options.leaseMs);
      for (const held of entries) {
        if (kept.has(held.task.id)) {
          held.leaseUntil = sent + this.deps.options.leaseMs;
          continue;
        }
        if (this.held.get(held.task.id) !== held) continue; // finished meanwhile
        this.letGo(held, 'lease lost (task cancelled or recovered)');
      }
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'lease renewal failed; will try again');
    } finally {
      this.renewing = false;
    }
  }

  /**
   * A task was cancelled (the NOTIFY of cancelTask, src/tasks/wiring.ts): if this runner holds it under that lease, it
   * stops now rather than at the next lease renewal. Whatever it would write is refused anyway: the cancel took the lease.
   */
  cancelled(lease: Lease): void {
    const held = this.held.get(lease.id);
    if (held && holder(held.task) === lease.leaseToken) this.letGo(held, 'task cancelled');
  }

  /**
   * A held task this runner must no longer run (its lease is gone): a running one is aborted (its outcome will be
   * refused and discarded), one claimed ahead leaves the buffer unstarted and the loop claims for the room. One whose
   * completion is being written needs nothing: that statement finds the lease gone.
   */
  private letGo(held: Held, reason: string): void {
    const fields = { taskId: held.task.id, taskType: held.task.task_type, reason };
    const run = this.active.get(held.task.id);
    const queued = this.buffer.indexOf(held);
    if (run?.held === held && !isAborted(run)) {
      this.deps.logger.warn(fields, 'stopping a running task: its lease is gone');
      abortRun(run, new Error(reason));
    } else if (queued >= 0) {
      this.buffer.splice(queued, 1);
      this.held.delete(held.task.id);
      this.deps.logger.warn(fields, 'not starting a task claimed ahead: its lease is gone');
      if (this.running) this.wake();
    }
  }

  /**
   * Stops claiming and hands back the tasks claimed ahead at once (attempt returned), lets running tasks finish
   * for up to `graceMs`, then aborts the rest and hands them back to pending without spending their attempt
   * (checkpoints kept).
   */
  async stop(graceMs: number): Promise<{ finished: number; handedBack: number }> {
    if (!this.running) return { finished: 0, handedBack: 0 };
    this.running = false;
    for (const timer of this.wakeTimers) clearTimeout(timer);
    this.wakeTimers.clear();
    this.wake();
    await this.loopDone;
    const unstarted = this.buffer.splice(0, this.buffer.length);
    if (unstarted.length > 0) await this.handBack(unstarted);
    const inFlight = [...this.active.values()];
    const allDone = this.allSettled();
    // graceMs is the whole budget: the wait for aborted handlers comes out of it, not on top (a container's stop
    // period counts from the signal, and SIGKILL follows it).
    const abortWaitMs = Math.min(2_000, Math.floor(graceMs / 5));
    const timedOut = await Promise.race([allDone.then(() => false), sleep(graceMs - abortWaitMs).then(() => true)]);
    const remaining = [...this.active.values()];
    if (timedOut && remaining.length > 0) {
      for (const run of remaining) abortRun(run, new ShutdownAbort('shutting down'));
      // Handlers see the abort and return; whichever way they end, the task is released (see recordFailure).
      await Promise.race([this.allSettled(), sleep(abortWaitMs)]);
      for (const run of this.active.values()) await releaseTask(this.queueDb, run.held.task.id, holder(run.held.task));
      await notifyNewWork(this.queueDb).catch(() => undefined);
    } else if (timedOut) {
      // No handler left, only completions being written: they are short; wait for them within what is left.
      await Promise.race([this.allSettled(), sleep(abortWaitMs)]);
    }
    clearInterval(this.renewalTimer);
    const finished = inFlight.filter((run) => !remaining.includes(run)).length;
    return { finished, handedBack: remaining.length + unstarted.length };
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
function holder(task: ClaimedTask): string {
  return task.locked_by!;
}

const leaseOf = (held: Held): Lease => ({ id: held.task.id, leaseToken: holder(held.task) });
