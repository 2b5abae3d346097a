/**
 * What the account pool tells the code that called it, in its own words: it knows nothing of tasks or the queue.
 * The queue reads an error carrying `deferUntil` as "wait until then, no attempt spent" (src/queue/errors.ts
 * deferralOf), so a task whose request found no usable account waits rather than failing.
 */

/** No account can make the request now: wait until `deferUntil` (the earliest usable time, or a fallback). */
export class NoAccountUsableError extends Error {
  override name = 'NoAccountUsableError';
  constructor(
    message: string,
    readonly deferUntil: Date,
  ) {
    super(message);
  }
}

/** The request failed on every account it was tried on, or with an error nobody classified: worth a retry later. */
export class InstagramRequestError extends Error {
  override name = 'InstagramRequestError';
}
