import type { Kysely } from 'kysely';
import { accountsMayHaveChanged, type Availability } from '../accounts/lease.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { NewWorkListener } from '../queue/listener.js';
import { cancelledLeaseOf } from '../queue/recover.js';
import type { TaskRegistry } from '../queue/registry.js';
import { TaskRunner, type RunnerObserver, type RunnerOptions } from '../queue/runner.js';
import { accountAwareClaims } from './claim-plan.js';

/**
 * Tasks of account-free types claimed ahead of free slots: QUEUE_CLAIM_AHEAD, or by default the concurrency + 1,
 * graphile-worker's recommended localQueue size (its 0.17 release notes) for the same concurrency. Only types that
 * need no Instagram account are claimed ahead, so for the daemon's own registry (every type needs one) it changes
 * nothing; it matters for account-free work, which can run back to back.
 */
export function claimAheadOf(config: Pick<Config, 'QUEUE_CLAIM_AHEAD' | 'WORKER_CONCURRENCY'>): number {
  return config.QUEUE_CLAIM_AHEAD ?? config.WORKER_CONCURRENCY + 1;
}

/** The runner's options as the daemon takes them from its configuration. */
export function runnerOptionsFrom(config: Config, workerId: string): RunnerOptions {
  return {
    workerId,
    concurrency: config.WORKER_CONCURRENCY,
    pollIntervalMs: config.QUEUE_POLL_INTERVAL_MS,
    statementsInFlight: config.QUEUE_STATEMENTS_IN_FLIGHT,
    claimAhead: claimAheadOf(config),
    leaseMs: config.TASK_LEASE_MS,
    backoffBaseMs: config.TASK_RETRY_BASE_MS,
    backoffFactor: config.TASK_RETRY_FACTOR,
  };
}

export interface AccountAwareRunnerDeps {
  /** What handlers get. */
  db: Kysely<Database>;
  /** The runner's own statements (the daemon's queue pool); default `db`. */
  queueDb?: Kysely<Database>;
  registry: TaskRegistry;
  /** The account pool's availability query (AccountPool.availability). */
  availability: (accountTaskTypes: readonly string[]) => Promise<Availability>;
  /**
   * Called when LISTEN hears that an account changed (ACCOUNTS_CHANGED, or a reconnect): runs of this process waiting
   * for an account try again (AccountPool.accountsChanged).
   */
  accountsChanged?: () => void;
  /** Where LISTEN connects. */
  connectionString: string;
  options: RunnerOptions;
  logger: Logger;
  /** The listener's logger (default `logger`). */
  listenerLogger?: Logger;
  observer?: RunnerObserver;
  /**
   * Other loops that share the scrape_tasks channel (the webhook deliverer: payload 'webhooks'): a NOTIFY with their
   * payload wakes them and not the runner; a reconnect (no payload) wakes them too.
   */
  channelShares?: ReadonlyArray<{ payload: string; wake(): void }>;
}

export interface AccountAwareRunner {
  runner: TaskRunner;
  listener: NewWorkListener;
  plan: ReturnType<typeof accountAwareClaims>;
  /** Starts listening and claiming. Stopping stays with the caller: the daemon stops the runner well before LISTEN. */
  start(): void;
}

/**
 * The queue as the daemon runs it, in one place for the daemon, the tests' pool runner and the queue bench: the
 * runner with the account-aware claim plan (Instagram tasks only while an account can take them; the plan's "none
 * usable" answer trusted for at most the poll interval), and LISTEN scrape_tasks, whose NOTIFY tells the plan what
 * changed (an account, or anything after a reconnect) and wakes the runner.
 */
export function wireAccountAwareRunner(deps: AccountAwareRunnerDeps): AccountAwareRunner {
  const { registry, options, logger } = deps;
  const plan = accountAwareClaims(registry, deps.availability, { noneUsableRecheckMs: options.pollIntervalMs });
  const runner = new TaskRunner({
    db: deps.db,
    ...(deps.queueDb ? { queueDb: deps.queueDb } : {}),
    registry,
    planClaims: plan.planClaims,
    nextWakeAt: plan.nextWakeAt,
    ...(deps.observer ? { observer: deps.observer } : {}),
    logger,
    options,
  });
  const listener = new NewWorkListener(
    deps.connectionString,
    (payload) => {
      const cancelled = cancelledLeaseOf(payload);
      if (cancelled) return runner.cancelled(cancelled);
      const share = deps.channelShares?.find((s) => s.payload === payload);
      if (share) return share.wake();
      plan.heard(payload);
      if (accountsMayHaveChanged(payload)) deps.accountsChanged?.();
      runner.wake();
      if (payload === undefined) for (const s of deps.channelShares ?? []) s.wake();
    },
    deps.listenerLogger ?? logger,
  );
  return {
    runner,
    listener,
    plan,
    start() {
      listener.start();
      runner.start();
    },
  };
}
