/**
 * How a task handler tells the runner what its failure means. Anything else thrown counts as retryable: an
 * unexpected error is more often transient (network, database) than permanent, and attempts are bounded.
 */

/** Do not retry: retrying cannot help (bad input, a type not implemented). The task ends `failed`. */
export class PermanentTaskError extends Error {
  override name = 'PermanentTaskError';
}

/** Retry later with the usual backoff, spending an attempt. */
export class RetryableTaskError extends Error {
  override name = 'RetryableTaskError';
}

/**
 * Not the task's fault: wait until `until` without spending an attempt (e.g. every Instagram account is cooling
 * down). The task keeps its checkpoint.
 */
export class DeferTaskError extends Error {
  override name = 'DeferTaskError';
  constructor(
    message: string,
    readonly until: Date,
  ) {
    super(message);
  }
}

/**
 * An error from a layer below the tasks that asks to wait, without importing the queue: any error with a `deferUntil`
 * date (the account pool's NoAccountUsableError) means what DeferTaskError means. Handlers are wrapped with this at
 * registration (registry.ts), so the runner sees a DeferTaskError; a handler that looks at the error itself (to set its
 * blog's status) asks here too.
 */
export function deferralOf(error: unknown): DeferTaskError | undefined {
  if (error instanceof DeferTaskError) return error;
  const until = (error as { deferUntil?: unknown } | null)?.deferUntil;
  if (error instanceof Error && until instanceof Date) return new DeferTaskError(error.message, until);
  return undefined;
}
