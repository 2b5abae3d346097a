import type { Kysely } from 'kysely';
import type { AccountPool } from '../accounts/pool.js';
import { InstagramSession } from '../accounts/session.js';
import { requestsSpentBy } from '../accounts/events.js';
import type { Database } from '../db/schema.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import type { TaskHandler } from '../queue/registry.js';
import { blogForTask, markUnavailable, saveProfile } from './blog-store.js';
import { profileFields } from './parse.js';
import { InstagramReader } from './reader.js';

/**
 * `profile_refresh` (issue 19, README "Growth and ER for its size"): one profile request, and one snapshot of the
 * follower / following / media counts, so the daily growth series has a point every day between two full scrapes
 * (which cost 5 requests and run every RESCRAPE_AFTER_DAYS). `schedule_updates` enqueues it for blogs whose newest
 * snapshot is older than PROFILE_REFRESH_AFTER_HOURS. The ER columns of the snapshot carry the blog's last
 * computed values (no posts are read); `posts_fetched` = 0 tells such a snapshot from a full scrape's. The scrape
 * status and `scraped_at` stay as they are: this is not a scrape, and the next full scrape stays due on time.
 */
export function profileRefreshHandler(pool: AccountPool): TaskHandler {
  return async (ctx) => {
    const blog = await blogForTask(ctx.db, ctx.task);
    const session = new InstagramSession(pool, ctx.task.id, ctx.signal, ctx.logger);
    const reader = new InstagramReader(session);
    try {
      const known = blog.platform_id !== null;
      const raw = await reader.profile(blog.platform_id ? { pk: blog.platform_id } : { username: blog.username }, {
        confirmNotFound: known,
      });
      const profile = profileFields(raw);
      await saveProfile(ctx.db, blog, profile, raw);
      const snapshotId = await writeProfileSnapshot(ctx.db, blog.id, ctx.task.id);
      return {
        username: blog.username,
        follower_count: profile.follower_count,
        following_count: profile.following_count,
        media_count: profile.media_count,
        snapshot_id: snapshotId,
        requests: await requestsSpentBy(ctx.db, ctx.task.id),
      };
    } catch (error) {
      if (error instanceof TargetPrivateError || error instanceof TargetNotFoundError) {
        const status = error instanceof TargetPrivateError ? 'private' : 'deleted';
        await markUnavailable(ctx.db, blog.id, status, `Instagram: ${error.message}`);
        return { username: blog.username, status, requests: await requestsSpentBy(ctx.db, ctx.task.id) };
      }
      throw error;
    } finally {
      await session.close();
    }
  };
}

/** The blog's counts as just saved, with its last ER figures; unique per task, so a rerun writes no second one. */
async function writeProfileSnapshot(db: Kysely<Database>, blogId: number, taskId: number): Promise<number> {
  const blog = await db
    .selectFrom('blogs')
    .select(['follower_count', 'following_count', 'media_count', 'er', 'er_reels', 'er_trend', 'posts_per_week'])
    .where('id', '=', blogId)
    .executeTakeFirstOrThrow();
  const values = { ...blog, posts_fetched: 0 };
  const { id } = await db
    .insertInto('blog_snapshots')
    .values({ blog_id: blogId, task_id: taskId, ...values })
    .onConflict((oc) => oc.columns(['blog_id', 'task_id']).doUpdateSet(values))
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
