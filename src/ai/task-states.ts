import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadSql, runSql } from '../db/sql-file.js';
import { ATTEMPT_GIVEN_BACK } from '../queue/finish.js';

/**
 * How ai_analysis tasks move while they belong to a batch. Every statement is conditioned on the task still
 * waiting on that batch (`progress.ai_batch_id`), so a repeated or late result cannot move a task twice.
 */

type Db = Kysely<Database> | Transaction<Database>;

const RETRY = loadSql('ai/retry.sql');

export interface Backoff {
  retryBaseMs: number;
  retryFactor: number;
}

const waitingOn = (batchId: number) => sql<boolean>`status = 'waiting_batch' AND (progress ->> 'ai_batch_id') = ${String(batchId)}`;

/** Records which batch the tasks wait on; visible as the task's progress on GET /api/tasks/{id}. */
export async function linkTasks(db: Db, taskIds: number[], batchId: number): Promise<void> {
  if (taskIds.length === 0) return;
  await db
    .updateTable('scrape_tasks')
    .set({ progress: JSON.stringify({ ai_batch_id: batchId }), updated_at: sql`now()` })
    .where('id', 'in', taskIds)
    .where('status', '=', 'waiting_batch')
    .execute();
}

/** Adds the OpenAI batch id to the progress of the batch's tasks, once it exists. */
export async function noteOpenAiBatch(db: Db, batchId: number, openaiBatchId: string): Promise<void> {
  await db
    .updateTable('scrape_tasks')
    .set({ progress: JSON.stringify({ ai_batch_id: batchId, openai_batch_id: openaiBatchId }), updated_at: sql`now()` })
    .where(waitingOn(batchId))
    .execute();
}

export async function completeAiTask(db: Db, taskId: number, batchId: number, result: Record<string, unknown>): Promise<boolean> {
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

/** Back to pending with backoff, or `failed` when attempts are spent (the caller then applies the fallback). */
export async function retryAiTask(db: Db, taskId: number, batchId: number, error: string, now: Date, backoff: Backoff) {
  const [row] = await runSql<RetriedTask>(db, RETRY, [taskId, batchId, error.slice(0, 4000), now, backoff.retryBaseMs, backoff.retryFactor]);
  return row;
}

/**
 * The batch never reached OpenAI (upload or create failed, or the building process died), or OpenAI rejected it
 * as a whole before running any request (its enqueued token limit): nothing was asked about these blogs, so the
 * attempt is given back and they wait for the next build. `onlyTaskId`: that one task of the batch.
 */
export async function giveBackTasks(db: Db, batchId: number, reason: string, runAt: Date, onlyTaskId?: number): Promise<number> {
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

/** Claimed by a build that cannot send them now (OpenAI's enqueued-token budget is full): pending again, attempt back. */
export async function unclaimTasks(db: Db, taskIds: readonly number[]): Promise<void> {
  if (taskIds.length === 0) return;
  await db
    .updateTable('scrape_tasks')
    .set({ status: 'pending', attempts: ATTEMPT_GIVEN_BACK, started_at: null, updated_at: sql`now()` })
    .where('id', 'in', taskIds)
    .where('status', '=', 'waiting_batch')
    .execute();
}

/** A task that cannot be analysed at all (its blog is gone): failed at once, no retry. */
export async function failAiTaskNow(db: Db, taskId: number, reason: string): Promise<void> {
  await db
    .updateTable('scrape_tasks')
    .set({ status: 'failed', error_message: reason, last_error_at: sql`now()`, completed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', taskId)
    .where('status', '=', 'waiting_batch')
    .execute();
}

/** A second task for a blog already in this build: the one analysis serves both. */
export async function completeAsDuplicate(db: Db, taskId: number, keptTaskId: number): Promise<void> {
  await db
    .updateTable('scrape_tasks')
    .set({ status: 'done', result: JSON.stringify({ duplicate_of: keptTaskId }), completed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', taskId)
    .where('status', '=', 'waiting_batch')
    .execute();
}

/**
 * A task whose blog's prompt material is unchanged since its last analysis: done without a request, the blog's
 * insights kept and the blog active again (a rescrape left it `analyzing`).
 */
export async function completeAsUnchanged(db: Db, taskId: number, blogId: number, promptHash: string): Promise<void> {
  await db
    .updateTable('scrape_tasks')
    .set({ status: 'done', result: JSON.stringify({ unchanged: true, prompt_hash: promptHash }), completed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', taskId)
    .where('status', '=', 'waiting_batch')
    .execute();
  await db
    .updateTable('blogs')
    .set({ scrape_status: sql`CASE WHEN scrape_status = 'analyzing' THEN 'active' ELSE scrape_status END`, updated_at: sql`now()` })
    .where('id', '=', blogId)
    .execute();
}
