import type { Batch } from 'openai/resources/batches';
import type { AiBatchStatus } from '../db/schema.js';
import { FINAL_OPENAI_STATUSES, leaseBatch, releaseOpen, staleOpenBatches, type BatchRow } from './batch-store.js';
import { addMs, errorMessage, type AiContext } from './context.js';
import { processFinishedBatch } from './process.js';

/**
 * `retry_stale_batches` (SPEC §7, §8): a batch still open AI_BATCH_STALE_MS (26 h) after submission is past
 * OpenAI's own 24 h window, so something is stuck. It is cancelled at OpenAI and closed here as `cancelled`: what
 * it answered before (if it finished meanwhile) is applied, and every other blog is retried. Results arriving
 * later for it are ignored — its items are already resolved — so nothing is applied twice.
 */
export async function retryStaleBatches(ctx: AiContext): Promise<{ cancelled: number }> {
  let cancelled = 0;
  const before = addMs(ctx.now(), -ctx.settings.staleMs);
  for (const stale of await staleOpenBatches(ctx.db, before)) {
    const row = await leaseBatch(ctx.db, stale.id, { workerId: ctx.workerId, now: ctx.now(), leaseMs: ctx.settings.leaseMs });
    if (!row) continue; // another process is on it
    try {
      await closeStale(ctx, row);
      cancelled++;
    } catch (error) {
      ctx.logger.warn({ batchId: row.id, err: errorMessage(error) }, 'closing a stale AI batch failed; the next run retries');
      await releaseOpen(ctx.db, row.id, ctx.workerId, row.status).catch(() => undefined);
    }
  }
  return { cancelled };
}

async function closeStale(ctx: AiContext, row: BatchRow): Promise<void> {
  const current = await ctx.client.batches.retrieve(row.openai_batch_id!);
  // Finished after all (between two polls): apply it as any finished batch.
  if (FINAL_OPENAI_STATUSES.includes(current.status as AiBatchStatus)) {
    await processFinishedBatch(ctx, row, current);
    return;
  }
  const cancelRequestedAt = ctx.now();
  const after = await ctx.client.batches.cancel(row.openai_batch_id!).catch(() => current);
  const hours = Math.round(ctx.settings.staleMs / 360_000) / 10;
  ctx.logger.warn(
    { batchId: row.id, openaiBatchId: row.openai_batch_id, status: after.status },
    `AI batch open longer than ${hours} h: cancelled, its tasks retried`,
  );
  const closing: BatchRow = { ...row, cancel_requested_at: cancelRequestedAt };
  await ctx.db.updateTable('ai_batches').set({ cancel_requested_at: cancelRequestedAt }).where('id', '=', row.id).execute();
  // Output files exist only once a batch has ended; a stuck one has none, so every blog is retried.
  const stuck: Batch = { ...after, status: 'cancelled', output_file_id: undefined, error_file_id: undefined };
  await processFinishedBatch(ctx, closing, stuck, `the batch was still open after ${hours} h and was cancelled`);
  ctx.alerter.alert({
    kind: 'batch_failed',
    message: `OpenAI batch ${row.openai_batch_id} still ${current.status} after ${hours} h: cancelled, ${row.request_count} blogs retried`,
    subject: { batch: row.openai_batch_id ?? row.id },
  });
}
