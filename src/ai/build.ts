import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { insertBatch } from './batch-store.js';
import { addMs, type AiContext } from './context.js';
import { insightsResponseFormat } from './insights.js';
import { tokensFromBytes, requestLine, splitLines, toJsonl, withinTokens, type RequestLine } from './jsonl.js';
import { loadProfiles } from './profiles.js';
import { keepInsights } from './blog-results.js';
import { claimBulkTasks, dueBulkTasks, unclaimTasks, type BulkClaimedTask } from '../queue/batch-claim.js';
import { completeAsDuplicate, completeAsUnchanged, failBatchTaskNow, linkTasks } from '../queue/batch-finish.js';

/**
 * Claims due ai_analysis tasks and turns them into batch rows with their JSONL, in one transaction: either the
 * tasks are `waiting_batch` with their items recorded, or nothing happened. Uploading comes after (submit.ts).
 */

export interface BuiltBatch {
  id: number;
  tag: string;
  jsonl: string;
  lines: number;
  bytes: number;
}

/** Is a build due? ≥ minTasks due tasks, or the oldest due one waited longer than maxWaitMs. */
export async function buildIsDue(ctx: AiContext): Promise<boolean> {
  const now = ctx.now();
  const due = await dueBulkTasks(ctx.db, now);
  return meetsThreshold(ctx, due.count, due.oldest, now);
}

function meetsThreshold(ctx: AiContext, count: number, oldest: Date | null, now: Date): boolean {
  if (count === 0 || !oldest) return false;
  return count >= ctx.settings.minTasks || now.getTime() - oldest.getTime() >= ctx.settings.maxWaitMs;
}

/** Nothing to send now (too few tasks left after a concurrent claim, or no room under the token limit): undo the claim. */
class NothingToSend extends Error {}

/** [] when nothing is due, or when another process claimed the tasks first and too few are left to send. */
export async function buildBatches(ctx: AiContext): Promise<BuiltBatch[]> {
  try {
    return await ctx.db.transaction().execute((trx) => buildInTransaction(ctx, trx));
  } catch (error) {
    if (error instanceof NothingToSend) return [];
    throw error;
  }
}

async function buildInTransaction(ctx: AiContext, trx: Transaction<Database>): Promise<BuiltBatch[]> {
  const now = ctx.now();
  const claimed = await claimBulkTasks(trx, now, ctx.settings.maxTasksPerBuild);
  const oldest = claimed.reduce<Date | null>((min, t) => (!min || t.run_at < min ? t.run_at : min), null);
  // Re-checked on what we got: with SKIP LOCKED a concurrent build may have taken most of them.
  if (!meetsThreshold(ctx, claimed.length, oldest, now)) throw new NothingToSend();

  const categories = (await trx.selectFrom('categories').select('name').orderBy('name').execute()).map((c) => c.name);
  const lines = await fitEnqueuedTokens(ctx, trx, await requestLines(ctx, trx, claimed, categories));
  const chunks = splitLines(lines, { maxRequests: ctx.settings.maxRequestsPerFile, maxBytes: ctx.settings.maxFileBytes });
  const built: BuiltBatch[] = [];
  for (const chunk of chunks) {
    const bytes = chunk.reduce((n, l) => n + l.bytes, 0);
    const tokens = chunk.reduce((n, l) => n + l.tokens, 0);
    const { id, tag } = await insertBatch(trx, {
      model: ctx.settings.model,
      categories,
      requestCount: chunk.length,
      inputBytes: bytes,
      inputTokens: tokens,
      workerId: ctx.workerId,
      leaseUntil: addMs(now, ctx.settings.leaseMs),
      items: chunk.map((l) => ({ customId: l.customId, taskId: l.taskId, blogId: l.blogId, promptHash: l.promptHash })),
    });
    await linkTasks(
      trx,
      chunk.map((l) => l.taskId),
      id,
    );
    built.push({ id, tag, jsonl: toJsonl(chunk), lines: chunk.length, bytes });
  }
  return built;
}

