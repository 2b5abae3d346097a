import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AiBatchesTable, AiBatchStatus, Database } from '../db/schema.js';

/**
 * Rows of ai_batches and ai_batch_items. A row is held by one process at a time through a lease (locked_by,
 * locked_until): the process that builds and uploads it, then whichever poller takes it. Every write that needs
 * the lease checks it, so two processes never submit or process the same batch.
 */

type Db = Kysely<Database> | Transaction<Database>;
export type BatchRow = Selectable<AiBatchesTable>;

export const OPEN_STATUSES: AiBatchStatus[] = ['validating', 'in_progress', 'finalizing', 'cancelling'];
export const FINAL_OPENAI_STATUSES: AiBatchStatus[] = ['completed', 'expired', 'failed', 'cancelled'];

export interface NewBatch {
  model: string;
  categories: readonly string[];
  requestCount: number;
  inputBytes: number;
  inputTokens: number;
  workerId: string;
  leaseUntil: Date;
  items: { customId: string; taskId: number; blogId: number; promptHash?: string }[];
}

export async function insertBatch(trx: Db, batch: NewBatch): Promise<{ id: number; tag: string }> {
  const row = await trx
    .insertInto('ai_batches')
    .values({
      tag: randomBytes(8).toString('hex'),
      model: batch.model,
      categories: [...batch.categories],
      request_count: batch.requestCount,
      input_bytes: batch.inputBytes,
      estimated_tokens: batch.inputTokens,
      locked_by: batch.workerId,
      locked_until: batch.leaseUntil,
    })
    .returning(['id', 'tag'])
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('ai_batch_items')
    .values(
      batch.items.map((i) => ({
        batch_id: row.id,
        custom_id: i.customId,
        task_id: i.taskId,
        blog_id: i.blogId,
        prompt_hash: i.promptHash ?? null,
      })),
    )
    .execute();
  return row;
}

// biome-ignore lint/suspicious/noExplicitAny: kysely's where-callback type for one table is long and says nothing more
const held = (id: number, workerId: string) => (eb: any) => eb.and([eb('id', '=', id), eb('locked_by', '=', workerId)]);

