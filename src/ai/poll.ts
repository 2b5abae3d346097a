import type { Batch } from 'openai/resources/batches';
import type { AiBatchStatus } from '../db/schema.js';
import {
  abandonedBuilds,
  closeUnsubmitted,
  FINAL_OPENAI_STATUSES,
  leaseBatch,
  leaseNextOpen,
  markSubmitted,
  releaseOpen,
  type BatchRow,
} from './batch-store.js';
import { addMs, errorMessage, type AiContext } from './context.js';
import { processFinishedBatch } from './process.js';
import { giveBackTasks, noteOpenAiBatch } from '../queue/batch-finish.js';

/**
 * `poll_batches` (SPEC §7, §8): every open batch is looked at once per call; finished ones are applied. Safe from
 * several processes at once: each batch is leased by one of them. State lives in Postgres, so a restarted process
 * (or any other) picks up the batches in flight.
 */
export interface PollSummary {
  polled: number;
  finished: number;
  errors: number;
  recoveredBuilds: number;
}

export async function pollBatches(ctx: AiContext): Promise<PollSummary> {
  const summary: PollSummary = { polled: 0, finished: 0, errors: 0, recoveredBuilds: await recoverAbandonedBuilds(ctx) };
  const pollStart = ctx.now();
  for (;;) {
    const row = await leaseNextOpen(ctx.db, { workerId: ctx.workerId, now: ctx.now(), leaseMs: ctx.settings.leaseMs, pollStart });
    if (!row) return summary;
    summary.polled++;
    try {
      if (await pollOne(ctx, row)) summary.finished++;
    } catch (error) {
      summary.errors++;
      ctx.logger.warn(
        { batchId: row.id, openaiBatchId: row.openai_batch_id, err: errorMessage(error) },
        'polling an AI batch failed; next poll retries',
      );
      await releaseOpen(ctx.db, row.id, ctx.workerId, row.status).catch(() => undefined);
    }
  }
}

/** True when the batch finished and was applied. */
async function pollOne(ctx: AiContext, row: BatchRow): Promise<boolean> {
  const batch = await ctx.client.batches.retrieve(row.openai_batch_id!);
  if (!FINAL_OPENAI_STATUSES.includes(batch.status as AiBatchStatus)) {
    await releaseOpen(ctx.db, row.id, ctx.workerId, batch.status as AiBatchStatus);
    return false;
  }
  await processFinishedBatch(ctx, row, batch);
  return true;
}

/**
 * A build whose process died between claiming its tasks and recording its OpenAI batch (its lease ran out while
 * `building`). If OpenAI has a batch tagged with the row's id, it is adopted and polled like any other; else
 * nothing reached the model and the tasks go back to pending with their attempt returned.
 */
export async function recoverAbandonedBuilds(ctx: AiContext): Promise<number> {
  let recovered = 0;
  for (const stale of await abandonedBuilds(ctx.db, ctx.now())) {
    const row = await leaseBatch(ctx.db, stale.id, { workerId: ctx.workerId, now: ctx.now(), leaseMs: ctx.settings.leaseMs });
    if (row?.status !== 'building') continue;
    const found = await findTagged(ctx, row);
    if (found) {
      await markSubmitted(ctx.db, row.id, ctx.workerId, {
        openaiBatchId: found.id,
        status: found.status as AiBatchStatus,
        inputFileId: found.input_file_id,
        at: ctx.now(),
      });
      await noteOpenAiBatch(ctx.db, row.id, found.id);
      ctx.logger.warn({ batchId: row.id, openaiBatchId: found.id }, 'adopted an AI batch whose builder died after submitting it');
    } else {
      const reason = 'the process building this AI batch stopped before submitting it';
      await ctx.db.transaction().execute(async (trx) => {
        await giveBackTasks(trx, row.id, reason, ctx.now());
        await closeUnsubmitted(trx, row.id, 'abandoned', reason, ctx.now());
      });
      ctx.logger.warn({ batchId: row.id }, 'abandoned AI batch build: its tasks are pending again');
    }
    recovered++;
  }
  return recovered;
}

/** Newest first; stops at batches created well before the row, so the scan stays short. */
async function findTagged(ctx: AiContext, row: BatchRow): Promise<Batch | undefined> {
  const since = addMs(row.created_at, -3_600_000).getTime() / 1000;
  let scanned = 0;
  for await (const batch of ctx.client.batches.list({ limit: 100 })) {
    if (batch.metadata?.ig_scout_batch === row.tag) return batch;
    if (batch.created_at < since || ++scanned >= 2_000) return undefined;
  }
  return undefined;
}
