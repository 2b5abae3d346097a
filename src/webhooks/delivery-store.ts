import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The delivery queue's statements (webhook_deliveries): claim with FOR UPDATE SKIP LOCKED and a lease, outcomes
 * conditioned on the lease token, backoff computed in SQL — the same rules as scrape_tasks, on a table of its own.
 */

export interface ClaimedDelivery {
  id: number;
  attempts: number;
  endpoint_id: number;
  url: string;
  message_id: string;
  event_type: string;
  payload: Record<string, unknown>;
}

/**
 * Up to `limit` due deliveries of enabled endpoints, leased to `token` for `leaseMs`: the lease is the due time
 * itself (next_attempt_at moves to the lease's end), so a deliverer that dies leaves its rows due again then, and
 * no other process can claim them meanwhile. The attempt is counted here, before anything is sent.
 */
export async function claimDeliveries(db: Kysely<Database>, token: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const result = await sql<ClaimedDelivery>`
    WITH due AS (
      SELECT d.id
      FROM webhook_deliveries AS d
      JOIN webhook_endpoints AS e ON e.id = d.endpoint_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
      ORDER BY d.next_attempt_at, d.id
      LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries AS d
    SET attempts = d.attempts + 1,
        locked_by = ${token},
        next_attempt_at = now() + ${leaseMs} * interval '1 millisecond',
        last_attempt_at = now()
    FROM due, webhook_events AS ev, webhook_endpoints AS e
    WHERE d.id = due.id AND ev.id = d.event_id AND e.id = d.endpoint_id
    RETURNING d.id, d.attempts, d.endpoint_id, e.url, ev.message_id, ev.event_type, ev.payload`.execute(db);
  return result.rows;
}

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryFactor: number;
  retryMaxMs: number;
}

/** The receiver answered 2xx. Refused when the lease was lost (another deliverer owns the row now). */
export async function markDelivered(db: Kysely<Database>, id: number, token: string, statusCode: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'delivered', delivered_at: sql`now()`, last_status_code: statusCode, last_error: null, locked_by: null })
    .where('id', '=', id)
    .where('locked_by', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * A failed attempt: pending again after base × factor^(attempts − 1) (capped), or `failed` once attempts are spent.
 */
export async function markAttemptFailed(
  db: Kysely<Database>,
  id: number,
  token: string,
  outcome: { statusCode: number | null; error: string },
  policy: RetryPolicy,
): Promise<boolean> {
  const spent = sql<boolean>`attempts >= ${policy.maxAttempts}`;
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: sql`CASE WHEN ${spent} THEN 'failed' ELSE 'pending' END`,
      next_attempt_at: sql`CASE WHEN ${spent} THEN now() ELSE now() + least(${policy.retryMaxMs}::float8,
        ${policy.retryBaseMs}::float8 * power(${policy.retryFactor}::float8, attempts - 1)) * interval '1 millisecond' END`,
      last_status_code: outcome.statusCode,
      last_error: outcome.error.slice(0, 1000),
      locked_by: null,
    })
    .where('id', '=', id)
    .where('locked_by', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Shutdown cut the attempt short: due again at once, the attempt given back (the receiver may still have it). */
export async function releaseDelivery(db: Kysely<Database>, id: number, token: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: sql`now()`, attempts: sql`greatest(attempts - 1, 0)`, locked_by: null })
    .where('id', '=', id)
    .where('locked_by', '=', token)
    .execute();
}
