import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryOnConflict } from '../db/retry.js';
import { enqueueTasks, type Enqueued } from '../queue/enqueue.js';
import { blogIdsFor } from './store.js';

/** A scrape asked for a username: its blog row and its full_scrape task, together (manual, discovered, scheduled). */

export const scrapeDedupeKey = (username: string) => `full_scrape:${username}`;

export interface ScrapeRequest {
  usernames: readonly string[];
  priority: number;
  /** Where a new blog came from: `manual`, `discover:<hashtag>`, … Existing blogs keep theirs. */
  source: string;
  maxAttempts: number;
}

/**
 * One `full_scrape` per username, each bound to its blog row (created as `pending` when new). A username that
 * already has a live scrape gets that task back instead of a second one. One transaction, two statements, tried
 * again on a deadlock or serialization failure (src/db/retry.ts).
 */
export async function requestScrapes(db: Kysely<Database>, request: ScrapeRequest): Promise<Enqueued[]> {
  if (request.usernames.length === 0) return [];
  return retryOnConflict(db, () => db.transaction().execute((trx) => requestScrapesIn(trx, request)));
}

/**
 * The same inside the caller's transaction (discover adds a blog, its person and its scrape atomically). Rows are
 * locked in one global order, by username: two requests listing the same names in opposite orders would otherwise
 * each hold a row the other waits for (issue 17: 589 of 2,000 overlapping requests deadlocked). The answer keeps
 * the order of the request.
 */
export async function requestScrapesIn(trx: Transaction<Database>, request: ScrapeRequest): Promise<Enqueued[]> {
  if (request.usernames.length === 0) return [];
  const usernames = [...new Set(request.usernames)].sort();
  const blogIds = await blogIdsFor(trx, usernames, request.source);
  const enqueued = await enqueueTasks(
    trx,
    usernames.map((username) => ({
      type: 'full_scrape',
      priority: request.priority,
      blogId: blogIds.get(username)!,
      dedupeKey: scrapeDedupeKey(username),
      payload: { username },
    })),
    { maxAttempts: request.maxAttempts },
  );
  const byUsername = new Map(usernames.map((username, i) => [username, enqueued[i]!]));
  // A name listed twice is one task: created for its first mention, an existing one for the repeats.
  const seen = new Set<string>();
  return request.usernames.map((username) => {
    const result = byUsername.get(username)!;
    if (seen.has(username)) return { ...result, created: false };
    seen.add(username);
    return result;
  });
}
