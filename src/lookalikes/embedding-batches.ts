import { sql, type Kysely } from 'kysely';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { profileText, textHash } from './profile-text.js';
import { saveEmbedding } from './vector-store.js';

/**
 * Embeddings of the blogs' AI profile text through the OpenAI Batch API (README "Similar creators"): one
 * `/v1/embeddings` line per blog, with a reduced `dimensions` (text-embedding-3 vectors keep most of their quality
 * shortened: OpenAI, "New embedding models and API updates", 2024), at the Batch API's half price. `submitEmbeddings`
 * sends the blogs whose text changed since their embedding (or that have none); `pollEmbeddings` stores the results
 * of finished batches. Both are safe to run from several processes: the submit holds an advisory lock while it
 * picks blogs, and storing a vector twice stores the same vector.
 */
export interface EmbeddingSettings {
  model: string;
  dimensions: number;
  /** Lines per batch (the Batch API takes up to 50,000). */
  batchMax: number;
}

export interface EmbeddingContext {
  db: Kysely<Database>;
  client: OpenAI;
  logger: Logger;
  settings: EmbeddingSettings;
}

const SUBMIT_LOCK_KEY = 4_242_019;
const FINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);
const customId = (blogId: number) => `blog-${blogId}`;

interface Picked {
  id: number;
  blogIds: number[];
  hashes: string[];
  texts: string[];
}

export async function submitEmbeddings(ctx: EmbeddingContext): Promise<{ blogs: number; batch?: string }> {
  const picked = await pick(ctx);
  if (!picked) return { blogs: 0 };
  const { model, dimensions } = ctx.settings;
  const jsonl = picked.blogIds
    .map((blogId, i) =>
      JSON.stringify({
        custom_id: customId(blogId),
        method: 'POST',
        url: '/v1/embeddings',
        body: { model, input: picked.texts[i], dimensions },
      }),
    )
    .join('\n');
  try {
    const file = await ctx.client.files.create({
      file: await toFile(Buffer.from(`${jsonl}\n`, 'utf8'), `ig-scout-embeddings-${picked.id}.jsonl`),
      purpose: 'batch',
    });
    const batch = await ctx.client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/embeddings',
      completion_window: '24h',
      metadata: { ig_scout: 'embeddings', row: String(picked.id) },
    });
    await ctx.db
      .updateTable('embedding_batches')
      .set({ openai_batch_id: batch.id, status: batch.status })
      .where('id', '=', picked.id)
      .execute();
    ctx.logger.info({ batch: batch.id, blogs: picked.blogIds.length, model, dimensions }, 'embeddings batch submitted');
    return { blogs: picked.blogIds.length, batch: batch.id };
  } catch (error) {
    // The blogs are free again for the next submit.
    await ctx.db
      .updateTable('embedding_batches')
      .set({ status: 'submit_failed', error: String((error as Error).message), processed_at: new Date() })
      .where('id', '=', picked.id)
      .execute();
    throw error;
  }
}

/** Picks the blogs to embed and records them in a `building` batch row, under a lock so two processes never pick the same. */
async function pick(ctx: EmbeddingContext): Promise<Picked | undefined> {
  const { model, dimensions, batchMax } = ctx.settings;
  return ctx.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${SUBMIT_LOCK_KEY})`.execute(trx);
    await trx
      .updateTable('embedding_batches')
      .set({ status: 'abandoned', error: 'the process building it stopped', processed_at: new Date() })
      .where('processed_at', 'is', null)
      .where('openai_batch_id', 'is', null)
      .where('created_at', '<', sql<Date>`now() - interval '1 hour'`)
      .execute();
    const rows = await trx
      .selectFrom('blogs')
      .leftJoin('blog_embeddings', 'blog_embeddings.blog_id', 'blogs.id')
      .select(['blogs.id', 'blogs.biography', 'blogs.ai_insights', 'blog_embeddings.text_hash'])
      .select(
        sql<
          string[]
        >`coalesce((SELECT array_agg(c.name ORDER BY c.name) FROM blog_categories bc JOIN categories c ON c.id = bc.category_id WHERE bc.blog_id = blogs.id), '{}')`.as(
          'categories',
        ),
      )
      .where('blogs.ai_insights', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('blog_embeddings.blog_id', 'is', null),
          eb('blog_embeddings.embedded_at', '<', eb.ref('blogs.ai_analyzed_at')),
          eb('blog_embeddings.model', '<>', model),
          eb('blog_embeddings.dimensions', '<>', dimensions),
        ]),
      )
      .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM embedding_batches b WHERE b.processed_at IS NULL AND blogs.id = ANY(b.blog_ids))`)
      .orderBy('blogs.id')
      .limit(batchMax)
      .execute();
    const picked: Omit<Picked, 'id'> = { blogIds: [], hashes: [], texts: [] };
    const unchanged: number[] = [];
    for (const row of rows) {
      const text = profileText({ biography: row.biography, ai_insights: row.ai_insights, categories: row.categories });
      if (text === null) continue;
      const hash = textHash(text, model, dimensions);
      // Analysed again with the same outcome: the vector still holds.
      if (hash === row.text_hash) unchanged.push(row.id);
      else {
        picked.blogIds.push(row.id);
        picked.hashes.push(hash);
        picked.texts.push(text);
      }
    }
    if (unchanged.length > 0)
      await trx.updateTable('blog_embeddings').set({ embedded_at: new Date() }).where('blog_id', 'in', unchanged).execute();
    if (picked.blogIds.length === 0) return undefined;
    const { id } = await trx
      .insertInto('embedding_batches')
      .values({ model, dimensions, blog_ids: picked.blogIds, text_hashes: picked.hashes })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id, ...picked };
  });
}

