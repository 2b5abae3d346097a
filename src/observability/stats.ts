import { sql, type Kysely } from 'kysely';
import type { BudgetSettings } from '../accounts/budget.js';
import { ACCOUNT_STATUSES, TASK_STATUSES, type Database } from '../db/schema.js';
import { countTasks } from '../queue/read.js';
import { unusableReasonSql, type UnusableReason } from './unusable.js';

/**
 * The pool's budget settings (src/accounts/budget.ts; ACCOUNT_REQUESTS_PER_HOUR per ACCOUNT_BUDGET_WINDOW_MS, the
 * warm-up budget and days, ACCOUNT_DAILY_CAP): `poolSettings(config).budget` fits as it is.
 */
export type AccountBudget = Pick<BudgetSettings, 'windowMs' | 'perWindow' | 'warmupPerWindow' | 'warmupDays' | 'dailyCap'>;

const PROXY_STATUSES = ['active', 'failed', 'disabled'] as const;

export interface AccountStats {
  id: number;
  username: string;
  status: string;
  status_reason: string | null;
  cooldown_until: Date | null;
  last_used_at: Date | null;
  proxy: string | null;
  in_warmup: boolean;
  budget_per_window: number;
  budget_left: number;
  requests_in_window: number;
  requests_last_hour: number;
  requests_last_24h: number;
  ok_last_24h: number;
  success_rate_24h: number | null;
  /** Why it cannot take work now (src/observability/unusable.ts, plus in_use and budget_spent); null when it can. */
  unusable_reason: UnusableReason | null;
}

/**
 * Per account: its requests in the budget window, the last hour and day. One LATERAL count per account over the
 * partial index activity_log (account_id, created_at) WHERE kind = 'request' — the ledger the pool enforces the
 * budget from (sql/accounts/acquire.sql), with the same comparisons, so what the admin sees is what the pool counts.
 */
export async function accountStats(db: Kysely<Database>, budget: AccountBudget, directConnections = 'auto'): Promise<AccountStats[]> {
  const { rows } = await sql<Omit<AccountStats, 'budget_per_window' | 'budget_left' | 'success_rate_24h'> & { leased: boolean }>`
    SELECT a.id, a.username, a.status, a.status_reason, a.cooldown_until, a.last_used_at, p.label AS proxy,
           ${unusableReasonSql(directConnections)} AS unusable_reason,
           coalesce(a.leased_until > now(), false) AS leased,
           a.warmup_started_at > now() - ${budget.warmupDays}::int * interval '1 day' AS in_warmup,
           coalesce(r.in_window, 0) AS requests_in_window,
           coalesce(r.last_hour, 0) AS requests_last_hour,
           coalesce(r.last_day, 0) AS requests_last_24h,
           coalesce(r.ok_day, 0) AS ok_last_24h
      FROM ig_accounts a
      LEFT JOIN proxies p ON p.id = a.proxy_id
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE l.created_at > now() - ${budget.windowMs}::bigint * interval '1 millisecond') AS in_window,
               count(*) FILTER (WHERE l.created_at > now() - interval '1 hour') AS last_hour,
               count(*) FILTER (WHERE l.created_at > now() - interval '1 day') AS last_day,
               count(*) FILTER (WHERE l.created_at > now() - interval '1 day' AND l.outcome = 'ok') AS ok_day
          FROM activity_log l
         WHERE l.kind = 'request' AND l.account_id = a.id
           AND l.created_at > now() - greatest(interval '1 day', ${budget.windowMs}::bigint * interval '1 millisecond')
      ) r ON true
     ORDER BY a.username`.execute(db);
  return rows.map(({ leased, ...row }) => {
    const perWindow = row.in_warmup ? budget.warmupPerWindow : budget.perWindow;
    const dailyLeft = budget.dailyCap > 0 ? budget.dailyCap - row.requests_last_24h : Infinity;
    const budgetLeft = Math.max(0, Math.min(perWindow - row.requests_in_window, dailyLeft));
    return {
      ...row,
      budget_per_window: perWindow,
      budget_left: budgetLeft,
      success_rate_24h: rate(row.ok_last_24h, row.requests_last_24h),
      unusable_reason: row.unusable_reason ?? (leased ? 'in_use' : budgetLeft === 0 ? 'budget_spent' : null),
    };
  });
}

