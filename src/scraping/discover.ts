import type { AccountPool } from '../accounts/pool.js';
import { requestsSpentBy } from '../accounts/events.js';
import { InstagramSession } from '../accounts/session.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { PermanentTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { keepDiscovered, knownAuthorPks } from './discover-store.js';
import { creatorsOf, profileFields, type Author, type Raw } from './parse.js';
import { InstagramReader, type HashtagTab } from './reader.js';
import type { ScrapingSettings } from './settings.js';

/**
 * discover (SPEC §6): the top posts of a hashtag → their unique authors (and a collab post's co-authors) → a profile lookup for each author not
 * already known → the public ones with enough followers and posts become blogs (with a person) and get a
 * full_scrape at priority 5.
 *
 * Posts come from `tags/{tag}/sections/` (feed/tag answers 404 since mid-2023): the `top` tab, then `recent` when
 * DISCOVER_TABS (or the task's `payload.tabs`) asks for it, up to DISCOVER_TOP_POSTS posts per tab. The listing is
 * checkpointed after every page (with the library's cursor), so a resumed discover never asks for a page twice.
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

/** The listing in progress: which tab, the library's cursor in it, and the authors found so far. */
interface ListingCheckpoint {
  hashtag: string;
  phase: 'listing';
  tabs: HashtagTab[];
  tab: number;
  /** Posts read in the current tab, and the serialized feed for its next page (absent: the tab's first page). */
  tabPosts: number;
  feed?: string;
  posts: number;
  authors: Author[];
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
      const progress = ctx.task.progress;
      const resumed = resumable(progress, hashtag);
      const listing = resumed ? undefined : resumableListing(progress, hashtag);
      let cp =
        resumed ??
        (await listAuthors(ctx, reader, hashtag, listing ?? newListing(hashtag, tabsOf(ctx.task.payload['tabs'], settings)), settings));
      const baseRequests = resumed?.requests ?? 0;
      const known = await knownAuthorPks(ctx.db, cp.authors.slice(cp.done));
      while (cp.done < cp.authors.length) {
        const author = cp.authors[cp.done]!;
        const verdict = known.has(author.pk) ? 'known' : await judge(ctx, reader, author, hashtag, settings);
        cp = advance(cp, verdict, baseRequests + reader.requests);
        // A known author cost nothing: redoing it after an interruption is free, so no write for it.
        if (verdict !== 'known') await ctx.saveProgress({ ...cp, account: reader.account });
      }
      // What was really spent (logins, failures and retries on other accounts included), from the ledger.
      const requests = await requestsSpentBy(ctx.db, ctx.task.id);
      return {
        hashtag,
        posts: cp.posts,
        seen: cp.authors.length,
        ...cp.counts,
        known: cp.authors.length - cp.counts.new,
        requests,
        resumed: resumed !== undefined,
      };
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

/**
 * The hashtag's posts → their authors, unique, in ranking order (top first, then recent), one page per request,
 * checkpointed after each. `start` is a new listing or one resumed from the checkpoint.
 */
async function listAuthors(
  ctx: TaskContext,
  reader: InstagramReader,
  hashtag: string,
  start: ListingCheckpoint,
  settings: ScrapingSettings,
): Promise<DiscoverCheckpoint> {
  let cp = start;
  const baseRequests = start.requests;
  const authors = new Map(cp.authors.map((a) => [a.pk, a]));
  while (cp.tab < cp.tabs.length) {
    const tab = cp.tabs[cp.tab]!;
    const page = await reader.hashtagSectionsPage(hashtag, tab, cp.feed);
    const taken = page.items.slice(0, Math.max(0, settings.discoverTopPosts - cp.tabPosts));
    // A collab post's co-authors made it too (issue 13): each is a creator of this hashtag.
    for (const author of taken.flatMap(creatorsOf)) if (!authors.has(author.pk)) authors.set(author.pk, author);
    const tabPosts = cp.tabPosts + taken.length;
    const tabDone = !page.next || tabPosts >= settings.discoverTopPosts;
    cp = {
      ...cp,
      tab: tabDone ? cp.tab + 1 : cp.tab,
      tabPosts: tabDone ? 0 : tabPosts,
      feed: tabDone ? undefined : page.next,
      posts: cp.posts + taken.length,
      authors: [...authors.values()],
      requests: baseRequests + reader.requests,
    };
    await ctx.saveProgress({ ...cp, account: reader.account });
  }
  const listed = { hashtag, posts: cp.posts, authors: cp.authors, done: 0, counts: NO_COUNTS, requests: cp.requests };
  await ctx.saveProgress({ ...listed, account: reader.account });
  return listed;
}

function newListing(hashtag: string, tabs: HashtagTab[]): ListingCheckpoint {
  return { hashtag, phase: 'listing', tabs, tab: 0, tabPosts: 0, posts: 0, authors: [], requests: 0 };
}

/** The tabs to read: the task's `payload.tabs` (e.g. ["top", "recent"]) or DISCOVER_TABS. */
function tabsOf(value: unknown, settings: ScrapingSettings): HashtagTab[] {
  if (value === undefined || value === null) return [...settings.discoverTabs];
  const tabs = Array.isArray(value) ? value : [];
  if (tabs.length === 0 || !tabs.every((t) => t === 'top' || t === 'recent')) {
    throw new PermanentTaskError(`discover payload.tabs must be a non-empty list of "top" and "recent", got ${JSON.stringify(value)}`);
  }
  return [...new Set(tabs as HashtagTab[])];
}

/** One new author: private, small, gone, or kept (stored with its scrape task). */
async function judge(
  ctx: TaskContext,
  reader: InstagramReader,
  author: Author,
  hashtag: string,
  settings: ScrapingSettings,
): Promise<Verdict> {
  if (author.is_private) return 'private';
  let raw: Raw;
  try {
    raw = await reader.profile({ pk: author.pk });
  } catch (error) {
    if (error instanceof TargetNotFoundError) return 'missing';
    if (error instanceof TargetPrivateError) return 'private';
    throw error;
  }
  const profile = profileFields(raw);
  if (profile.is_private) return 'private';
  if ((profile.follower_count ?? 0) < settings.discoverMinFollowers || (profile.media_count ?? 0) < settings.discoverMinPosts)
    return 'small';
  await keepDiscovered(ctx.db, {
    profile: { ...profile, username: profile.username ?? author.username },
    raw,
    hashtag,
    maxAttempts: settings.maxAttempts,
  });
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

function resumableListing(progress: Record<string, unknown> | null, hashtag: string): ListingCheckpoint | undefined {
  if (!progress || progress['hashtag'] !== hashtag || progress['phase'] !== 'listing' || !Array.isArray(progress['tabs'])) return undefined;
  return {
    hashtag,
    phase: 'listing',
    tabs: progress['tabs'] as HashtagTab[],
    tab: Number(progress['tab'] ?? 0),
    tabPosts: Number(progress['tabPosts'] ?? 0),
    feed: typeof progress['feed'] === 'string' ? progress['feed'] : undefined,
    posts: Number(progress['posts'] ?? 0),
    authors: Array.isArray(progress['authors']) ? (progress['authors'] as Author[]) : [],
    requests: Number(progress['requests'] ?? 0),
  };
}

function resumable(progress: Record<string, unknown> | null, hashtag: string): DiscoverCheckpoint | undefined {
  if (
    !progress ||
    progress['hashtag'] !== hashtag ||
    progress['phase'] === 'listing' ||
    !Array.isArray(progress['authors']) ||
    typeof progress['done'] !== 'number'
  )
    return undefined;
  return {
    hashtag,
    posts: Number(progress['posts'] ?? 0),
    authors: progress['authors'] as Author[],
    done: progress['done'],
    counts: { ...NO_COUNTS, ...(progress['counts'] as Partial<Counts>) },
    requests: Number(progress['requests'] ?? 0),
  };
}