/** Asks OpenAI about every open batch; a finished one has its vectors stored and is closed. */
export async function pollEmbeddings(ctx: EmbeddingContext): Promise<{ open: number; processed: number; stored: number }> {
  const open = await ctx.db
    .selectFrom('embedding_batches')
    .selectAll()
    .where('processed_at', 'is', null)
    .where('openai_batch_id', 'is not', null)
    .orderBy('id')
    .execute();
  let processed = 0;
  let stored = 0;
  for (const row of open) {
    const batch = await ctx.client.batches.retrieve(row.openai_batch_id!);
    if (!FINAL.has(batch.status)) {
      if (batch.status !== row.status)
        await ctx.db.updateTable('embedding_batches').set({ status: batch.status }).where('id', '=', row.id).execute();
      continue;
    }
    const hashes = new Map(row.blog_ids.map((id, i) => [Number(id), row.text_hashes[i]!]));
    let ok = 0;
    let tokens = 0;
    if (batch.output_file_id) {
      const text = await (await ctx.client.files.content(batch.output_file_id)).text();
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const result = parseLine(line);
        const hash = result && hashes.get(result.blogId);
        if (!result || !hash) continue;
        await saveEmbedding(ctx.db, {
          blogId: result.blogId,
          model: row.model,
          dimensions: row.dimensions,
          textHash: hash,
          vector: result.vector,
        });
        tokens += result.tokens;
        ok++;
      }
    }
    await ctx.db
      .updateTable('embedding_batches')
      .set({
        status: batch.status,
        ok_count: ok,
        error_count: row.blog_ids.length - ok,
        total_tokens: tokens,
        error: batch.status === 'completed' ? null : (batch.errors?.data?.map((e) => e.message).join('; ') ?? batch.status),
        processed_at: new Date(),
      })
      .where('id', '=', row.id)
      .where('processed_at', 'is', null)
      .execute();
    ctx.logger.info(
      { batch: row.openai_batch_id, status: batch.status, stored: ok, failed: row.blog_ids.length - ok },
      'embeddings batch processed',
    );
    processed++;
    stored += ok;
  }
  return { open: open.length, processed, stored };
}

/** One output line: the blog and its vector, or null for a failed or unreadable line (the blog is sent again later). */
function parseLine(line: string): { blogId: number; vector: number[]; tokens: number } | null {
  try {
    const parsed = JSON.parse(line) as {
      custom_id?: string;
      response?: { status_code?: number; body?: { data?: Array<{ embedding?: unknown }>; usage?: { total_tokens?: number } } };
    };
    const match = /^blog-(\d+)$/.exec(parsed.custom_id ?? '');
    const vector = parsed.response?.body?.data?.[0]?.embedding;
    if (!match || parsed.response?.status_code !== 200 || !Array.isArray(vector) || !vector.every((v) => typeof v === 'number'))
      return null;
    return { blogId: Number(match[1]), vector: vector as number[], tokens: parsed.response.body?.usage?.total_tokens ?? 0 };
  } catch {
    return null;
  }
}

/** Runs submit and poll on intervals in this process (the daemon starts it when OPENAI_API_KEY is set). */
export class EmbeddingService {
  private timers: NodeJS.Timeout[] = [];
  private running = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: EmbeddingContext,
    private readonly intervals: { submitMs: number; pollMs: number },
  ) {}

  start(): void {
    if (this.timers.length > 0) return;
    const every = (name: string, ms: number, job: () => Promise<unknown>) => {
      const run = () => {
        if (this.running.has(name)) return;
        const p = job()
          .then(() => undefined)
          .catch((error) =>
            this.ctx.logger.error(
              { job: name, err: (error as Error).message },
              'embeddings job failed; it runs again at its next interval',
            ),
          )
          .finally(() => this.running.delete(name));
        this.running.set(name, p);
      };
      run();
      this.timers.push(setInterval(run, ms));
    };
    every('embeddings_submit', this.intervals.submitMs, () => submitEmbeddings(this.ctx));
    every('embeddings_poll', this.intervals.pollMs, () => pollEmbeddings(this.ctx));
  }

  /** Stops the timers and waits up to `maxWaitMs` for a running job: whatever is cut short resumes at the next poll. */
  async stop(maxWaitMs = 10_000): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    let timeout: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timeout = setTimeout(resolve, maxWaitMs)));
    await Promise.race([Promise.all([...this.running.values()]), waited]);
    clearTimeout(timeout);
  }
}
