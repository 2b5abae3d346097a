import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryOnConflict } from '../db/retry.js';
import { ensureBlog } from '../blogs/store.js';
import { enqueueTask, type Enqueued } from '../queue/enqueue.js';
import type { NewTask } from '../queue/task.js';

/** What users ask for, turned into queue work. Shared by the API and the scheduler. */

// Scrape requests live with the blogs store (discover asks for scrapes too, and scraping must not reach up here).
export { requestScrapes, requestScrapesIn, scrapeDedupeKey, type ScrapeRequest } from '../blogs/scrape-requests.js';

export const discoverDedupeKey = (hashtag: string) => `discover:${hashtag}`;
export const followersDedupeKey = (username: string, kind: 'followers' | 'following') => `followers:${kind}:${username}`;

export async function requestDiscover(
  db: Kysely<Database>,
  request: { hashtag: string; priority: number; maxAttempts: number },
): Promise<Enqueued> {
  return enqueueTask(
    db,
    {
      type: 'discover',
      priority: request.priority,
      dedupeKey: discoverDedupeKey(request.hashtag),
      payload: { hashtag: request.hashtag },
    },
    { maxAttempts: request.maxAttempts },
  );
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
  return enqueueForBlog(db, request.username, request.maxAttempts, {
    type: 'audience_quality',
    priority: request.priority,
    dedupeKey: audienceQualityDedupeKey(request.username),
    payload: { username: request.username, sample: request.sample, deep_budget: request.deepBudget, seed: request.seed },
  });
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
  return enqueueForBlog(db, request.username, request.maxAttempts, {
    type: 'followers',
    priority: request.priority,
    dedupeKey: followersDedupeKey(request.username, request.kind),
    payload: { username: request.username, kind: request.kind, max: request.max },
  });
}

/**
 * One task bound to the blog of `username` (created as `pending` when new), in one transaction tried again on a
 * deadlock or serialization failure; a live task with the same dedupe key is returned instead.
 */
async function enqueueForBlog(
  db: Kysely<Database>,
  username: string,
  maxAttempts: number,
  task: Omit<NewTask, 'blogId'>,
): Promise<Enqueued> {
  return retryOnConflict(db, () =>
    db.transaction().execute(async (trx) => {
      const blogId = await ensureBlog(trx, username);
      return enqueueTask(trx, { ...task, blogId }, { maxAttempts });
    }),
  );
}
