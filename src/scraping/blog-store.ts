import { sql, type Kysely, type Selectable } from 'kysely';
import type { BlogsTable, Database, ScrapeStatus } from '../db/schema.js';
import { PermanentTaskError } from '../queue/errors.js';
import type { Task } from '../queue/task.js';
import { ensureBlog } from '../blogs/store.js';
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
  const id = await ensureBlog(db, username);
  return db.selectFrom('blogs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
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
    await db
      .updateTable('blogs')
      .set({ ...values, username })
      .where('id', '=', blog.id)
      .execute();
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await db
      .updateTable('blogs')
      .set({ ...values, status_reason: `renamed on Instagram to ${username}, which another blog row already holds` })
      .where('id', '=', blog.id)
      .execute();
  }
}
