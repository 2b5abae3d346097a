import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadSql, runSql } from '../db/sql-file.js';
import type { Lease } from './finish.js';

const RECOVER = loadSql('queue/recover.sql');

/** Puts tasks with an expired lease back to pending (or failed when out of attempts); returns how many of each. */
export async function recoverExpiredLeases(db: Kysely<Database>): Promise<{ requeued: number; failed: number }> {
  const rows = await runSql<{ id: number; status: string }>(db, RECOVER, []);
  const requeued = rows.filter((r) => r.status === 'pending').length;
  if (requeued > 0) await notifyNewWork(db);
  return { requeued, failed: rows.length - requeued };
}

/** Wakes idle workers of every process (inserts notify through a trigger; re-queued rows notify through this). */
export async function notifyNewWork(db: Kysely<Database>): Promise<void> {
  await runSql(db, "SELECT pg_notify('scrape_tasks', '')", []);
}

/** NOTIFY payload on scrape_tasks for a cancelled task: `cancelled:<id>:<lease token it had>`. */
const CANCELLED_PREFIX = 'cancelled:';

/**
 * Tells every process that a task it may hold was cancelled (delivered after the cancel commits): the one holding
 * that lease stops the run at once (src/tasks/wiring.ts → TaskRunner.cancelled). Best effort: a process that misses
 * it (LISTEN down) still learns at its next lease renewal.
 */
export async function notifyTaskCancelled(db: Kysely<Database>, lease: Lease): Promise<void> {
  await runSql(db, "SELECT pg_notify('scrape_tasks', $1)", [`${CANCELLED_PREFIX}${lease.id}:${lease.leaseToken}`]);
}

/** The lease a cancel's NOTIFY payload names, or undefined for any other payload. */
export function cancelledLeaseOf(payload: string | undefined): Lease | undefined {
  const match = payload?.startsWith(CANCELLED_PREFIX) ? /^(\d+):(.+)$/s.exec(payload.slice(CANCELLED_PREFIX.length)) : null;
  if (!match) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? { id, leaseToken: match[2]! } : undefined;
}
