import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { recordActivity, setAccountStatus } from './events.js';
import { claimFreeProxy } from './proxy-repository.js';

/**
 * Proxy bookkeeping: successes reset the failure streak; after `threshold` failures in a row the proxy is `failed`,
 * its account becomes `proxy_error`, and moves to a free spare proxy when there is one.
 */
export async function recordProxySuccess(db: Kysely<Database>, proxyId: number, latencyMs?: number): Promise<void> {
  await db
    .updateTable('proxies')
    .set((eb) => ({
      consecutive_failures: 0,
      success_count: eb('success_count', '+', 1),
      ...(latencyMs !== undefined ? { latency_ms: Math.round(latencyMs), last_check_at: sql`now()` } : {}),
      updated_at: sql`now()`,
    }))
    .where('id', '=', proxyId)
    .execute();
}

export interface ProxyFailureOutcome {
  failedNow: boolean;
  /** The account that used the failed proxy, and the spare it moved to (if any). */
  account?: { id: number; username: string; movedToProxyId: number | null };
}

export async function recordProxyFailure(
  db: Kysely<Database>,
  proxyId: number,
  error: string,
  threshold: number,
  fromCheck = false,
): Promise<ProxyFailureOutcome> {
  // One statement counts the failure and, at the threshold, fails the proxy: of two failures racing past it, only
  // the one that flipped the status (it saw `active` under the row lock) moves the account and alerts (issue 15).
  const { rows } = await sql<{ failed_now: boolean }>`
    UPDATE proxies AS p
    SET consecutive_failures = p.consecutive_failures + 1,
        failure_count = p.failure_count + 1,
        last_error = ${error.slice(0, 500)},
        last_check_at = CASE WHEN ${fromCheck} THEN now() ELSE p.last_check_at END,
        status = CASE WHEN p.status = 'active' AND p.consecutive_failures + 1 >= ${threshold} THEN 'failed' ELSE p.status END,
        updated_at = now()
    FROM (SELECT id, status FROM proxies WHERE id = ${proxyId} FOR UPDATE) AS old
    WHERE p.id = old.id
    RETURNING old.status = 'active' AND p.status = 'failed' AS failed_now`.execute(db);
  if (!rows[0]?.failed_now) return { failedNow: false };

  await recordActivity(db, [{ accountId: null, proxyId, kind: 'status', action: 'proxy:failed', outcome: 'failed', error }]);
  const account = await db.selectFrom('ig_accounts').select(['id', 'username']).where('proxy_id', '=', proxyId).executeTakeFirst();
  if (!account) return { failedNow: true };
  const spare = await moveToSpareProxy(db, account.id);
  if (spare === null) {
    await setAccountStatus(db, account.id, {
      status: 'proxy_error',
      reason: `proxy ${proxyId} failed ${threshold} times in a row: ${error}`,
    });
  }
  return { failedNow: true, account: { ...account, movedToProxyId: spare } };
}

/** Binds the account to an active proxy no account uses; returns its id, or null when there is none. */
async function moveToSpareProxy(db: Kysely<Database>, accountId: number): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const spare = await claimFreeProxy(trx);
    if (spare === undefined) return null;
    await trx.updateTable('ig_accounts').set({ proxy_id: spare, updated_at: sql`now()` }).where('id', '=', accountId).execute();
    await recordActivity(trx, [{ accountId, proxyId: spare, kind: 'status', action: 'proxy:moved', outcome: 'moved' }]);
    return spare;
  });
}