/**
 * The lines that fit in OpenAI's enqueued-token limit next to the batches still open (AI_MAX_ENQUEUED_TOKENS); the
 * others' tasks go back to pending with their attempt, for a build once open batches have finished. Nothing fits:
 * the whole build is undone. Without the setting every line goes.
 */
async function fitEnqueuedTokens(ctx: AiContext, trx: Transaction<Database>, lines: RequestLine[]): Promise<RequestLine[]> {
  const limit = ctx.settings.maxEnqueuedTokens;
  if (limit === 0 || lines.length === 0) return lines;
  const open = await trx
    .selectFrom('ai_batches')
    .select((eb) => [
      eb.fn.sum<string | null>('estimated_tokens').as('tokens'),
      // Batches built before migration 0017 have no token count: their bytes ÷ 4 stand in.
      eb.fn.sum<string | null>(eb.case().when('estimated_tokens', '=', 0).then(eb.ref('input_bytes')).else(0).end()).as('untokenedBytes'),
    ])
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow();
  const enqueued = Number(open.tokens ?? 0) + tokensFromBytes(Number(open.untokenedBytes ?? 0));
  const fit = withinTokens(lines, limit - enqueued);
  if (fit < lines.length) {
    ctx.logger.info(
      { enqueuedTokens: enqueued, limit, sending: fit, waiting: lines.length - fit },
      'AI enqueued-token limit: the rest wait for open batches to finish',
    );
  }
  if (fit === 0) throw new NothingToSend();
  await unclaimTasks(
    trx,
    lines.slice(fit).map((l) => l.taskId),
  );
  return lines.slice(0, fit);
}

/**
 * One line per blog; a second task for the same blog rides on the first, a task without a blog fails, and a blog
 * whose line would ask exactly what its last analysis answered (same promptHash) is not sent unless the task forces it.
 */
async function requestLines(
  ctx: AiContext,
  trx: Transaction<Database>,
  claimed: BulkClaimedTask[],
  categories: string[],
): Promise<RequestLine[]> {
  const profiles = await loadProfiles(
    trx,
    claimed.flatMap((t) => (t.blog_id === null ? [] : [t.blog_id])),
  );
  const options = {
    model: ctx.settings.model,
    categories,
    responseFormat: insightsResponseFormat(categories),
    maxImages: ctx.settings.maxImages,
    // OpenAI may read the images until the batch is given up on (AI_BATCH_STALE_MS after submission).
    imagesUsableUntil: addMs(ctx.now(), ctx.settings.staleMs),
    imageSize: ctx.settings.imageSize,
    reasoningEffort: ctx.settings.reasoningEffort,
    maxCompletionTokens: ctx.settings.maxCompletionTokens,
  };
  const byBlog = new Map<number, number>();
  const lines: RequestLine[] = [];
  for (const task of claimed) {
    const profile = task.blog_id === null ? undefined : profiles.get(task.blog_id);
    if (!profile) {
      await failBatchTaskNow(trx, task.id, 'ai_analysis: the blog to analyse does not exist (no blog_id, or deleted)');
      continue;
    }
    const kept = byBlog.get(profile.blog.id);
    if (kept !== undefined) {
      await completeAsDuplicate(trx, task.id, kept);
      continue;
    }
    byBlog.set(profile.blog.id, task.id);
    const line = requestLine(profile, task.id, options);
    if (!task.force && profile.blog.ai_prompt_hash === line.promptHash) {
      // Nothing new since its last analysis: the stored insights stand, and OpenAI is not asked (0 tokens).
      await completeAsUnchanged(trx, task.id, line.promptHash);
      await keepInsights(trx, profile.blog.id);
      continue;
    }
    lines.push(line);
  }
  if (byBlog.size > lines.length)
    ctx.logger.info(
      { unchanged: byBlog.size - lines.length },
      'AI analysis skipped for blogs whose prompt material is unchanged since their last analysis',
    );
  return lines;
}
