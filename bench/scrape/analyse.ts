import type { LogEntry } from '../../emulator/instagram/index.js';

export interface BudgetAnalysis {
  requests: number;
  rateLimited: number;
  /** Per account, the most requests inside any window: above the budget is a violation. */
  busiestWindow: number;
  accountsOverBudget: number;
  /** Requests made ÷ allowed over the whole windows from the first request until no task was waiting. */
  utilisation: number | null;
  fullWindows: number;
}

/**
 * Reads the emulator's log, i.e. what Instagram saw, not what the daemon believes it did. Every request of an
 * account counts (logins included), as the budget counts them.
 */
export function analyseBudget(
  log: readonly LogEntry[],
  options: { accounts: string[]; budget: number; windowMs: number; lastClaimAt: number },
): BudgetAnalysis {
  const entries = log.filter((e) => e.username !== null && options.accounts.includes(e.username));
  const busiest = options.accounts.map((a) => busiestWindow(entries, a, options.windowMs));
  const first = Math.min(...entries.map((e) => e.wallStartedAt));
  // Whole windows only: inside each, an account can make at most `budget` requests (sliding window), so made ÷
  // allowed is at most 1; the last, partial window is left out because work ran out in it.
  const fullWindows = Math.floor((options.lastClaimAt - first) / options.windowMs);
  const end = first + fullWindows * options.windowMs;
  const made = entries.filter((e) => e.wallStartedAt < end).length;
  const allowed = options.accounts.length * options.budget * fullWindows;
  return {
    requests: entries.length,
    rateLimited: entries.filter((e) => e.status === 429).length,
    busiestWindow: Math.max(...busiest),
    accountsOverBudget: busiest.filter((n) => n > options.budget).length,
    utilisation: allowed > 0 ? made / allowed : null,
    fullWindows,
  };
}

function busiestWindow(entries: readonly LogEntry[], username: string, windowMs: number): number {
  const times = entries
    .filter((e) => e.username === username)
    .map((e) => e.wallStartedAt)
    .sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
