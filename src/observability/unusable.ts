import { sql, type RawBuilder } from 'kysely';

/**
 * Why an account cannot take work, as a code (null: it can, as far as status, proxy and route go). The pool's own
 * test (sql/accounts/acquire.sql) read as reasons, over `ig_accounts a LEFT JOIN proxies p`:
 *  - its status, when it is not active or cooldown: `login_required`, `challenge`, `banned`, `proxy_error`, `disabled`;
 *  - `cooldown`: cooling down (cooldown_until in the future);
 *  - `proxy_failed`, `proxy_disabled`: its proxy is not active;
 *  - `no_route`: no proxy, and ACCOUNT_DIRECT_CONNECTIONS does not let it connect directly.
 * /api/stats adds the passing ones per account (`in_use`, `budget_spent`); /api/health counts these by code.
 */
export function unusableReasonSql(directConnections: string): RawBuilder<UnusableReason | null> {
  return sql<UnusableReason | null>`CASE
    WHEN a.status NOT IN ('active', 'cooldown') THEN a.status
    WHEN a.status = 'cooldown' AND a.cooldown_until > now() THEN 'cooldown'
    WHEN a.proxy_id IS NOT NULL AND p.status <> 'active' THEN 'proxy_' || p.status
    WHEN NOT igscout_route_allowed(a.proxy_id, ${directConnections}) THEN 'no_route'
  END`;
}

export const UNUSABLE_REASON_CODES = [
  'login_required',
  'challenge',
  'banned',
  'proxy_error',
  'disabled',
  'cooldown',
  'proxy_failed',
  'proxy_disabled',
  'no_route',
  'in_use',
  'budget_spent',
] as const;
export type UnusableReason = (typeof UNUSABLE_REASON_CODES)[number];
