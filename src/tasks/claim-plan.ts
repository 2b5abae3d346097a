import type { Availability } from '../accounts/lease.js';
import type { ClaimGroup } from '../queue/runner.js';
import type { TaskRegistry } from '../queue/registry.js';

/**
 * Instagram-bound tasks are claimed only as many as there are accounts usable right now, less the runs any process
 * has claimed that have not taken theirs yet, so a task never spends an attempt (or a slot) waiting for an account
 * (issue 17: three processes planning against the same free accounts deferred 50 of 60 tasks); when none is usable
 * they stay pending, and the runner wakes when the earliest account becomes usable again. Tasks that need no
 * account (AI) are never held back.
 */
export function accountAwareClaims(registry: TaskRegistry, availability: (accountTaskTypes: readonly string[]) => Promise<Availability>) {
  const { withAccount, withoutAccount } = registry.typesByAccountNeed();
  let last: Availability | undefined;
  return {
    planClaims: async (free: number): Promise<ClaimGroup[]> => {
      if (withAccount.length === 0) return [{ types: withoutAccount, limit: free }];
      last = await availability(withAccount);
      return [
        { types: withAccount, limit: Math.max(0, Math.min(free, last.usableNow - last.claimedWithoutAccount)) },
        { types: withoutAccount, limit: free },
      ];
    },
    /** Only when no account is usable: then the next one becoming usable is worth waking for. */
    nextWakeAt: async (): Promise<Date | null> => (last && last.usableNow === 0 ? last.nextUsableAt : null),
  };
}
