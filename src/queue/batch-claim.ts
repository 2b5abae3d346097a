import type { Kysely } from 'kysely';
import { loadSql, runSql } from '../db/sql-file.js';
import { updateWaiting } from './batch-finish.js';
import { ATTEMPT_GIVEN_BACK } from './finish.js';
import type { Database } from '../db/schema.js';

/**
 * Tasks claimed in bulk rather than by the runner (BULK_CLAIMED_TYPES: ai_analysis, which the AI batch builder takes
 * many at a time into `waiting_batch`). The batch-side moves after the claim are in batch-finish.ts.
 */

const CLAIM = loadSql('queue/batch-claim.sql');

export interface BulkClaimedTask {
  id: number;
  run_at: Date;
  blog_id: number | null;
  /** Analyse even when nothing changed since the last analysis (payload `force`, issue 22). */
  force: boolean;
}

/** How many ai_analysis tasks are due at `now`, and since when the oldest of them waits (the build trigger). */
export async function dueBulkTasks(db: Kysely<Database>, now: Date): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('scrape_tasks')
    .select([(eb) => eb.fn.countAll<string>().as('count'), (eb) => eb.fn.min('run_at').as('oldest')])
    .where('status', '=', 'pending')
    .where('task_type', '=', 'ai_analysis')
    .where('run_at', '<=', now)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
}

/** Up to `limit` due ai_analysis tasks → `waiting_batch`, an attempt spent, SKIP LOCKED (sql/queue/batch-claim.sql). */
export async function claimBulkTasks(db: Kysely<Database>, now: Date, limit: number): Promise<BulkClaimedTask[]> {
  return runSql<BulkClaimedTask>(db, CLAIM, [now, limit]);
}

/** Claimed by a build that cannot send them now (OpenAI's enqueued-token budget is full): pending again, attempt back. */
export async function unclaimTasks(db: Kysely<Database>, taskIds: readonly number[]): Promise<void> {
  await updateWaiting(db, taskIds, { status: 'pending', attempts: ATTEMPT_GIVEN_BACK, started_at: null });
}
