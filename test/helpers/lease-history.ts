import { sql } from 'kysely';
import type { TestDatabase } from './db.js';

/**
 * The database's own record of who held each account's lease, written by a trigger on `ig_accounts` in this test's
 * database only. Unlike request timing in the emulator (requests take under a millisecond, so two holders of one
 * account rarely overlap in wall-clock time), every change of holder is recorded with the holder it displaced and
 * whether that holder's lease was still running: a violation is visible even when no two requests overlapped.
 */
export async function recordLeaseHistory(testDb: TestDatabase): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS test_lease_history (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_id bigint NOT NULL,
      previous_holder text,
      previous_lease_running boolean NOT NULL,
      holder text,
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`.execute(testDb.db);
  await sql`
    CREATE OR REPLACE FUNCTION test_record_lease() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.leased_by IS DISTINCT FROM OLD.leased_by THEN
        INSERT INTO test_lease_history (account_id, previous_holder, previous_lease_running, holder)
        VALUES (NEW.id, OLD.leased_by, OLD.leased_by IS NOT NULL AND OLD.leased_until > clock_timestamp(), NEW.leased_by);
      END IF;
      RETURN NEW;
    END $$`.execute(testDb.db);
  await sql`DROP TRIGGER IF EXISTS test_record_lease ON ig_accounts`.execute(testDb.db);
  await sql`
    CREATE TRIGGER test_record_lease BEFORE UPDATE OF leased_by ON ig_accounts
    FOR EACH ROW EXECUTE FUNCTION test_record_lease()`.execute(testDb.db);
  await sql`TRUNCATE test_lease_history`.execute(testDb.db);
}

export interface LeaseHistory {
  /** Leases granted (a new holder set). */
  grants: number;
  /** Accounts that were leased at least once. */
  accounts: number;
  /** Grants that took an account from a holder whose lease was still running: each one is two tasks on one account. */
  stolen: { account_id: number; previous_holder: string; holder: string }[];
}

export async function readLeaseHistory(testDb: TestDatabase): Promise<LeaseHistory> {
  const rows = (
    await sql<{ account_id: number; previous_holder: string | null; previous_lease_running: boolean; holder: string | null }>`
      SELECT account_id::int, previous_holder, previous_lease_running, holder FROM test_lease_history ORDER BY seq`.execute(testDb.db)
  ).rows;
  const granted = rows.filter((r) => r.holder !== null);
  return {
    grants: granted.length,
    accounts: new Set(granted.map((r) => r.account_id)).size,
    stolen: granted
      .filter((r) => r.previous_holder !== null && r.previous_lease_running)
      .map((r) => ({ account_id: r.account_id, previous_holder: r.previous_holder!, holder: r.holder! })),
  };
}
