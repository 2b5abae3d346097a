/**
 * A value loaded at most once per `ttlMs`, shared by concurrent callers. The first get() waits for a load. Once the
 * value is older than `ttlMs`, a get() starts one refresh (at most one at a time) and — with `waitWhenStale` — waits
 * for it, so a caller that asks rarely still gets a fresh value; callers arriving while that refresh is in flight get
 * the last value at once instead of queueing behind it. Without `waitWhenStale` every caller gets the last value and
 * the refresh lands for the next. A failed refresh leaves the last value in place; a failed first load rejects.
 */
export function refreshingValue<T>(load: () => Promise<T>, ttlMs: number, options: { waitWhenStale?: boolean } = {}): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  const refresh = (): Promise<T> =>
    load()
      .then((value) => {
        last = { at: Date.now(), value };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
  return async () => {
    if (!last) {
      inFlight ??= refresh();
      return inFlight;
    }
    if (Date.now() - last.at <= ttlMs || inFlight) return last.value;
    const stale = last.value;
    inFlight = refresh();
    if (!options.waitWhenStale) {
      inFlight.catch(() => undefined);
      return stale;
    }
    return inFlight.catch(() => stale);
  };
}
