import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { recordActivity, setAccountStatus } from './events.js';

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
  const proxy = await db
    .updateTable('proxies')
    .set((eb) => ({
      consecutive_failures: eb('consecutive_failures', '+', 1),
      failure_count: eb('failure_count', '+', 1),
      last_error: error.slice(0, 500),
      ...(fromCheck ? { last_check_at: sql`now()` } : {}),
      updated_at: sql`now()`,
    }))
    .where('id', '=', proxyId)
    .returning(['consecutive_failures', 'status'])
    .executeTakeFirst();
  if (!proxy || proxy.status !== 'active' || proxy.consecutive_failures < threshold) return { failedNow: false };

  await db.updateTable('proxies').set({ status: 'failed', updated_at: sql`now()` }).where('id', '=', proxyId).execute();
  await recordActivity(db, [{ accountId: null, proxyId, kind: 'status', action: 'proxy:failed', outcome: 'failed', error }]);
  const account = await db.selectFrom('ig_accounts').select(['id', 'username']).where('proxy_id', '=', proxyId).executeTakeFirst();
  if (!account) return { failedNow: true };
  const spare = await moveToSpareProxy(db, account.id);
  if (spare === null) {
    await setAccountStatus(db, account.id, { status: 'proxy_error', reason: `proxy ${proxyId} failed ${threshold} times in a row: ${error}` });
  }
  return { failedNow: true, account: { ...account, movedToProxyId: spare } };
}

/** Binds the account to an active proxy no account uses; returns its id, or null when there is none. */
async function moveToSpareProxy(db: Kysely<Database>, accountId: number): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const spare = await trx
      .selectFrom('proxies')
      .select('id')
      .where('status', '=', 'active')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ig_accounts').select('id').whereRef('ig_accounts.proxy_id', '=', 'proxies.id'))))
      .orderBy('consecutive_failures')
      .orderBy('id')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!spare) return null;
    await trx.updateTable('ig_accounts').set({ proxy_id: spare.id, updated_at: sql`now()` }).where('id', '=', accountId).execute();
    await recordActivity(trx, [{ accountId, proxyId: spare.id, kind: 'status', action: 'proxy:moved', outcome: 'moved' }]);
    return spare.id;
  });
}
