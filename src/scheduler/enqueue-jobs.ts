import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueTasks } from '../queue/enqueue.js';
import { PRIORITY } from '../queue/task.js';
import { requestDiscover, requestScrapes } from '../tasks/requests.js';

/** The scheduler's enqueueing jobs: they only add tasks (deduplicated), never scrape themselves. */

const CHUNK = 1000;

/**
 * schedule_updates: blogs scraped longer ago than `afterDays` get a full_scrape at priority 8. With
 * `profileRefreshAfterHours` (> 0), the other scraped blogs whose newest snapshot is older than that get a
 * profile_refresh at priority 9 (1 request): the daily follower series of the growth flags.
 */
export async function scheduleUpdates(
  db: Kysely<Database>,
  options: { afterDays: number; maxAttempts: number; profileRefreshAfterHours?: number },
) {
  let offsetId = 0;
  let enqueued = 0;
  let alreadyQueued = 0;
  for (;;) {
    const due = await db
      .selectFrom('blogs')
      .select(['id', 'username'])
      .where('scraped_at', '<', sql<Date>`now() - ${options.afterDays} * interval '1 day'`)
      .where('scrape_status', 'not in', ['pending', 'scraping'])
      .where('id', '>', offsetId)
      .orderBy('id')
      .limit(CHUNK)
      .execute();
    if (due.length === 0) break;
    offsetId = due.at(-1)!.id;
    const results = await requestScrapes(db, {
      usernames: due.map((b) => b.username),
      priority: PRIORITY.scheduledRescrape,
      source: 'schedule_updates',
      maxAttempts: options.maxAttempts,
    });
    enqueued += results.filter((r) => r.created).length;
    alreadyQueued += results.filter((r) => !r.created).length;
    if (due.length < CHUNK) break;
  }
  if (!options.profileRefreshAfterHours) return { enqueued, already_queued: alreadyQueued };
  const profiles = await scheduleProfileRefreshes(db, { ...options, afterHours: options.profileRefreshAfterHours });
  return { enqueued, already_queued: alreadyQueued, profiles_enqueued: profiles };
}

export const profileRefreshDedupeKey = (blogId: number) => `profile_refresh:${blogId}`;

/**
 * Blogs scraped within `afterDays` (the others just got a full_scrape), active, whose newest snapshot is older than
 * `afterHours`: one profile_refresh each (deduplicated per blog).
 */
async function scheduleProfileRefreshes(
  db: Kysely<Database>,
  options: { afterDays: number; afterHours: number; maxAttempts: number },
): Promise<number> {
  let offsetId = 0;
  let enqueued = 0;
  for (;;) {
    const stale = await db
      .selectFrom('blogs')
      .select('id')
      .where('scraped_at', '>=', sql<Date>`now() - ${options.afterDays} * interval '1 day'`)
      .where('scrape_status', 'in', ['active', 'analyzing'])
      .where('id', '>', offsetId)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('blog_snapshots')
              .whereRef('blog_snapshots.blog_id', '=', 'blogs.id')
              .where('blog_snapshots.taken_at', '>', sql<Date>`now() - ${options.afterHours} * interval '1 hour'`),
          ),
        ),
      )
      .orderBy('id')
      .limit(CHUNK)
      .execute();
    if (stale.length === 0) break;
    offsetId = stale.at(-1)!.id;
    const results = await enqueueTasks(
      db,
      stale.map((b) => ({
        type: 'profile_refresh',
        priority: PRIORITY.profileRefresh,
        blogId: b.id,
        dedupeKey: profileRefreshDedupeKey(b.id),
        payload: { blog_id: b.id },
      })),
      { maxAttempts: options.maxAttempts },
    );
    enqueued += results.filter((r) => r.created).length;
    if (stale.length < CHUNK) break;
  }
  return enqueued;
}

/** discover_weekly: one discover per configured hashtag at priority 10. */
export async function discoverWeekly(db: Kysely<Database>, options: { hashtags: readonly string[]; maxAttempts: number }) {
  let enqueued = 0;
  for (const hashtag of options.hashtags) {
    const result = await requestDiscover(db, { hashtag, priority: PRIORITY.weeklyDiscover, maxAttempts: options.maxAttempts });
    if (result.created) enqueued++;
  }
  return { hashtags: options.hashtags.length, enqueued };
}

/** DISCOVER_HASHTAGS as a list: comma/space separated, without #, lower-case, no duplicates. */
export function parseHashtags(text: string): string[] {
  const tags = text
    .split(/[\s,]+/)
    .map((t) => t.replace(/^#/, '').trim().toLowerCase())
    .filter((t) => t.length > 0);
  const invalid = tags.filter((t) => !/^[\p{L}\p{N}_]{1,100}$/u.test(t));
  if (invalid.length > 0) throw new Error(`DISCOVER_HASHTAGS: not valid hashtags: ${invalid.join(', ')}`);
  return [...new Set(tags)];
}
