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
