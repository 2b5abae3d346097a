import { sql, type Kysely } from 'kysely';
import type { AccountStatus, ActivityKind, Database } from '../db/schema.js';
import { loadSql, runSql } from '../db/sql-file.js';
import { notifyAccountsChanged } from './lease.js';

const CHANGE_STATUS = loadSql('accounts/change-status.sql');

/**
 * Writes to activity_log and the state changes that go with it. Every status change of an account is one UPDATE
 * plus one 'status' row, written together (changeAccountStatus), so the admin can read an account's history in
 * GET /api/logs.
 */
export interface ActivityRow {
  accountId: number | null;
  proxyId?: number | null;
  taskId?: number | null;
  kind: ActivityKind;
  action: string;
  outcome: string;
  httpStatus?: number | null;
  durationMs?: number | null;
  error?: string | null;
}

/**
 * The Instagram requests a task has spent so far, from the ledger: logins, retries on other accounts and failed
 * requests included, whichever process made them. What a task reports as `requests`.
 */
export async function requestsSpentBy(db: Kysely<Database>, taskId: number): Promise<number> {
  const row = await db
    .selectFrom('activity_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('task_id', '=', taskId)
    .where('kind', '=', 'request')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function recordActivity(db: Kysely<Database>, rows: readonly ActivityRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('activity_log')
    .values(
      rows.map((r) => ({
        account_id: r.accountId,
        proxy_id: r.proxyId ?? null,
        task_id: r.taskId ?? null,
        kind: r.kind,
        action: r.action,
        outcome: r.outcome,
        http_status: r.httpStatus ?? null,
        duration_ms: r.durationMs ?? null,
        error: r.error?.slice(0, 1000) ?? null,
      })),
    )
    .execute();
}

export interface StatusChange {
  status: AccountStatus;
  reason: string | null;
  cooldownUntil?: Date | null;
  taskId?: number | null;
  /** Change only an account in one of these statuses (a human's action must not undo a ban decided meanwhile). */
  from?: readonly AccountStatus[];
  /** The log row's action; `status:<status>` by default, `admin:…` for a human's. */
  action?: string;
  /** The log row's proxy (an admin's change names the proxy it concerns). */
  proxyId?: number | null;
  /** Leave cooldown_until as it is instead of setting `cooldownUntil` (an admin's disable, a deleted proxy). */
  keepCooldown?: boolean;
  /** Forget the challenge streak: a human who activates an account has solved what was asked. */
  resetChallenges?: boolean;
}

/**
 * The one writer of an account's status: the UPDATE and its 'status' log row in one statement
 * (sql/accounts/change-status.sql), for one account or several. Returns the ids that changed.
 */
export async function changeAccountStatus(db: Kysely<Database>, accountIds: readonly number[], change: StatusChange): Promise<number[]> {
  if (accountIds.length === 0) return [];
  const rows = await runSql<{ account_id: number }>(db, CHANGE_STATUS, [
    accountIds,
    change.status,
    change.reason,
    change.cooldownUntil ?? null,
    change.taskId ?? null,
    change.from ?? null,
    change.action ?? `status:${change.status}`,
    change.proxyId ?? null,
    change.keepCooldown ?? false,
    change.resetChallenges ?? false,
  ]);
  if (change.status === 'active' && rows.length > 0) await notifyAccountsChanged(db);
  return rows.map((r) => Number(r.account_id));
}

export async function setAccountStatus(db: Kysely<Database>, accountId: number, change: StatusChange): Promise<void> {
  await changeAccountStatus(db, [accountId], change);
}

/** Counts a challenge; the result tells whether this one is a repeat that needs a human. */
export const countChallenge = (db: Kysely<Database>, accountId: number) => countInARow(db, accountId, 'challenge_count');

/** One more network failure of the account's own route in a row; returns how many. */
export const countRouteFailure = (db: Kysely<Database>, accountId: number) => countInARow(db, accountId, 'route_failures');

/** One more of a streak the account keeps (markAccountHealthy resets both); returns the new length. */
async function countInARow(db: Kysely<Database>, accountId: number, streak: 'challenge_count' | 'route_failures'): Promise<number> {
  const row = await db
    .updateTable('ig_accounts')
    .set((eb) => ({ [streak]: eb(streak, '+', 1) }))
    .where('id', '=', accountId)
    .returning(streak)
    .executeTakeFirst();
  return row ? Number((row as Record<string, unknown>)[streak]) : 1;
}

/** Every account that could take work goes `disabled` with the reason, each with its status row; returns how many. */
export async function parkAllAccounts(db: Kysely<Database>, reason: string, taskId: number | null): Promise<number> {
  const working = await db.selectFrom('ig_accounts').select('id').where('status', 'in', ['active', 'cooldown']).execute();
  const parked = await changeAccountStatus(
    db,
    working.map((a) => a.id),
    { status: 'disabled', reason, taskId, from: ['active', 'cooldown'] },
  );
  return parked.length;
}

/** A clean request resets the challenge and route-failure streaks, so an old one does not count against a healthy account. */
export async function markAccountHealthy(db: Kysely<Database>, accountId: number, requests: number): Promise<void> {
  await db
    .updateTable('ig_accounts')
    .set((eb) => ({
      challenge_count: 0,
      route_failures: 0,
      last_request_at: sql`now()`,
      requests_total: eb('requests_total', '+', requests),
    }))
    .where('id', '=', accountId)
    .execute();
}

export async function noteRequestsMade(db: Kysely<Database>, accountId: number, requests: number): Promise<void> {
  await db
    .updateTable('ig_accounts')
    .set((eb) => ({ last_request_at: sql`now()`, requests_total: eb('requests_total', '+', requests) }))
    .where('id', '=', accountId)
    .execute();
}
