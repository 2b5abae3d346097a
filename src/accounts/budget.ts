/**
 * The request budget of an account, as settings. The counting itself happens in SQL over activity_log (the
 * ledger), so that every process sees the same numbers.
 */
export interface BudgetSettings {
  windowMs: number;
  perWindow: number;
  warmupPerWindow: number;
  warmupDays: number;
  dailyCap: number;
  delayMinMs: number;
  delayMaxMs: number;
}

/** Positional parameters of sql/accounts/next-usable.sql: window, budget, warm-up budget, warm-up days, daily cap. */
export const budgetParams = (b: Pick<BudgetSettings, 'windowMs' | 'perWindow' | 'warmupPerWindow' | 'warmupDays' | 'dailyCap'>) =>
  [b.windowMs, b.perWindow, b.warmupPerWindow, b.warmupDays, b.dailyCap] as const;

/** A human-like pause between two requests of one account: uniform in [min, max]. */
export function pauseBetweenRequests(b: BudgetSettings, random: () => number = Math.random): number {
  return Math.round(b.delayMinMs + random() * (b.delayMaxMs - b.delayMinMs));
}

/** How long to wait before the next request, given when the previous one was made. */
export function waitBeforeNextRequest(lastRequestAt: Date | null, pauseMs: number, now = Date.now()): number {
  if (!lastRequestAt) return 0;
  return Math.max(0, lastRequestAt.getTime() + pauseMs - now);
}
