import { sql, type Kysely } from 'kysely';
import type { Database, TaskStatus } from '../db/schema.js';
import { notifyNewWork, notifyTaskCancelled } from './recover.js';
import { LIVE_STATUSES, type Task } from './task.js';

/** What an admin does to a task by hand. */
export type ManageResult =
  | { ok: true; task: Task }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'conflict'; message: string };

const RETRYABLE: TaskStatus[] = ['failed', 'cancelled'];

/**
 * Cancels a live task. A running one, or one claimed ahead, loses its lease at once and can no longer record an
 * outcome; the NOTIFY names that lease, so the process holding it stops the run or drops it unstarted
 * (TaskRunner.cancelled) instead of learning it at its next lease renewal, up to a third of the lease later.
 */
export async function cancelTask(db: Kysely<Database>, id: number): Promise<ManageResult> {
  // The lease it had comes from the row as locked, in the same statement: the NOTIFY must name that lease and no later
  // one (a task retried and claimed again meanwhile is another run, which the notification must not stop).
  const { rows } = await sql<Task & { previous_holder: string | null }>`
    WITH before AS (
      SELECT id, locked_by FROM scrape_tasks
      WHERE id = ${id} AND status IN (${sql.join(LIVE_STATUSES)})
      FOR UPDATE
    )
    UPDATE scrape_tasks AS t
    SET status = 'cancelled', completed_at = now(), locked_by = NULL, locked_until = NULL, updated_at = now()
    FROM before
    WHERE t.id = before.id
    RETURNING t.*, before.locked_by AS previous_holder`.execute(db);
  const row = rows[0];
  if (!row) return explainRefusal(db, id, `only ${LIVE_STATUSES.join(', ')} tasks can be cancelled`);
  const { previous_holder: holder, ...task } = row;
  // Best effort: the cancel is committed; a holder that misses the NOTIFY learns it at its next lease renewal.
  if (holder) await notifyTaskCancelled(db, { id, leaseToken: holder }).catch(() => undefined);
  return { ok: true, task };
}

/** Runs a failed or cancelled task again from its checkpoint, with a fresh set of attempts. */
export async function retryTask(db: Kysely<Database>, id: number): Promise<ManageResult> {
  try {
    const task = await db
      .updateTable('scrape_tasks')
      .set({ status: 'pending', attempts: 0, run_at: sql`now()`, completed_at: null, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', 'in', RETRYABLE)
      .returningAll()
      .executeTakeFirst();
    if (task) {
      await notifyNewWork(db);
      return { ok: true, task };
    }
  } catch (error) {
    // unique_violation on the dedupe index: the same work was enqueued again meanwhile and is still live.
    if ((error as { code?: string }).code === '23505') {
      return { ok: false, reason: 'conflict', message: 'an identical task is already pending or running; retry that one instead' };
    }
    throw error;
  }
  return explainRefusal(db, id, `only ${RETRYABLE.join(' or ')} tasks can be retried`);
}

async function explainRefusal(db: Kysely<Database>, id: number, rule: string): Promise<ManageResult> {
  const current = await db.selectFrom('scrape_tasks').select('status').where('id', '=', id).executeTakeFirst();
  if (!current) return { ok: false, reason: 'not_found' };
  return { ok: false, reason: 'conflict', message: `task ${id} is ${current.status}: ${rule}` };
}

/**
 * Adds keys to the payload of a task that is still pending (a request that found the task already queued and asks
 * more of it, such as an analysis with `force`); a task already claimed is left as it is. True when it was pending.
 */
export async function mergePendingPayload(db: Kysely<Database>, id: number, extra: Record<string, unknown>): Promise<boolean> {
  const result = await db
    .updateTable('scrape_tasks')
    .set({ payload: sql`payload || ${JSON.stringify(extra)}::jsonb`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
