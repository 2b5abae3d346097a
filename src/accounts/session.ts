import type { IgApiClient } from 'instagram-private-api';
import { classifyInstagramError, type Classification } from '../instagram/classify.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import type { Logger } from '../logger.js';
import { unreachable } from '../util/unreachable.js';
import { sleep } from '../util/wait.js';
import { pauseBetweenRequests, waitBeforeNextRequest } from './budget.js';
import { renewAccountLease } from './lease.js';
import { InstagramRequestError, NoAccountUsableError } from './errors.js';
import { recordRequestsSpent } from './ledger.js';
import type { AccountLease, AccountPool } from './pool.js';
import { recordProxySuccess } from './proxy-health.js';

/**
 * The holder of an account leased for a task: `<worker id>:task:<task id>`. sql/queue/recover.sql frees the account by
 * this exact holder when the task's lease expires (its worker died), from the task's lease token
 * (src/queue/runner.ts leaseTokenOf) through igscout_account_holder (migration 0014): keep the three in step.
 */
export function accountHolderOf(workerId: string, taskId: number | null): string {
  return `${workerId}:task:${taskId ?? 'none'}`;
}

/** How long a task waits when no account is usable and none will be without a human. */
const NO_ACCOUNT_RETRY_MS = 15 * 60_000;
/** How far past an account's usable moment a deferred task is due again (or a waiting run asks again at the soonest). */
const USABLE_MARGIN_MS = 250;

/**
 * A task's use of Instagram: each `call` runs one library call on a leased account, keeping the same account for
 * the task while it works, and moving to another when it fails for account reasons (up to `triesPerRequest`
 * accounts). It paces requests, keeps the budget, writes the ledger, and turns errors into verdicts.
 */
export class InstagramSession {
  private lease: AccountLease | undefined;
  private readonly excluded = new Set<number>();
  private reloggedIn = new Set<number>();

  constructor(
    private readonly pool: AccountPool,
    private readonly taskId: number | null,
    private readonly signal: AbortSignal,
    private readonly logger: Logger,
  ) {}

  /** The account in use now (for logs and progress), if any. */
  get account(): string | undefined {
    return this.lease?.row.username;
  }

  /**
   * One Instagram request on a leased account, moved to other accounts as errors say. With `confirmNotFound`, a
   * 404 for the target is believed only when a second account gets it too: Instagram answers 404 now and then for
   * users who exist (instagrapi#717), and the caller would mark a known blog deleted on it.
   */
  async call<T>(action: string, fn: (ig: IgApiClient) => Promise<T>, options: { confirmNotFound?: boolean } = {}): Promise<T> {
    const failures: string[] = [];
    let notFoundOn: number | undefined;
    for (let tries = 0; tries < this.pool.deps.settings.triesPerRequest; ) {
      this.signal.throwIfAborted();
      const lease = this.lease ?? (await this.acquire());
      // Before any request, a login included (it is one, and Instagram counts it): budget spent for this window →
      // another account, without counting a try.
      if (lease.used >= lease.budget) {
        await this.drop(lease);
        continue;
      }
      if (!lease.client.hasSession) {
        const login = await this.logIn(lease);
        if (login === 'route') continue; // the account's way out failed, not the request: another account, no try spent
        if (login === 'failed') {
          tries++;
          failures.push(`${lease.row.username}: login failed`);
          continue;
        }
      }
      if (lease.used >= lease.budget) {
        await this.drop(lease); // the login used the last of the budget
        continue;
      }
      await this.pace(lease);
      const before = lease.client.responseCount;
      const started = Date.now();
      try {
        const result = await fn(lease.client.ig);
        await this.recordRequests(lease, action, before, started, 'ok');
        // The session worked since its last login: when it expires later (seed 001: after 700 followers of a long
        // list), that is a new expiry worth one more login, not the loop the once-per-task rule guards against.
        this.reloggedIn.delete(lease.row.id);
        return result;
      } catch (error) {
        const classification = classifyInstagramError(error);
        await this.recordRequests(lease, action, before, started, classification.verdict.kind, classification);
        if (classification.verdict.kind === 'target_not_found' && options.confirmNotFound && notFoundOn === undefined) {
          notFoundOn = lease.row.id;
          this.logger.info({ account: lease.row.username, action }, 'target not found: asking a second account before believing it');
          await this.drop(lease); // another account asks again, without counting a try (no account left: the task waits)
          continue;
        }
        const retrySameAccount = await this.handleFailure(lease, classification);
        if (retrySameAccount) continue;
        tries++;
        failures.push(`${lease.row.username}: ${classification.message}`);
      }
    }
    throw new InstagramRequestError(`Instagram ${action} failed on ${failures.length} accounts: ${failures.join('; ')}`);
  }