export async function markSubmitted(
  db: Db,
  id: number,
  workerId: string,
  submitted: { openaiBatchId: string; status: AiBatchStatus; inputFileId: string; at: Date },
): Promise<boolean> {
  const row = await db
    .updateTable('ai_batches')
    .set({
      openai_batch_id: submitted.openaiBatchId,
      status: submitted.status,
      input_file_id: submitted.inputFileId,
      submitted_at: submitted.at,
      locked_by: null,
      locked_until: null,
      updated_at: sql`now()`,
    })
    .where(held(id, workerId))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Closes a row that never became (or will never again be) an OpenAI batch: submit_failed or abandoned. */
export async function closeUnsubmitted(db: Db, id: number, status: 'submit_failed' | 'abandoned', error: string, now: Date) {
  await db
    .updateTable('ai_batches')
    .set({ status, error: error.slice(0, 2000), processed_at: now, locked_by: null, locked_until: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .execute();
}

/**
 * Takes the next open batch not polled since `pollStart` whose lease is free. SKIP LOCKED plus the lease let
 * several processes poll at once, each batch by one of them.
 */
export async function leaseNextOpen(db: Db, opts: { workerId: string; now: Date; leaseMs: number; pollStart: Date }) {
  const { rows } = await sql<BatchRow>`
    UPDATE ai_batches b
       SET locked_by = ${opts.workerId},
           locked_until = ${opts.now}::timestamptz + ${opts.leaseMs} * interval '1 millisecond',
           last_polled_at = ${opts.now},
           updated_at = now()
      FROM (SELECT id FROM ai_batches
             WHERE processed_at IS NULL AND status <> 'building'
               AND (last_polled_at IS NULL OR last_polled_at < ${opts.pollStart})
               AND (locked_until IS NULL OR locked_until < ${opts.now})
             ORDER BY last_polled_at NULLS FIRST, id
             LIMIT 1
             FOR UPDATE SKIP LOCKED) next
     WHERE b.id = next.id
    RETURNING b.*`.execute(db);
  return rows[0];
}

/** Takes one specific batch's lease (stale handling), if nobody holds it. */
export async function leaseBatch(db: Db, id: number, opts: { workerId: string; now: Date; leaseMs: number }) {
  return db
    .updateTable('ai_batches')
    .set({
      locked_by: opts.workerId,
      locked_until: sql`${opts.now}::timestamptz + ${opts.leaseMs} * interval '1 millisecond'`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', opts.now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Records OpenAI's current view of the batch and gives the lease back (it is still open). */
export async function releaseOpen(db: Db, id: number, workerId: string, status: AiBatchStatus, extra: { cancelRequestedAt?: Date } = {}) {
  await db
    .updateTable('ai_batches')
    .set({
      status,
      locked_by: null,
      locked_until: null,
      updated_at: sql`now()`,
      ...(extra.cancelRequestedAt ? { cancel_requested_at: extra.cancelRequestedAt } : {}),
    })
    .where(held(id, workerId))
    .execute();
}

export async function unresolvedItems(db: Db, batchId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('ai_batch_items')
    .select('custom_id')
    .where('batch_id', '=', batchId)
    .where('outcome', 'is', null)
    .execute();
  return rows.map((r) => r.custom_id);
}

export interface Finalization {
  status: AiBatchStatus;
  outputFileId: string | null;
  errorFileId: string | null;
  finishedAt: Date | null;
  error: string | null;
  now: Date;
}

/** Closes a processed batch: its counts and token usage summed from its items, so they always agree with them. */
export async function finalizeBatch(db: Db, id: number, workerId: string, f: Finalization): Promise<BatchRow | undefined> {
  const count = (outcome: string) =>
    sql<number>`(SELECT count(*) FROM ai_batch_items i WHERE i.batch_id = ${id} AND i.outcome = ${outcome})`;
  const sum = (column: string) =>
    sql<number>`(SELECT coalesce(sum(${sql.ref(`i.${column}`)}), 0) FROM ai_batch_items i WHERE i.batch_id = ${id})`;
  return db
    .updateTable('ai_batches')
    .set({
      status: f.status,
      output_file_id: f.outputFileId,
      error_file_id: f.errorFileId,
      finished_at: f.finishedAt,
      error: f.error?.slice(0, 2000) ?? null,
      ok_count: count('ok'),
      refused_count: count('refused'),
      invalid_count: count('invalid'),
      error_count: count('error'),
      missing_count: count('missing'),
      input_tokens: sum('input_tokens'),
      output_tokens: sum('output_tokens'),
      total_tokens: sql<number>`(SELECT coalesce(sum(coalesce(i.input_tokens, 0) + coalesce(i.output_tokens, 0)), 0) FROM ai_batch_items i WHERE i.batch_id = ${id})`,
      processed_at: f.now,
      locked_by: null,
      locked_until: null,
      updated_at: sql`now()`,
    })
    .where(held(id, workerId))
    .returningAll()
    .executeTakeFirst();
}

/** Rows whose builder died before recording its OpenAI batch (lease expired while still `building`). */
export async function abandonedBuilds(db: Db, now: Date): Promise<BatchRow[]> {
  return db
    .selectFrom('ai_batches')
    .selectAll()
    .where('status', '=', 'building')
    .where('processed_at', 'is', null)
    .where('locked_until', '<', now)
    .orderBy('id')
    .execute();
}

/** Open batches submitted before `before` (SPEC: open > 26 h). */
export async function staleOpenBatches(db: Db, before: Date): Promise<BatchRow[]> {
  return db
    .selectFrom('ai_batches')
    .selectAll()
    .where('processed_at', 'is', null)
    .where('status', 'in', OPEN_STATUSES)
    .where('submitted_at', '<', before)
    .orderBy('id')
    .execute();
}
