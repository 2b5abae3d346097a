import { accountsMayHaveChanged, type Availability } from '../accounts/lease.js';
import type { ClaimGroup } from '../queue/runner.js';
import type { TaskRegistry } from '../queue/registry.js';

/**
 * Instagram-bound tasks are claimed only as many as there are accounts usable right now, less the runs any process
 * has claimed that have not taken theirs yet, so a task never spends an attempt (or a slot) waiting for an account
 * (issue 17: three processes planning against the same free accounts deferred 50 of 60 tasks); when none is usable
 * they stay pending, and the runner wakes when the earliest account becomes usable again. Tasks that need no
 * account (AI) are never held back.
 */
export function accountAwareClaims(
  registry: TaskRegistry,
  availability: (accountTaskTypes: readonly string[]) => Promise<Availability>,
  options: { noneUsableRecheckMs?: number } = {},
) {
  const { withAccount, withoutAccount } = registry.typesByAccountNeed();
  const recheckMs = options.noneUsableRecheckMs ?? 5_000;
  let last: Availability | undefined;
  // While no account is usable, the answer stays "none" until the earliest account's own time (cooldown, lease,
  // budget window: nextUsableAt), or a NOTIFY that an account changed (released, added or activated: `heard`), or at
  // the latest `recheckMs` (a change that did not notify, e.g. a proxy back to active). Until then the plan does not ask again, so a runner
  // busy with work that needs no account pays one statement per batch, not two (issue 14).
  let noneUntil = 0;
  return {
    /**
     * `free` slots, and room for `ahead` more claimed ahead (the runner's QUEUE_CLAIM_AHEAD): only types that need no
     * account wait ahead; Instagram types get free slots only, and only as many as accounts are usable.
     */
    planClaims: async (free: number, ahead = 0): Promise<ClaimGroup[]> => {
      if (withAccount.length === 0) return [{ types: withoutAccount, limit: free + ahead }];
      if (Date.now() >= noneUntil) {
        last = await availability(withAccount);
        noneUntil = last.usableNow > 0 ? 0 : Math.min(last.nextUsableAt?.getTime() ?? Infinity, Date.now() + recheckMs);
      }
      const usable = Date.now() < noneUntil ? 0 : last!.usableNow - last!.claimedWithoutAccount;
      return [
        { types: withAccount, limit: Math.max(0, Math.min(free, usable)) },
        { types: withoutAccount, limit: free + ahead },
      ];
    },
    /** Only when no account is usable: then the next one becoming usable is worth waking for. */
    nextWakeAt: async (): Promise<Date | null> => (last && last.usableNow === 0 ? last.nextUsableAt : null),
    /**
     * A NOTIFY on scrape_tasks heard (src/queue/listener.ts): an account changed (ACCOUNTS_CHANGED), or the listener
     * reconnected (no payload: anything may have changed) makes the next claim ask again; plain new work ('') does not.
     */
    heard: (payload?: string): void => {
      if (accountsMayHaveChanged(payload)) noneUntil = 0;
    },
  };
}