  /**
   * Returns true to go on without counting a try (on the same account after a re-login, or on another when this one's
   * budget is spent); throws for the task; false to move on to another account, counting a try.
   */
  private async handleFailure(lease: AccountLease, classification: Classification): Promise<boolean> {
    const { verdict, message } = classification;
    switch (verdict.kind) {
      case 'target_not_found':
        throw new TargetNotFoundError(message);
      case 'target_private':
        throw new TargetPrivateError(message);
      case 'unknown':
        throw new InstagramRequestError(`Instagram error: ${message}`);
      case 'login_required': {
        // The login would be one request past the budget (found by test/faults/chaos.test.ts: 16 requests in a window
        // of 15): leave the account and go on with another, without counting a try. The dead session is forgotten,
        // so whoever leases the account next logs in first, within its budget, instead of asking Instagram with
        // it again (issue 15: 10 login_required a window for 3 windows).
        if (lease.used >= lease.budget) {
          lease.client.markSessionDead();
          await this.drop(lease);
          return true;
        }
        // Once per login: a session that dies again right after a fresh login (no success between) is not worth a loop.
        if (!this.reloggedIn.has(lease.row.id)) {
          const login = await this.logIn(lease);
          if (login === 'ok' || login === 'route') return true;
        }
        if (this.lease === lease) await this.drop(lease);
        return false;
      }
      // The account's own trouble: the pool carries out the verdict (cooldown, park, proxy streak), another tries.
      case 'rate_limited':
      case 'challenge':
      case 'action_blocked':
      case 'needs_human':
      case 'banned':
      case 'proxy_failure':
      case 'server_error':
      case 'app_outdated':
        await this.pool.applyVerdict(lease, classification, this.taskId);
        await this.drop(lease);
        return false;
      default:
        return unreachable(verdict, 'verdict');
    }
  }

  /**
   * Logs the leased account in; on failure the pool has carried out the verdict (parked, cooled down) and the lease
   * is dropped. 'route': the login never reached Instagram (no route, proxy down), which is no fault of the request.
   */
  private async logIn(lease: AccountLease): Promise<'ok' | 'failed' | 'route'> {
    this.reloggedIn.add(lease.row.id);
    const result = await this.pool.login(lease, this.taskId);
    if (result.ok) return 'ok';
    await this.drop(lease);
    return result.classification?.verdict.kind === 'proxy_failure' ? 'route' : 'failed';
  }

  /**
   * Leases a usable account. When none is free but one will be within ACCOUNT_WAIT_MS (leased by another run, or
   * leaving a cooldown or a spent budget), the run waits for it: for the next release this process hears of, or the
   * moment the next account is due, whichever comes first, and tries again. Past that it defers (NoAccountUsableError).
   * Why wait: the claim plans of processes woken by one release all see the same free account; without the wait all
   * but one of their runs would hand the task back and be claimed again later (issue 14's CI run: 21 for 60 tasks).
   */
  private async acquire(): Promise<AccountLease> {
    const holder = accountHolderOf(this.pool.deps.workerId, this.taskId);
    const waitUntil = Date.now() + this.pool.deps.settings.accountWaitMs;
    for (;;) {
      // Taken before the attempt, so a release between the attempt and the wait is not missed.
      const changed = this.pool.nextAccountsChange();
      const lease = await this.pool.lease(holder, [...this.excluded]);
      if (lease) {
        this.lease = lease;
        this.logger.debug({ account: lease.row.username }, 'account leased');
        return lease;
      }
      const { nextUsableAt } = await this.pool.availability();
      // At least the margin: an account counted usable now that this run could not lease (excluded for it, or taken
      // a moment ago) is no reason to ask again at once.
      const due = nextUsableAt ? Math.max(nextUsableAt.getTime(), Date.now() + USABLE_MARGIN_MS) : Infinity;
      if (due > waitUntil) {
        if (!nextUsableAt) await this.pool.alertIfNoneUsable();
        // A little past the moment, so the account is really free when the task is claimed again.
        const until = nextUsableAt ? new Date(nextUsableAt.getTime() + USABLE_MARGIN_MS) : new Date(Date.now() + NO_ACCOUNT_RETRY_MS);
        throw new NoAccountUsableError(
          nextUsableAt ? 'waiting for an Instagram account to become usable' : 'no Instagram account is usable without a human',
          until,
        );
      }
      await this.waitForAccount(changed, due);
      this.signal.throwIfAborted();
    }
  }

  /** Until `changed` settles (an account released) or `due`, whichever is first; the run's abort ends it too. */
  private async waitForAccount(changed: Promise<void>, due: number): Promise<void> {
    this.signal.throwIfAborted(); // an abort before the listener is added would not be heard
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([changed, sleep(due - Date.now(), stop.signal)]);
    } finally {
      stop.abort(); // clears the timer
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Lets the account go (saving its session) and excludes it from this task's further tries. */
  private async drop(lease: AccountLease): Promise<void> {
    this.excluded.add(lease.row.id);
    this.lease = undefined;
    await this.pool.release(lease).catch((error) => this.logger.warn({ err: error }, 'could not release an account'));
  }

  private async pace(lease: AccountLease): Promise<void> {
    const { settings, db } = this.pool.deps;
    const wait = waitBeforeNextRequest(lease.lastRequestAt, pauseBetweenRequests(settings.budget));
    if (wait > 0) await sleep(wait, this.signal);
    this.signal.throwIfAborted();
    await renewAccountLease(db, lease.row.id, lease.holder, settings.leaseMs);
  }

  private async recordRequests(
    lease: AccountLease,
    action: string,
    before: number,
    started: number,
    outcome: string,
    failure?: Classification,
  ) {
    const { db } = this.pool.deps;
    const healthy = !failure || failure.verdict.kind === 'target_not_found' || failure.verdict.kind === 'target_private';
    // A request that got no response (proxy down) still went out and still counts.
    const count = Math.max(1, lease.client.responseCount - before);
    await recordRequestsSpent(db, { lease, taskId: this.taskId, action, count, outcome, startedAt: started, failure, healthy });
    if (lease.row.proxy_id !== null && failure?.verdict.kind !== 'proxy_failure') await recordProxySuccess(db, lease.row.proxy_id);
  }

  /** Releases the account the task holds, saving its session. Safe to call more than once. */
  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await this.pool.release(lease).catch((error) => this.logger.warn({ err: error }, 'could not release an account'));
  }
}
