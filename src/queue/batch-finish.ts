import { sql, type Kysely, type UpdateObject } from 'kysely';
import { loadSql, runSql } from '../db/sql-file.js';
import { ATTEMPT_GIVEN_BACK } from './finish.js';
import type { Database } from '../db/schema.js';

/**
 * How bulk-claimed tasks (ai_analysis) move while they belong to a batch. Every statement is conditioned on the
 * task still waiting on that batch (`progress.ai_batch_id`) or at least in `waiting_batch`, the batch's equivalent
 * of the runner's lease: a repeated or late result cannot move a task twice.
 */

const RETRY = loadSql('queue/batch-retry.sql');

export interface Backoff {
  retryBaseMs: number;
  retryFactor: number;
}

const waitingOn = (batchId: number) => sql<boolean>`status = 'waiting_batch' AND (progress ->> 'ai_batch_id') = ${String(batchId)}`;

/**
 * An update of tasks that are still in `waiting_batch` (a build's own tasks, before the batch row names them), so a
 * task that meanwhile settled or went back to pending is left as it is.
 */
export async function updateWaiting(
  db: Kysely<Database>,
  taskIds: readonly number[],
  set: UpdateObject<Database, 'scrape_tasks'>,
): Promise<void> {
  if (taskIds.length === 0) return;
  await db
    .updateTable('scrape_tasks')
    .set({ ...set, updated_at: sql`now()` })
    .where('id', 'in', taskIds)
    .where('status', '=', 'waiting_batch')
    .execute();
}

/** Records which batch the tasks wait on; visible as the task's progress on GET /api/tasks/{id}. */
export async function linkTasks(db: Kysely<Database>, taskIds: number[], batchId: number): Promise<void> {
  await updateWaiting(db, taskIds, { progress: JSON.stringify({ ai_batch_id: batchId }) });
}

/** Adds the OpenAI batch id to the progress of the batch's tasks, once it exists. */
export async function noteOpenAiBatch(db: Kysely<Database>, batchId: number, openaiBatchId: string): Promise<void> {
  await db
    .updateTable('scrape_tasks')
    .set({ progress: JSON.stringify({ ai_batch_id: batchId, openai_batch_id: openaiBatchId }), updated_at: sql`now()` })
    .where(waitingOn(batchId))
    .execute();
}

export async function completeBatchTask(
  db: Kysely<Database>,
  taskId: number,
  batchId: number,
  result: Record<string, unknown>,
): Promise<boolean> {
  const row = await db
    .updateTable('scrape_tasks')
    .set({ status: 'done', result: JSON.stringify(result), error_message: null, completed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', taskId)
    .where(waitingOn(batchId))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export interface RetriedTask {
  id: number;
  status: 'pending' | 'failed';
  attempts: number;
  max_attempts: number;
  run_at: Date;
  blog_id: number | null;
}

/** Back to pending with the queue's backoff, or `failed` when attempts are spent (the caller then applies the fallback). */
export async function retryBatchTask(db: Kysely<Database>, taskId: number, batchId: number, error: string, now: Date, backoff: Backoff) {
  const [row] = await runSql<RetriedTask>(db, RETRY, [
    taskId,
    batchId,
    error.slice(0, 4000),
    now,
    backoff.retryBaseMs,
    backoff.retryFactor,
  ]);
  return row;
}

/**
 * The batch never reached OpenAI (upload or create failed, or the building process died), or OpenAI rejected it
 * as a whole before running any request (its enqueued token limit): nothing was asked about these blogs, so the
 * attempt is given back and they wait for the next build. `onlyTaskId`: that one task of the batch.
 */
export async function giveBackTasks(
  db: Kysely<Database>,
  batchId: number,
  reason: string,
  runAt: Date,
  onlyTaskId?: number,
): Promise<number> {
  let query = db
    .updateTable('scrape_tasks')
    .set({
      status: 'pending',
      attempts: ATTEMPT_GIVEN_BACK,
      run_at: runAt,
      progress: null,
      error_message: reason.slice(0, 4000),
      last_error_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where(waitingOn(batchId));
  if (onlyTaskId !== undefined) query = query.where('id', '=', onlyTaskId);
  const rows = await query.returning('id').execute();
  return rows.length;
}

/** A task that cannot be worked on at all (its blog is gone): failed at once, no retry. */
export async function failBatchTaskNow(db: Kysely<Database>, taskId: number, reason: string): Promise<void> {
  await updateWaiting(db, [taskId], { status: 'failed', error_message: reason, last_error_at: sql`now()`, completed_at: sql`now()` });
}

/** A task whose blog's prompt material is unchanged since its last analysis: done without a request (issue 22). */
export async function completeAsUnchanged(db: Kysely<Database>, taskId: number, promptHash: string): Promise<void> {
  await updateWaiting(db, [taskId], {
    status: 'done',
    result: JSON.stringify({ unchanged: true, prompt_hash: promptHash }),
    completed_at: sql`now()`,
  });
}

/** A second task for the same work already in this build: the one result serves both. */
export async function completeAsDuplicate(db: Kysely<Database>, taskId: number, keptTaskId: number): Promise<void> {
  await updateWaiting(db, [taskId], { status: 'done', result: JSON.stringify({ duplicate_of: keptTaskId }), completed_at: sql`now()` });
}
