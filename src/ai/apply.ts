import { sql, type Kysely } from 'kysely';
import type { AiItemOutcome, Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { markAiFallback, markRefused, storeInsights } from './blog-results.js';
import type { LineResult } from './results.js';
import { completeBatchTask, giveBackTasks, retryBatchTask, type Backoff } from '../queue/batch-finish.js';

/** A line's result, or the absence of one (expired, cancelled or failed batch, line missing from the output). */
export type ItemResult = LineResult;

export interface ApplyContext {
  db: Kysely<Database>;
  logger: Logger;
  backoff: Backoff;
  now: Date;
  /** A task whose request never ran waits this long before the next build takes it. */
  resubmitDelayMs: number;
}

export type Applied = AiItemOutcome | 'already_applied' | 'task_gone';

/**
 * Applies one result in one transaction, at most once: the item's outcome is claimed first (`outcome IS NULL`), so
 * a second reader of the same output file — another process, or this one after a crash — skips it. A task that no
 * longer waits on this batch (cancelled by hand) is left alone, and so is its blog.
 */
export async function applyItem(ctx: ApplyContext, batchId: number, result: ItemResult): Promise<Applied> {
  return ctx.db.transaction().execute(async (trx) => {
    const item = await trx
      .updateTable('ai_batch_items')
      .set({
        outcome: result.kind,
        detail: 'reason' in result ? result.reason.slice(0, 1000) : null,
        input_tokens: result.usage?.input ?? null,
        output_tokens: result.usage?.output ?? null,
        reasoning_tokens: result.usage?.reasoning ?? null,
        applied_at: sql`now()`,
      })
      .where('batch_id', '=', batchId)
      .where('custom_id', '=', result.customId)
      .where('outcome', 'is', null)
      .returning(['task_id', 'blog_id', 'prompt_hash'])
      .executeTakeFirst();
    if (!item) return 'already_applied';
    const log = ctx.logger.child({ batchId, blogId: item.blog_id, taskId: item.task_id });
    const scoped = { ...ctx, db: trx as unknown as Kysely<Database>, logger: log };
    if (result.kind === 'ok') return applySuccess(scoped, batchId, item, result);
    if (result.kind === 'refused') return applyRefusal(scoped, batchId, item, result.reason);
    return applyRetry(scoped, batchId, item, result);
  });
}

type Item = { task_id: number; blog_id: number; prompt_hash: string | null };

/** What the blog was last analysed on: a later line asking the same is not sent (build.ts). */
async function rememberPrompt(db: Kysely<Database>, item: Item): Promise<void> {
  if (item.prompt_hash) await db.updateTable('blogs').set({ ai_prompt_hash: item.prompt_hash }).where('id', '=', item.blog_id).execute();
}

async function applySuccess(ctx: ApplyContext, batchId: number, item: Item, result: Extract<ItemResult, { kind: 'ok' }>) {
  const { insights } = result;
  const summary = { ai_batch_id: batchId, confidence: insights.confidence, primary_topic: insights.content.primary_topic };
  if (!(await completeBatchTask(ctx.db, item.task_id, batchId, summary))) return 'task_gone' as const;
  const { categories } = await storeInsights(ctx.db, item.blog_id, insights, ctx.now);
  await rememberPrompt(ctx.db, item);
  ctx.logger.debug({ confidence: insights.confidence, categories }, 'AI insights stored');
  return 'ok' as const;
}

async function applyRefusal(ctx: ApplyContext, batchId: number, item: Item, reason: string) {
  if (!(await completeBatchTask(ctx.db, item.task_id, batchId, { ai_batch_id: batchId, refused: reason }))) return 'task_gone' as const;
  await markRefused(ctx.db, item.blog_id, reason);
  await rememberPrompt(ctx.db, item); // the same material would be refused again
  ctx.logger.warn({ refusal: reason }, 'AI refused to analyse a blog; it is active without insights');
  return 'refused' as const;
}

/**
 * Invalid answer, failed request or no result: the task is retried with backoff; when out of attempts, fallback.
 * A request that never ran because OpenAI rejected the whole batch spends no attempt.
 */
async function applyRetry(ctx: ApplyContext, batchId: number, item: Item, result: ItemResult & { reason: string }) {
  if (result.kind === 'missing' && result.notRun) {
    const runAt = new Date(ctx.now.getTime() + ctx.resubmitDelayMs);
    if ((await giveBackTasks(ctx.db, batchId, `AI batch rejected: ${result.reason}`, runAt, item.task_id)) === 0)
      return 'task_gone' as const;
    ctx.logger.warn(
      { reason: result.reason, retryAt: runAt },
      'AI batch rejected before it ran; the blog waits for the next build, attempt kept',
    );
    return result.kind;
  }
  const retried = await retryBatchTask(ctx.db, item.task_id, batchId, `AI ${result.kind}: ${result.reason}`, ctx.now, ctx.backoff);
  if (!retried) return 'task_gone' as const;
  if (retried.status === 'failed') {
    await markAiFallback(ctx.db, item.blog_id, retried.attempts, `${result.kind}: ${result.reason}`);
    ctx.logger.error(
      { reason: result.reason, attempts: retried.attempts },
      'AI analysis failed for good; blog kept with scraped data only',
    );
  } else {
    ctx.logger.warn({ kind: result.kind, reason: result.reason, retryAt: retried.run_at }, 'AI analysis of a blog will be retried');
  }
  return result.kind;
}
