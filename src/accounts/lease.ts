import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, IgAccountsTable } from '../db/schema.js';
import { loadSql, runSql } from '../db/sql-file.js';
import { budgetParams, type BudgetSettings } from './budget.js';

const ACQUIRE = loadSql('accounts/acquire.sql');
const NEXT_USABLE = loadSql('accounts/next-usable.sql');

export type AccountRow = Selectable<IgAccountsTable>;
export type LeasedAccountRow = AccountRow & { used_in_window: number; budget: number };

export interface AcquireRequest {
  holder: string;
  leaseMs: number;
  exclude: readonly number[];
  budget: BudgetSettings;
  /** Lease this account only (an admin action on one account). */
  accountId?: number;
  /** Whether accounts without a proxy may be leased (ACCOUNT_DIRECT_CONNECTIONS); default auto. */
  directConnections?: DirectConnections;
}

export type DirectConnections = 'auto' | 'allow' | 'deny';

/** Leases one usable account (see sql/accounts/acquire.sql), or undefined when none is usable now. */
export async function acquireAccount(db: Kysely<Database>, request: AcquireRequest): Promise<LeasedAccountRow | undefined> {
  const [row] = await runSql<LeasedAccountRow>(db, ACQUIRE, [
    request.holder,
    request.leaseMs,
    [...request.exclude],
    request.budget.windowMs,
    request.budget.perWindow,
    request.budget.warmupPerWindow,
    request.budget.warmupDays,
    request.budget.dailyCap,
    request.accountId ?? null,
    request.directConnections ?? 'auto',
  ]);
  return row;
}

export async function renewAccountLease(db: Kysely<Database>, id: number, holder: string, leaseMs: number): Promise<boolean> {
  const row = await db
    .updateTable('ig_accounts')
    .set({ leased_until: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('id', '=', id)
    .where('leased_by', '=', holder)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends a lease; the session is saved in the same statement when given, or forgotten when null (it is dead). */
export async function releaseAccount(db: Kysely<Database>, id: number, holder: string, sessionEncrypted?: string | null): Promise<void> {
  await db
    .updateTable('ig_accounts')
    .set({
      leased_by: null,
      leased_until: null,
      updated_at: sql`now()`,
      ...(sessionEncrypted !== undefined ? { session_encrypted: sessionEncrypted } : {}),
    })
    .where('id', '=', id)
    .where('leased_by', '=', holder)
    .execute();
  await notifyAccountsChanged(db); // a freed account may let waiting tasks run
}

/** The payload of the scrape_tasks NOTIFY that says an account may have become usable (claim plans ask again). */
export const ACCOUNTS_CHANGED = 'accounts';

/** A NOTIFY payload that may mean an account became usable: ACCOUNTS_CHANGED, or none (a LISTEN reconnect: anything). */
export const accountsMayHaveChanged = (payload?: string): boolean => payload === undefined || payload === ACCOUNTS_CHANGED;

/** Wakes every runner and makes its claim plan look at the accounts again (delivered at commit). */
export async function notifyAccountsChanged(db: Kysely<Database>): Promise<void> {
  await sql`SELECT pg_notify('scrape_tasks', ${ACCOUNTS_CHANGED})`.execute(db);
}

export interface Availability {
  usableNow: number;
  /** When the next account becomes usable; null when none can without a human. */
  nextUsableAt: Date | null;
  /** Runs of the given task types, claimed by any process, that hold no account yet (each will take one). */
  claimedWithoutAccount: number;
}

export async function accountAvailability(
  db: Kysely<Database>,
  budget: Parameters<typeof budgetParams>[0],
  directConnections: DirectConnections = 'auto',
  accountTaskTypes: readonly string[] = [],
): Promise<Availability> {
  const [row] = await runSql<{ next_usable_at: Date | null; usable_now: number; claimed_without_account: number }>(db, NEXT_USABLE, [
    ...budgetParams(budget),
    directConnections,
    accountTaskTypes,
  ]);
  return {
    usableNow: row?.usable_now ?? 0,
    nextUsableAt: row?.next_usable_at ?? null,
    claimedWithoutAccount: row?.claimed_without_account ?? 0,
  };
}

/**
 * Why Instagram-bound tasks cannot start now, for tasks that wait without a deferral of their own (the claim plan
 * holds them back, so no run ever says why: issue 15, "with zero accounts a scrape sits pending with no reason").
 * Null while an account is usable.
 */
export async function accountWaitReason(
  db: Kysely<Database>,
  budget: Parameters<typeof budgetParams>[0],
  directConnections: DirectConnections = 'auto',
): Promise<string | null> {
  const accounts = await db
    .selectFrom('ig_accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(accounts.n) === 0) return 'no Instagram account is configured: add one (POST /api/accounts, or IG_ACCOUNTS)';
  const { usableNow, nextUsableAt } = await accountAvailability(db, budget, directConnections);
  if (usableNow > 0) return null;
  return nextUsableAt
    ? `waiting for an Instagram account to become usable (the next at ${nextUsableAt.toISOString()})`
    : 'no Instagram account is usable without a human (see GET /api/accounts)';
}
