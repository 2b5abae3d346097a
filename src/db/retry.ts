/**
 * Postgres aborts one of two transactions that wait on each other (40P01 deadlock_detected) or that cannot be
 * serialized (40001 serialization_failure); the aborted one did nothing and may simply run again. Enqueue paths lock
 * rows in a sorted order so that neither should happen; this is the bounded belt to those braces, so a request never
 * answers 500 for a conflict that a second try resolves.
 *
 * How often and how far apart is configuration (DB_CONFLICT_ATTEMPTS, DB_CONFLICT_BACKOFF_MS), bound to the Kysely
 * instance when it is opened (src/db/database.ts), so the call sites, which all hold that instance, need no options.
 */
const RETRYABLE_CODES = new Set(['40P01', '40001']);

export interface ConflictRetryPolicy {
  /** Runs in all, the first included. */
  attempts: number;
  /** Upper bound of the random pause before the second run; grows linearly with each further one. */
  backoffMs: number;
}

export const DEFAULT_CONFLICT_RETRY: ConflictRetryPolicy = { attempts: 3, backoffMs: 10 };

const policies = new WeakMap<object, ConflictRetryPolicy>();

/** Binds the policy to a database handle (and so to every transaction of it that reaches retryOnConflict). */
export function setConflictRetryPolicy(db: object, policy: ConflictRetryPolicy): void {
  policies.set(db, policy);
}

export const isTransactionConflict = (error: unknown): boolean => RETRYABLE_CODES.has((error as { code?: string } | undefined)?.code ?? '');

/** Runs `run` (one whole transaction on `db`) again while Postgres aborts it for a conflict, up to the policy's bound. */
export async function retryOnConflict<T>(db: object, run: () => Promise<T>): Promise<T> {
  const { attempts, backoffMs } = policies.get(db) ?? DEFAULT_CONFLICT_RETRY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isTransactionConflict(error)) throw error;
      // A short random pause, so the two that collided do not collide again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * backoffMs * attempt));
    }
  }
}
