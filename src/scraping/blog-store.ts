import { sql, type Kysely, type Selectable } from 'kysely';
import type { BlogsTable, Database, ScrapeStatus } from '../db/schema.js';
import { PermanentTaskError } from '../queue/errors.js';
import type { Task } from '../queue/task.js';
import type { ProfileFields, Raw } from './parse.js';

export type Blog = Selectable<BlogsTable>;

/**
 * The blog a full_scrape works on: the row it was enqueued for, or (a task enqueued by hand without one) the row of
 * its payload's username, created when missing.
 */
export async function blogForTask(db: Kysely<Database>, task: Pick<Task, 'blog_id' | 'payload'>): Promise<Blog> {
  if (task.blog_id !== null) {
    const blog = await db.selectFrom('blogs').selectAll().where('id', '=', task.blog_id).executeTakeFirst();
    if (blog) return blog;
  }
  const username = typeof task.payload['username'] === 'string' ? task.payload['username'].trim().replace(/^@/, '').toLowerCase() : '';
  if (!username) throw new PermanentTaskError('full_scrape needs a blog or a payload.username');
  return db
    .insertInto('blogs')
    .values({ username })
    .onConflict((oc) => oc.columns(['platform', 'username']).doUpdateSet({ username: sql`excluded.username` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setScrapeStatus(db: Kysely<Database>, blogId: number, status: ScrapeStatus, reason: string | null = null) {
  await db
    .updateTable('blogs')
    .set({ scrape_status: status, status_reason: reason, updated_at: sql`now()` })
    .where('id', '=', blogId)
    .execute();
}

/** Private or gone: the status says so, and scraped_at says when we last looked. */
export async function markUnavailable(db: Kysely<Database>, blogId: number, status: 'private' | 'deleted', reason: string) {
  await db
    .updateTable('blogs')
    .set({ scrape_status: status, status_reason: reason, scraped_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', blogId)
    .execute();
}

/**
 * Stores the profile on the blog with its raw answer. A renamed account (found by pk) takes its new username,
 * unless another blog row already holds that name: then the row keeps the old one and says why.
 */
export async function saveProfile(db: Kysely<Database>, blog: Blog, profile: ProfileFields, raw: Raw): Promise<void> {
  const { username, ...fields } = profile;
  const values = { ...fields, raw: JSON.stringify(raw), updated_at: sql<Date>`now()` };
  if (!username || username === blog.username) {
    await db.updateTable('blogs').set(values).where('id', '=', blog.id).execute();
    return;
  }
  try {
    await db.updateTable('blogs').set({ ...values, username }).where('id', '=', blog.id).execute();
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await db
      .updateTable('blogs')
      .set({ ...values, status_reason: `renamed on Instagram to ${username}, which another blog row already holds` })
      .where('id', '=', blog.id)
      .execute();
  }
}

/** The blog of a username, created (source `manual`) when new: a request or a task for one we do not track yet. */
export async function ensureBlog(db: Kysely<Database>, username: string): Promise<number> {
  return (await blogIdsFor(db, [username], 'manual')).get(username)!;
}

/** Rounds of "select, insert the missing" before giving up: a name is missing after one only if it was deleted meanwhile. */
const BLOG_ID_PASSES = 3;

/**
 * The blog ids of these usernames, the missing blogs created with `source` (existing ones keep theirs). Each row is
 * held FOR KEY SHARE until the caller's transaction ends, so it cannot be deleted under the task that is about to
 * reference it. That lock is shared: overlapping enqueues of the same names do not wait for each other. (An upsert's
 * DO UPDATE took an exclusive row lock and wrote a new row version per name per request, so overlapping requests
 * queued behind each other's commits: issue 17, p99 270 ms for 2,000 requests on 40 names.) Inserts go in username
 * order, so two transactions creating the same new names wait on the unique index in the same order.
 */
export async function blogIdsFor(db: Kysely<Database>, usernames: readonly string[], source: string): Promise<Map<string, number>> {
  const sorted = [...new Set(usernames)].sort();
  const ids = new Map<string, number>();
  for (let pass = 0; pass < BLOG_ID_PASSES && ids.size < sorted.length; pass++) {
    const wanted = sorted.filter((username) => !ids.has(username));
    const found = await db
      .selectFrom('blogs')
      .select(['id', 'username'])
      .where('platform', '=', 'instagram')
      .where('username', 'in', wanted)
      .orderBy('username')
      .forKeyShare()
      .execute();
    for (const row of found) ids.set(row.username, row.id);
    const missing = wanted.filter((username) => !ids.has(username));
    if (missing.length === 0) break;
    const created = await db
      .insertInto('blogs')
      .values(missing.map((username) => ({ username, source })))
      // A name another transaction created meanwhile comes back on the next pass's select.
      .onConflict((oc) => oc.columns(['platform', 'username']).doNothing())
      .returning(['id', 'username'])
      .execute();
    for (const row of created) ids.set(row.username, row.id);
  }
  const lost = sorted.filter((username) => !ids.has(username));
  if (lost.length > 0) throw new Error(`blogs ${lost.join(', ')} were deleted while being enqueued ${BLOG_ID_PASSES} times`);
  return ids;
}
