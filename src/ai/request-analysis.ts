import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueTask, type Enqueued } from '../queue/enqueue.js';
import { mergePendingPayload } from '../queue/manage.js';
import { PRIORITY } from '../queue/task.js';
import { aiAnalysisDedupeKey } from '../scraping/finish.js';

/**
 * An analysis asked for by hand (POST /api/tasks/analysis): the blog's ai_analysis task, created or found. Without
 * `force` a blog whose prompt material is unchanged since its last analysis is not sent again (build.ts); with it,
 * it is — and a live task found pending is marked `force` so the build sends it.
 */
export interface AnalysisRequest {
  username: string;
  force: boolean;
  priority?: number;
  maxAttempts: number;
}

/** null when no scraped blog has that username (an analysis needs a scrape first). */
export async function requestAnalysis(db: Kysely<Database>, request: AnalysisRequest): Promise<Enqueued | null> {
  return db.transaction().execute(async (trx) => {
    const blog = await trx
      .selectFrom('blogs')
      .select('id')
      .where('username', '=', request.username.toLowerCase())
      .where('scraped_at', 'is not', null)
      .executeTakeFirst();
    if (!blog) return null;
    const enqueued = await enqueueTask(
      trx,
      {
        type: 'ai_analysis',
        priority: request.priority ?? PRIORITY.aiAnalysis,
        blogId: blog.id,
        dedupeKey: aiAnalysisDedupeKey(blog.id),
        payload: { blog_id: blog.id, force: request.force },
      },
      { maxAttempts: request.maxAttempts },
    );
    if (!enqueued.created && request.force && enqueued.task.status === 'pending') {
      await mergePendingPayload(trx, enqueued.task.id, { force: true });
    }
    return enqueued;
  });
}
