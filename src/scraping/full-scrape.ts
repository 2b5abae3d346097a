import type { AccountPool } from '../accounts/pool.js';
import { InstagramSession } from '../accounts/session.js';
import type { ScrapeStatus } from '../db/schema.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { deferralOf, PermanentTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { requestsSpentBy } from '../accounts/events.js';
import { blogForTask, markUnavailable, saveProfile, setScrapeStatus, type Blog } from './blog-store.js';
import { finishScrape } from './finish.js';
import { upsertHighlights, upsertPosts, saveHighlightStories } from './media-store.js';
import { highlightFields, profileFields, storyExtras } from './parse.js';
import { InstagramReader } from './reader.js';
import type { ScrapingSettings } from './settings.js';

/**
 * full_scrape (SPEC §6): profile, the latest media, the highlights tray and the highlights' stories — at most
 * 1 + ⌈mediaCount / 12⌉ + 1 + 1 requests, 5 with the defaults — then metrics, snapshots and the ai_analysis task.
 *
 * Each stage stores what it fetched and checkpoints, and the media stage checkpoints after every feed page, so a
 * task interrupted (no account usable, process stopped) resumes after the last page or stage it finished on
 * whatever account it gets, without asking Instagram for anything twice. `requests` (in the progress and the
 * result) is what the task really spent, counted from the request ledger: logins, failed requests and retries on
 * other accounts included.
 */

const STAGES = ['profile', 'media', 'highlights', 'stories'] as const;
type Stage = (typeof STAGES)[number];

/** The task's progress: the last stage done and what the later stages need from the earlier ones. */
interface Checkpoint {
  stage: Stage;
  platform_id: string;
  /** Media read so far; while the stage is still `profile`, the feed goes on from `media_cursor`. */
  media_pks: string[];
  media_cursor?: string;
  highlight_reels: Array<{ platform_id: string; reel_id: string }>;
  requests: number;
  saved_at: string;
}

/** A checkpoint older than this is from another time (a manual retry days later): start over. */
const CHECKPOINT_MAX_AGE_MS = 6 * 3_600_000;

/** More highlights than this in one reels_media request: the rest keep their tray data only (≤ 5 requests). */
const MAX_HIGHLIGHT_REELS = 30;

export function fullScrapeHandler(pool: AccountPool, settings: ScrapingSettings): TaskHandler {
  return async (ctx) => {
    const blog = await blogForTask(ctx.db, ctx.task);
    const session = new InstagramSession(pool, ctx.task.id, ctx.signal, ctx.logger);
    const reader = new InstagramReader(session);
    await setScrapeStatus(ctx.db, blog.id, 'scraping');
    try {
      return await scrape(ctx, blog, reader, settings);
    } catch (error) {
      if (error instanceof TargetPrivateError || error instanceof TargetNotFoundError) {
        const status = error instanceof TargetPrivateError ? 'private' : 'deleted';
        await markUnavailable(ctx.db, blog.id, status, `Instagram: ${error.message}`);
        return { username: blog.username, status, requests: await requestsSpentBy(ctx.db, ctx.task.id) };
      }
      await afterFailure(ctx, blog, error);
      throw error;
    } finally {
      await session.close();
    }
  };
}

