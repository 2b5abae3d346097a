import { describe, expect, it } from 'vitest';
import { eta } from '../../src/console/tasks-page.js';
import type { AccountStats } from '../../src/observability/stats.js';
import type { Task } from '../../src/queue/task.js';

/** The followers ETA of the Tasks page: the larger of the budget bound and the pace so far. */
const account = (over: Partial<AccountStats> = {}): AccountStats => ({
  id: 1,
  username: 'a',
  status: 'active',
  status_reason: null,
  cooldown_until: null,
  last_used_at: null,
  proxy: null,
  in_warmup: false,
  budget_per_window: 30,
  budget_left: 30,
  requests_in_window: 0,
  requests_last_hour: 0,
  requests_last_24h: 0,
  ok_last_24h: 0,
  success_rate_24h: null,
  unusable_reason: null,
  ...over,
});
const task = (startedMsAgo: number | null) => ({ started_at: startedMsAgo === null ? null : new Date(Date.now() - startedMsAgo) }) as Task;
const HOUR = 3_600_000;

describe('followers ETA', () => {
  it('is bound by the budget when more pages are left than the accounts may ask for now', () => {
    // 1,000 left at 25 a page = 40 requests; 10 left now, then 30 an hour on one account → 1 more window.
    const text = eta(task(null), { fetched: 0, expected: 1000, pages: 0 }, [account({ budget_left: 10 })], HOUR);
    expect(text).toBe('about 60 min left (40 requests; 10 left in the budget now, 30 per 60 min)');
  });

  it('is bound by the pace seen so far when the budget is no limit', () => {
    // 10 pages of 25 in 100 s: 10 s a page; 30 pages left → 300 s.
    const text = eta(task(100_000), { fetched: 250, expected: 1000, pages: 10 }, [account(), account({ id: 2 })], HOUR);
    expect(text).toMatch(/^about 5 min left \(30 requests; 60 left/);
  });

  it('counts only accounts that can work: one cooling down or needing a human adds nothing', () => {
    const text = eta(
      task(null),
      { fetched: 0, expected: 100, pages: 0 },
      [account({ status: 'challenge', unusable_reason: 'challenge' }), account({ id: 2, status: 'cooldown', unusable_reason: 'cooldown' })],
      HOUR,
    );
    expect(text).toBe('ETA unknown: no account can work now');
  });

  it('says finishing when nothing is left to fetch', () => {
    expect(eta(task(1000), { fetched: 100, expected: 100, pages: 4 }, [account()], HOUR)).toBe('finishing');
  });
});