export interface ProxyStats {
  id: number;
  label: string;
  type: string;
  status: string;
  account: string | null;
  consecutive_failures: number;
  success_count: number;
  failure_count: number;
  success_rate: number | null;
  latency_ms: number | null;
  last_check_at: Date | null;
  last_error: string | null;
}

/** Proxies with their counters; the label is the credential-free scheme://host:port, the URL is never read. */
export async function proxyStats(db: Kysely<Database>): Promise<ProxyStats[]> {
  const rows = await db
    .selectFrom('proxies as p')
    .leftJoin('ig_accounts as a', 'a.proxy_id', 'p.id')
    .select([
      'p.id',
      'p.label',
      'p.type',
      'p.status',
      'a.username as account',
      'p.consecutive_failures',
      'p.success_count',
      'p.failure_count',
      'p.latency_ms',
      'p.last_check_at',
      'p.last_error',
    ])
    .orderBy('p.label')
    .execute();
  return rows.map((row) => ({ ...row, success_rate: rate(row.success_count, row.success_count + row.failure_count) }));
}

export interface OutcomeCounts {
  total: number;
  by_outcome: Record<string, number>;
}

/** Requests of the last hour and day by outcome: one range scan of activity_log (created_at). */
export async function requestOutcomes(db: Kysely<Database>): Promise<{ last_hour: OutcomeCounts; last_24h: OutcomeCounts }> {
  const { rows } = await sql<{ outcome: string; last_hour: number; last_day: number }>`
    SELECT outcome,
           count(*) FILTER (WHERE created_at > now() - interval '1 hour') AS last_hour,
           count(*) AS last_day
      FROM activity_log
     WHERE kind = 'request' AND created_at > now() - interval '1 day'
     GROUP BY outcome
     ORDER BY outcome`.execute(db);
  const hour: OutcomeCounts = { total: 0, by_outcome: {} };
  const day: OutcomeCounts = { total: 0, by_outcome: {} };
  for (const row of rows) {
    if (row.last_hour > 0) hour.by_outcome[row.outcome] = row.last_hour;
    day.by_outcome[row.outcome] = row.last_day;
    hour.total += row.last_hour;
    day.total += row.last_day;
  }
  return { last_hour: hour, last_24h: day };
}

/** Tasks by status (every status, zeros included) and by type → status (only what exists). */
export async function taskStats(
  db: Kysely<Database>,
): Promise<{ by_status: Record<string, number>; by_type: Record<string, Record<string, number>> }> {
  const byStatus: Record<string, number> = zeros(TASK_STATUSES);
  const byType: Record<string, Record<string, number>> = {};
  for (const row of await countTasks(db)) {
    const count = Number(row.count);
    byStatus[row.status] = (byStatus[row.status] ?? 0) + count;
    const ofType = byType[row.task_type] ?? {};
    ofType[row.status] = count;
    byType[row.task_type] = ofType;
  }
  return { by_status: byStatus, by_type: byType };
}

export function countBy<T>(items: readonly T[], key: (item: T) => string, all: readonly string[]): Record<string, number> {
  const counts = zeros(all);
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export const accountStatusCounts = (items: readonly { status: string }[]) => countBy(items, (a) => a.status, ACCOUNT_STATUSES);
export const proxyStatusCounts = (items: readonly { status: string }[]) => countBy(items, (p) => p.status, PROXY_STATUSES);

function zeros(keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, 0]));
}

/** ok ÷ total rounded to 4 places; null when there is nothing to divide. */
function rate(ok: number, total: number): number | null {
  return total > 0 ? Math.round((ok / total) * 10_000) / 10_000 : null;
}
