import type { Batch } from 'openai/resources/batches';
import type { AiBatchStatus } from '../db/schema.js';
import { applyItem, type ApplyContext, type ItemResult } from './apply.js';
import { finalizeBatch, unresolvedItems, type BatchRow } from './batch-store.js';
import type { AiContext } from './context.js';
import { parseResultFile } from './results.js';

/**
 * Applies a finished batch (completed, expired, failed, cancelled): every output and error line, then every blog
 * left without a result is retried. Each line is applied at most once (see apply.ts), so a process that dies
 * half-way is simply followed by another that applies the rest.
 */
/** `missing` explains blogs without a result (default: from the batch's status). */
export async function processFinishedBatch(ctx: AiContext, row: BatchRow, batch: Batch, missing?: string): Promise<BatchRow | undefined> {
  const log = ctx.logger.child({ batchId: row.id, openaiBatchId: batch.id });
  const apply: ApplyContext = {
    db: ctx.db,
    logger: log,
    backoff: ctx.settings,
    now: ctx.now(),
    resubmitDelayMs: ctx.settings.resubmitDelayMs,
  };
  for (const fileId of [batch.output_file_id, batch.error_file_id]) {
    if (!fileId) continue;
    const text = await (await ctx.client.files.content(fileId)).text();
    const { results, unreadable } = parseResultFile(text, row.categories);
    if (unreadable > 0) log.warn({ fileId, unreadable }, 'unreadable lines in a batch result file; their blogs will be retried');
    for (const result of results) await applyItem(apply, row.id, result);
  }
  const reason = missing ?? missingReason(batch);
  const notRun = rejectedWhole(batch);
  for (const customId of await unresolvedItems(ctx.db, row.id)) {
    const missing: ItemResult = { customId, kind: 'missing', reason, usage: null, notRun };
    await applyItem(apply, row.id, missing);
  }
  const closed = await finalizeBatch(ctx.db, row.id, ctx.workerId, {
    status: batch.status as AiBatchStatus,
    outputFileId: batch.output_file_id ?? null,
    errorFileId: batch.error_file_id ?? null,
    finishedAt: finishedAt(batch),
    error: batchErrors(batch),
    now: ctx.now(),
  });
  if (closed) report(ctx, closed, batch);
  return closed;
}

function report(ctx: AiContext, row: BatchRow, batch: Batch): void {
  const counts = {
    ok: row.ok_count,
    refused: row.refused_count,
    invalid: row.invalid_count,
    error: row.error_count,
    missing: row.missing_count,
  };
  const log = ctx.logger.child({ batchId: row.id, openaiBatchId: batch.id, status: batch.status, ...counts, tokens: row.total_tokens });
  const unexpected = batch.status === 'failed' || (batch.status === 'cancelled' && !row.cancel_requested_at);
  if (!unexpected) {
    if (batch.status === 'completed') log.info('AI batch processed');
    else log.warn('AI batch ended without every result; the rest are retried');
    return;
  }
  log.error(
    { error: row.error },
    rejectedWhole(batch) ? 'AI batch rejected by OpenAI; its tasks wait for the next build' : 'AI batch failed; its tasks are retried',
  );
  ctx.alerter.alert({
    kind: 'batch_failed',
    severity: 'critical',
    message: `OpenAI batch ${batch.id} ${batch.status}${row.error ? `: ${row.error}` : ''}; ${row.request_count} blogs retried`,
    subject: { batch: batch.id },
  });
}

function missingReason(batch: Batch): string {
  switch (batch.status) {
    case 'expired':
      return 'the batch expired (24 h window) before this request ran';
    case 'cancelled':
      return 'the batch was cancelled before this request ran';
    case 'failed':
      return `the batch failed: ${batchErrors(batch) ?? 'no reason given'}`;
    default:
      return 'no result line for this request in the batch output';
  }
}

/**
 * Failed in validation with errors that name no line: OpenAI refused the batch itself (most often its enqueued
 * token limit for the model), so no request ran and no blog is to blame. Errors that name lines are the requests'.
 */
function rejectedWhole(batch: Batch): boolean {
  const errors = batch.errors?.data ?? [];
  return batch.status === 'failed' && errors.length > 0 && errors.every((e) => e.line === null || e.line === undefined);
}

function batchErrors(batch: Batch): string | null {
  const errors = batch.errors?.data ?? [];
  if (errors.length === 0) return null;
  return errors
    .slice(0, 3)
    .map((e) => `${e.code ?? 'error'}: ${e.message ?? ''}${e.line ? ` (line ${e.line})` : ''}`)
    .join('; ');
}

function finishedAt(batch: Batch): Date | null {
  const seconds = batch.completed_at ?? batch.expired_at ?? batch.failed_at ?? batch.cancelled_at ?? null;
  return seconds ? new Date(seconds * 1000) : null;
}
