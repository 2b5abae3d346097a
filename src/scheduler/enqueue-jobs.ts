import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { PRIORITY } from '../queue/task.js';
import { requestDiscover, requestScrapes } from '../tasks/requests.js';

/** The scheduler's enqueueing jobs: they only add tasks (deduplicated), never scrape themselves. */

const CHUNK = 1000;

/** schedule_updates: blogs scraped longer ago than `afterDays` get a full_scrape at priority 8. */
export async function scheduleUpdates(db: Kysely<Database>, options: { afterDays: number; maxAttempts: number }) {
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
  return { enqueued, already_queued: alreadyQueued };
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
