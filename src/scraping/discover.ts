import type { AccountPool } from '../accounts/pool.js';
import { InstagramSession } from '../accounts/session.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { PermanentTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { keepDiscovered, knownAuthorPks } from './discover-store.js';
import { authorOf, profileFields, type Author } from './parse.js';
import { InstagramReader } from './reader.js';
import type { ScrapingSettings } from './settings.js';

/**
 * discover (SPEC §6): the top posts of a hashtag → their unique authors → a profile lookup for each author not
 * already known → the public ones with enough followers and posts become blogs (with a person) and get a
 * full_scrape at priority 5.
 *
 * Authors the hashtag feed already shows as private are skipped without a lookup: the lookup could only confirm
 * it, and each lookup spends one of an account's ~30 requests an hour. Progress (the author list and how far the
 * lookups got) is checkpointed after every lookup, so a resumed discover neither re-reads the hashtag nor looks
 * anyone up twice.
 */

type Verdict = 'known' | 'kept' | 'private' | 'small' | 'missing';

interface Counts {
  new: number;
  kept: number;
  skipped_private: number;
  skipped_small: number;
  skipped_missing: number;
}

interface DiscoverCheckpoint {
  hashtag: string;
  posts: number;
  authors: Author[];
  /** Authors handled so far, in list order. */
  done: number;
  counts: Counts;
  requests: number;
}

const NO_COUNTS: Counts = { new: 0, kept: 0, skipped_private: 0, skipped_small: 0, skipped_missing: 0 };
const COUNTED: Record<Exclude<Verdict, 'known'>, keyof Counts> = {
  kept: 'kept',
  private: 'skipped_private',
  small: 'skipped_small',
  missing: 'skipped_missing',
};

export function discoverHandler(pool: AccountPool, settings: ScrapingSettings): TaskHandler {
  return async (ctx) => {
    const hashtag = hashtagOf(ctx.task.payload['hashtag']);
    const session = new InstagramSession(pool, ctx.task.id, ctx.signal, ctx.logger);
    const reader = new InstagramReader(session);
    try {
      const resumed = resumable(ctx.task.progress, hashtag);
      let cp = resumed ?? (await listAuthors(ctx, reader, hashtag, settings));
      const baseRequests = resumed?.requests ?? 0;
      const known = await knownAuthorPks(ctx.db, cp.authors.slice(cp.done));
      while (cp.done < cp.authors.length) {
        const author = cp.authors[cp.done]!;
        const verdict = known.has(author.pk) ? 'known' : await judge(ctx, reader, author, hashtag, settings);
        cp = advance(cp, verdict, baseRequests + reader.requests);
        // A known author cost nothing: redoing it after an interruption is free, so no write for it.
        if (verdict !== 'known') await ctx.saveProgress({ ...cp, account: reader.account });
      }
      return { hashtag, posts: cp.posts, seen: cp.authors.length, ...cp.counts, known: cp.authors.length - cp.counts.new, requests: cp.requests, resumed: resumed !== undefined };
    } finally {
      await session.close();
    }
  };
}

function hashtagOf(value: unknown): string {
  const tag = typeof value === 'string' ? value.trim().replace(/^#/, '').toLowerCase() : '';
  if (!/^[\p{L}\p{N}_]{1,100}$/u.test(tag)) throw new PermanentTaskError(`discover needs payload.hashtag, got ${JSON.stringify(value)}`);
  return tag;
}

/** The hashtag's top posts → their authors, unique, in ranking order; checkpointed at once. */
async function listAuthors(ctx: TaskContext, reader: InstagramReader, hashtag: string, settings: ScrapingSettings): Promise<DiscoverCheckpoint> {
  const items = await reader.hashtagTopMedia(hashtag, settings.discoverTopPosts);
  const authors = new Map<string, Author>();
  for (const item of items) {
    const author = authorOf(item);
    if (author && !authors.has(author.pk)) authors.set(author.pk, author);
  }
  const cp = { hashtag, posts: items.length, authors: [...authors.values()], done: 0, counts: NO_COUNTS, requests: reader.requests };
  await ctx.saveProgress({ ...cp, account: reader.account });
  return cp;
}

/** One new author: private, small, gone, or kept (stored with its scrape task). */
async function judge(ctx: TaskContext, reader: InstagramReader, author: Author, hashtag: string, settings: ScrapingSettings): Promise<Verdict> {
  if (author.is_private) return 'private';
  let raw;
  try {
    raw = await reader.profile({ pk: author.pk });
  } catch (error) {
    if (error instanceof TargetNotFoundError) return 'missing';
    if (error instanceof TargetPrivateError) return 'private';
    throw error;
  }
  const profile = profileFields(raw);
  if (profile.is_private) return 'private';
  if ((profile.follower_count ?? 0) < settings.discoverMinFollowers || (profile.media_count ?? 0) < settings.discoverMinPosts) return 'small';
  await keepDiscovered(ctx.db, { profile: { ...profile, username: profile.username ?? author.username }, raw, hashtag, maxAttempts: settings.maxAttempts });
  return 'kept';
}

function advance(cp: DiscoverCheckpoint, verdict: Verdict, requests: number): DiscoverCheckpoint {
  const counts = { ...cp.counts };
  if (verdict !== 'known') {
    counts.new++;
    counts[COUNTED[verdict]]++;
  }
  return { ...cp, done: cp.done + 1, counts, requests };
}

function resumable(progress: Record<string, unknown> | null, hashtag: string): DiscoverCheckpoint | undefined {
  if (!progress || progress['hashtag'] !== hashtag || !Array.isArray(progress['authors']) || typeof progress['done'] !== 'number') return undefined;
  return {
    hashtag,
    posts: Number(progress['posts'] ?? 0),
    authors: progress['authors'] as Author[],
    done: progress['done'],
    counts: { ...NO_COUNTS, ...(progress['counts'] as Partial<Counts>) },
    requests: Number(progress['requests'] ?? 0),
  };
}
