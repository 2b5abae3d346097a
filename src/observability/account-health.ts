import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { accountStatusCounts } from './stats.js';
import { unusableReasonSql } from './unusable.js';

export interface AccountHealth {
  total: number;
  by_status: Record<string, number>;
  usable: number;
  usable_usernames: string[];
  /** The others, by why they cannot take work (src/observability/unusable.ts); only codes with accounts. */
  unusable: Record<string, number>;
}

/**
 * Accounts by status and those that can take work now. "Usable" is the pool's own test (sql/accounts/acquire.sql)
 * minus the lease and the budget, which pass within minutes on their own: active, or a cooldown already over,
 * with an active proxy, or none where ACCOUNT_DIRECT_CONNECTIONS allows it. Zero usable means Instagram work waits
 * for a human.
 */
export async function accountHealth(db: Kysely<Database>, maxUsernames: number, directConnections = 'auto'): Promise<AccountHealth> {
  const [statuses, usable, unusable] = await Promise.all([
    db
      .selectFrom('ig_accounts')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute(),
    sql<{ username: string; usable: number }>`
      SELECT a.username, count(*) OVER () AS usable
        FROM ig_accounts a
        LEFT JOIN proxies p ON p.id = a.proxy_id
       WHERE (a.status = 'active' OR (a.status = 'cooldown' AND a.cooldown_until <= now()))
         AND (a.proxy_id IS NULL OR p.status = 'active')
         AND igscout_route_allowed(a.proxy_id, ${directConnections})
       ORDER BY a.last_used_at NULLS FIRST, a.id
       LIMIT ${maxUsernames}`.execute(db),
    sql<{ reason: string; count: number }>`
      SELECT reason, count(*)::int AS count
        FROM (SELECT ${unusableReasonSql(directConnections)} AS reason FROM ig_accounts a LEFT JOIN proxies p ON p.id = a.proxy_id) r
       WHERE reason IS NOT NULL
       GROUP BY reason
       ORDER BY reason`.execute(db),
  ]);
  const byStatus = accountStatusCounts([]);
  let total = 0;
  for (const row of statuses) {
    byStatus[row.status] = Number(row.count);
    total += Number(row.count);
  }
  return {
    total,
    by_status: byStatus,
    usable: Number(usable.rows[0]?.usable ?? 0),
    usable_usernames: usable.rows.map((row) => row.username),
    unusable: Object.fromEntries(unusable.rows.map((row) => [row.reason, Number(row.count)])),
  };
}
