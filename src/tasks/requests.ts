import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryOnConflict } from '../db/retry.js';
import { blogIdsFor, ensureBlog } from '../scraping/blog-store.js';
import { enqueueTasks, type Enqueued } from '../queue/enqueue.js';

/** What users ask for, turned into queue work. Shared by the API and the scheduler. */

export const scrapeDedupeKey = (username: string) => `full_scrape:${username}`;
export const discoverDedupeKey = (hashtag: string) => `discover:${hashtag}`;
export const followersDedupeKey = (username: string, kind: 'followers' | 'following') => `followers:${kind}:${username}`;

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

export async function requestDiscover(
  db: Kysely<Database>,
  request: { hashtag: string; priority: number; maxAttempts: number },
): Promise<Enqueued> {
  const [enqueued] = await enqueueTasks(
    db,
    [{ type: 'discover', priority: request.priority, dedupeKey: discoverDedupeKey(request.hashtag), payload: { hashtag: request.hashtag } }],
    { maxAttempts: request.maxAttempts },
  );
  return enqueued!;
}

export const audienceQualityDedupeKey = (username: string) => `audience_quality:${username}`;

export interface AudienceQualityRequest {
  username: string;
  /** Followers the quick tier reads (the first ones of the list). */
  sample: number;
  /** Profile lookups of the deep tier; 0 for the quick tier alone. */
  deepBudget: number;
  seed: number;
  priority: number;
  maxAttempts: number;
}

/** One `audience_quality` task per username, bound to its blog (created as `pending` when new); a live one is reused. */
export async function requestAudienceQuality(db: Kysely<Database>, request: AudienceQualityRequest): Promise<Enqueued> {
  return retryOnConflict(db, () => db.transaction().execute(async (trx) => {
    const blogId = await ensureBlog(trx, request.username);
    const [enqueued] = await enqueueTasks(
      trx,
      [
        {
          type: 'audience_quality',
          priority: request.priority,
          blogId,
          dedupeKey: audienceQualityDedupeKey(request.username),
          payload: { username: request.username, sample: request.sample, deep_budget: request.deepBudget, seed: request.seed },
        },
      ],
      { maxAttempts: request.maxAttempts },
    );
    return enqueued!;
  }));
}

export interface FollowersRequest {
  username: string;
  kind: 'followers' | 'following';
  /** Stop after this many accounts (the list may be millions long). */
  max: number;
  priority: number;
  maxAttempts: number;
}

/**
 * One `followers` task per username and list kind, bound to the blog (created as `pending` when new). While one is
 * live, asking again returns it, whatever `max` was asked.
 */
export async function requestFollowers(db: Kysely<Database>, request: FollowersRequest): Promise<Enqueued> {
  return retryOnConflict(db, () => db.transaction().execute(async (trx) => {
    const blogId = await ensureBlog(trx, request.username);
    const [enqueued] = await enqueueTasks(
      trx,
      [
        {
          type: 'followers',
          priority: request.priority,
          blogId,
          dedupeKey: followersDedupeKey(request.username, request.kind),
          payload: { username: request.username, kind: request.kind, max: request.max },
        },
      ],
      { maxAttempts: request.maxAttempts },
    );
    return enqueued!;
  }));
}
