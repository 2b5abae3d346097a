import { toFile } from 'openai';
import type { AiBatchStatus } from '../db/schema.js';
import { closeUnsubmitted, markSubmitted } from './batch-store.js';
import { buildBatches, buildIsDue, type BuiltBatch } from './build.js';
import { addMs, errorMessage, type AiContext } from './context.js';
import { giveBackTasks, noteOpenAiBatch } from '../queue/batch-finish.js';

/**
 * The batch trigger (SPEC §7): when enough ai_analysis tasks are due, claim them, upload their JSONL and create
 * the OpenAI batch(es). Safe to call from several processes at once and as often as wanted: claims are SKIP LOCKED
 * and a batch row is submitted only by the process holding its lease.
 */

export interface SubmitSummary {
  batches: number;
  tasks: number;
  failed: number;
}

/** A build takes at most AI_BATCH_MAX_TASKS tasks; a backlog larger than that is sent in a few rounds. */
const MAX_ROUNDS = 20;

export async function submitDueBatches(ctx: AiContext): Promise<SubmitSummary> {
  const summary: SubmitSummary = { batches: 0, tasks: 0, failed: 0 };
  for (let round = 0; round < MAX_ROUNDS && (await buildIsDue(ctx)); round++) {
    const built = await buildBatches(ctx);
    if (built.length === 0) break;
    for (const batch of built) {
      if (await submitBatch(ctx, batch)) {
        summary.batches++;
        summary.tasks += batch.lines;
      } else summary.failed++;
    }
  }
  return summary;
}

/** Upload + create; on failure the tasks go back to pending with their attempt returned (nothing reached the model). */
export async function submitBatch(ctx: AiContext, built: BuiltBatch): Promise<boolean> {
  const log = ctx.logger.child({ batchId: built.id });
  let openaiBatchId: string | undefined;
  try {
    const file = await ctx.client.files.create({
      file: await toFile(Buffer.from(built.jsonl, 'utf8'), `ig-scout-batch-${built.id}.jsonl`),
      purpose: 'batch',
    });
    const batch = await ctx.client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      // Lets a process that takes over a build whose builder died find the batch instead of sending it twice.
      metadata: { ig_scout_batch: built.tag },
    });
    openaiBatchId = batch.id;
    const at = ctx.now();
    const recorded = await markSubmitted(ctx.db, built.id, ctx.workerId, {
      openaiBatchId: batch.id,
      status: batch.status as AiBatchStatus,
      inputFileId: file.id,
      at,
    });
    if (!recorded) return await lostLease(ctx, built.id, batch.id);
    await noteOpenAiBatch(ctx.db, built.id, batch.id);
    log.info({ openaiBatchId: batch.id, requests: built.lines, bytes: built.bytes }, 'AI batch submitted');
    return true;
  } catch (error) {
    await submissionFailed(ctx, built, openaiBatchId, errorMessage(error));
    return false;
  }
}

async function submissionFailed(ctx: AiContext, built: BuiltBatch, openaiBatchId: string | undefined, message: string): Promise<void> {
  const reason = `AI batch submission failed: ${message}`;
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await giveBackTasks(trx, built.id, reason, addMs(now, ctx.settings.resubmitDelayMs));
    await closeUnsubmitted(trx, built.id, 'submit_failed', reason, now);
  });
  if (openaiBatchId) await ctx.client.batches.cancel(openaiBatchId).catch(() => undefined);
  ctx.logger.error({ batchId: built.id, requests: built.lines, err: message }, 'AI batch submission failed; its tasks will be sent again');
  ctx.alerter.alert({
    kind: 'batch_failed',
    message: `${reason} (${built.lines} blogs wait for the next attempt)`,
    subject: { stage: 'submit' },
  });
}

/** Our lease ran out while uploading and another process gave the tasks back: withdraw the batch we just created. */
async function lostLease(ctx: AiContext, id: number, openaiBatchId: string): Promise<boolean> {
  await ctx.client.batches.cancel(openaiBatchId).catch(() => undefined);
  ctx.logger.warn({ batchId: id, openaiBatchId }, 'AI batch created after its build was taken over; cancelled it to avoid analysing twice');
  return false;
}
