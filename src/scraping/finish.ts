import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueTask } from '../queue/enqueue.js';
import { PRIORITY } from '../queue/task.js';
import { profileMetrics, type MetricPost, type ProfileMetrics } from './metrics.js';
import { isReel } from './parse.js';

export const aiAnalysisDedupeKey = (blogId: number) => `ai_analysis:${blogId}`;

/** numeric(8, 2) holds up to 999999.99; a 3-follower account can have an absurd ER, which must not fail the scrape. */
const NUMERIC_MAX = 999_999.99;
const clampToColumn = (value: number | null) => (value === null ? null : Math.min(value, NUMERIC_MAX));

export interface FinishInput {
  blogId: number;
  taskId: number;
  /** The media this scrape fetched, by Instagram id: the metrics are computed over them (not older stored posts). */
  mediaPks: readonly string[];
  maxAttempts: number;
  /** Which source fetched the posts (migration 0027): the private API (default) or the Graph API's business discovery. */
  source?: 'private_api' | 'graph';
}

export interface FinishResult {
  metrics: ProfileMetrics;
  posts: number;
  reels: number;
  pinned: number;
  snapshotId: number;
  aiTaskId: number;
  aiTaskCreated: boolean;
}

/**
 * The end of a successful full_scrape, in one transaction: metrics from the stored posts, the blog's metrics and
 * `analyzing` status, one snapshot of the blog and of each fetched post (unique per task, so a resumed task writes
 * one), and the blog's ai_analysis task unless one is already live.
 */
export async function finishScrape(db: Kysely<Database>, input: FinishInput): Promise<FinishResult> {
  return db.transaction().execute(async (trx) => {
    const blog = await trx
      .selectFrom('blogs')
      .select(['follower_count', 'following_count', 'media_count'])
      .where('id', '=', input.blogId)
      .executeTakeFirstOrThrow();
    const posts = await fetchedPosts(trx, input);
    const metrics = profileMetrics(posts.map(toMetricPost), blog.follower_count);
    const stored = {
      er: clampToColumn(metrics.er),
      er_reels: clampToColumn(metrics.er_reels),
      er_trend: metrics.er_trend,
      posts_per_week: clampToColumn(metrics.posts_per_week),
    };
    await trx
      .updateTable('blogs')
      .set({
        ...stored,
        er_posts_hidden: metrics.er_posts_hidden,
        scrape_status: 'analyzing',
        status_reason: null,
        scraped_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', '=', input.blogId)
      .execute();
    const snapshotId = await writeSnapshots(trx, input, { ...blog, ...stored }, posts);
    const ai = await enqueueTask(
      trx,
      {
        type: 'ai_analysis',
        priority: PRIORITY.aiAnalysis,
        blogId: input.blogId,
        dedupeKey: aiAnalysisDedupeKey(input.blogId),
        payload: { blog_id: input.blogId },
      },
      { maxAttempts: input.maxAttempts },
    );
    return {
      metrics,
      posts: posts.length,
      reels: posts.filter(isReel).length,
      pinned: posts.filter((p) => p.is_pinned).length,
      snapshotId,
      aiTaskId: ai.task.id,
      aiTaskCreated: ai.created,
    };
  });
}

async function fetchedPosts(trx: Transaction<Database>, input: FinishInput) {
  if (input.mediaPks.length === 0) return [];
  return trx
    .selectFrom('blog_posts')
    .select(['id', 'like_count', 'comment_count', 'play_count', 'taken_at', 'is_pinned', 'counts_hidden', 'product_type', 'media_type'])
    .where('blog_id', '=', input.blogId)
    .where('platform_id', 'in', [...input.mediaPks])
    .execute();
}

type FetchedPost = Awaited<ReturnType<typeof fetchedPosts>>[number];

function toMetricPost(post: FetchedPost): MetricPost {
  return {
    likes: post.like_count ?? 0,
    comments: post.comment_count ?? 0,
    takenAt: post.taken_at ? post.taken_at.getTime() / 1000 : 0,
    pinned: post.is_pinned,
    isReel: isReel(post),
    countsHidden: post.counts_hidden,
  };
}

type SnapshotValues = { follower_count: number | null; following_count: number | null; media_count: number | null } & Omit<
  ProfileMetrics,
  'er_posts_hidden'
>;

async function writeSnapshots(
  trx: Transaction<Database>,
  input: FinishInput,
  values: SnapshotValues,
  posts: FetchedPost[],
): Promise<number> {
  const snapshot = { ...values, posts_fetched: posts.length, source: input.source ?? 'private_api' };
  const { id } = await trx
    .insertInto('blog_snapshots')
    .values({ blog_id: input.blogId, task_id: input.taskId, ...snapshot })
    .onConflict((oc) => oc.columns(['blog_id', 'task_id']).doUpdateSet({ ...snapshot, taken_at: sql`now()` }))
    .returning('id')
    .executeTakeFirstOrThrow();
  if (posts.length > 0) {
    await trx
      .insertInto('blog_post_snapshots')
      .values(
        posts.map((p) => ({
          snapshot_id: id,
          post_id: p.id,
          like_count: p.like_count,
          comment_count: p.comment_count,
          play_count: p.play_count,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['snapshot_id', 'post_id']).doUpdateSet((eb) => ({
          like_count: eb.ref('excluded.like_count'),
          comment_count: eb.ref('excluded.comment_count'),
          play_count: eb.ref('excluded.play_count'),
        })),
      )
      .execute();
  }
  return id;
}
