import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadSql, runSql } from '../db/sql-file.js';

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
