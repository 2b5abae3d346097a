import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The blogs store: the one place a blog row is created for a username (a request, a task, a discovered author).
 * Callers in every layer above (tasks, scraping, http through tasks/requests.ts) come here; it imports only db.
 */

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