async function scrape(ctx: TaskContext, blog: Blog, reader: InstagramReader, settings: ScrapingSettings) {
  const resumed = resumable(ctx.task.progress);
  const first = resumed ?? (await profileStage(ctx, blog, reader));
  if (first === 'private') {
    await markUnavailable(ctx.db, blog.id, 'private', 'Instagram: the account is private');
    return { username: blog.username, status: 'private', requests: await requestsSpentBy(ctx.db, ctx.task.id) };
  }
  let cp = first;
  const save = async (next: Checkpoint) => {
    cp = { ...next, requests: await requestsSpentBy(ctx.db, ctx.task.id), saved_at: new Date().toISOString() };
    await ctx.saveProgress({ ...cp, account: reader.account });
  };
  if (cp.stage === 'profile') {
    // Page by page, each stored and checkpointed before the next is asked for.
    while (cp.media_pks.length < settings.mediaCount) {
      const page = await reader.mediaPage(cp.platform_id, cp.media_cursor);
      const items = page.items.slice(0, settings.mediaCount - cp.media_pks.length);
      const stored = await upsertPosts(ctx.db, { id: blog.id, platformId: cp.platform_id }, items, settings.adHashtags);
      const media_pks = [...cp.media_pks, ...stored.filter((pk) => !cp.media_pks.includes(pk))];
      if (!page.next || media_pks.length >= settings.mediaCount) {
        cp = { ...cp, media_pks, media_cursor: undefined };
        break;
      }
      await save({ ...cp, media_pks, media_cursor: page.next });
    }
    await save({ ...cp, stage: 'media', media_cursor: undefined });
  }
  if (cp.stage === 'media') {
    const tray = (await reader.highlightsTray(cp.platform_id)).flatMap((raw) => {
      const fields = highlightFields(raw);
      return fields ? [{ fields, raw }] : [];
    });
    await upsertHighlights(ctx.db, blog.id, tray);
    await save({
      ...cp,
      stage: 'highlights',
      highlight_reels: tray.map(({ fields }) => ({ platform_id: fields.platform_id, reel_id: fields.reel_id })),
    });
  }
  if (cp.stage === 'highlights') {
    await storiesStage(ctx, blog, reader, cp.highlight_reels);
    await save({ ...cp, stage: 'stories' });
  }
  const finished = await finishScrape(ctx.db, {
    blogId: blog.id,
    taskId: ctx.task.id,
    mediaPks: cp.media_pks,
    maxAttempts: settings.maxAttempts,
  });
  return {
    username: blog.username,
    platform_id: cp.platform_id,
    status: 'analyzing' satisfies ScrapeStatus,
    posts: finished.posts,
    reels: finished.reels,
    pinned: finished.pinned,
    highlights: cp.highlight_reels.length,
    ...finished.metrics,
    requests: await requestsSpentBy(ctx.db, ctx.task.id),
    resumed_from: resumed?.stage ?? null,
    ai_task_id: finished.aiTaskId,
  };
}

/**
 * Profile info: by pk when known (renames followed), else by username. A private profile is stored and ends the
 * scrape: its media cannot be read, and asking would only spend requests on a predictable refusal.
 */
async function profileStage(ctx: TaskContext, blog: Blog, reader: InstagramReader): Promise<Checkpoint | 'private'> {
  // A blog we have scraped before is not marked deleted on one account's 404: a second account must agree.
  const known = blog.platform_id !== null;
  const raw = await reader.profile(blog.platform_id ? { pk: blog.platform_id } : { username: blog.username }, { confirmNotFound: known });
  const profile = profileFields(raw);
  await saveProfile(ctx.db, blog, profile, raw);
  if (profile.is_private) return 'private';
  const cp: Checkpoint = {
    stage: 'profile',
    platform_id: profile.platform_id,
    media_pks: [],
    highlight_reels: [],
    requests: await requestsSpentBy(ctx.db, ctx.task.id),
    saved_at: new Date().toISOString(),
  };
  await ctx.saveProgress({ ...cp, account: reader.account });
  return cp;
}

async function storiesStage(ctx: TaskContext, blog: Blog, reader: InstagramReader, highlights: Checkpoint['highlight_reels']) {
  const wanted = highlights.slice(0, MAX_HIGHLIGHT_REELS);
  const reels = await reader.highlightReels(wanted.map((h) => h.reel_id));
  for (const h of wanted) {
    const reel = reels[h.reel_id];
    if (reel) await saveHighlightStories(ctx.db, blog.id, h.platform_id, storyExtras(reel), reel);
  }
}

/** A checkpoint of this handler that is recent enough to resume from. */
function resumable(progress: Record<string, unknown> | null): Checkpoint | undefined {
  if (!progress || !STAGES.includes(progress['stage'] as Stage) || typeof progress['platform_id'] !== 'string') return undefined;
  const savedAt = Date.parse(String(progress['saved_at']));
  if (!Number.isFinite(savedAt) || Date.now() - savedAt > CHECKPOINT_MAX_AGE_MS) return undefined;
  return progress as unknown as Checkpoint;
}

/**
 * The blog's status after a failed run: `error` (with the reason) when the task will not run again, otherwise
 * what it was before, so a blog waiting for an account does not look as if it were being scraped.
 */
async function afterFailure(ctx: TaskContext, blog: Blog, error: unknown) {
  const waiting = deferralOf(error) !== undefined || ctx.signal.aborted;
  const final = error instanceof PermanentTaskError || (!waiting && ctx.task.attempts >= ctx.task.max_attempts);
  const previous = blog.scrape_status === 'scraping' ? 'pending' : blog.scrape_status;
  const message = error instanceof Error ? error.message : String(error);
  await setScrapeStatus(ctx.db, blog.id, final ? 'error' : previous, final ? message.slice(0, 500) : blog.status_reason).catch((e) =>
    ctx.logger.warn({ err: e }, 'could not record the blog status after a failed scrape'),
  );
}
