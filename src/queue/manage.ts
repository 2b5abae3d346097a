import { sql, type Kysely } from 'kysely';
import type { Database, TaskStatus } from '../db/schema.js';
import { notifyNewWork } from './recover.js';
import { LIVE_STATUSES, type Task } from './task.js';

/** What an admin does to a task by hand. */
export type ManageResult =
  | { ok: true; task: Task }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'conflict'; message: string };

const RETRYABLE: TaskStatus[] = ['failed', 'cancelled'];

/**
 * Cancels a live task. A running one loses its lease at once: its worker notices on the next lease renewal, aborts
 * the handler, and can no longer record an outcome.
 */
export async function cancelTask(db: Kysely<Database>, id: number): Promise<ManageResult> {
  const task = await db
    .updateTable('scrape_tasks')
    .set({ status: 'cancelled', completed_at: sql`now()`, locked_by: null, locked_until: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', LIVE_STATUSES)
    .returningAll()
    .executeTakeFirst();
  if (task) return { ok: true, task };
  return explainRefusal(db, id, `only ${LIVE_STATUSES.join(', ')} tasks can be cancelled`);
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
