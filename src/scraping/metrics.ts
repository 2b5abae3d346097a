/**
 * SPEC §6 profile metrics, as pure functions over the posts one full_scrape fetched. Pinned posts are excluded
 * everywhere: Instagram shows them first whatever their age, and creators pin their best posts, so counting them
 * would inflate ER and distort the trend and the posting rate.
 *
 * Conventions (the emulator's independent `emulator/world/stats.ts` follows the same reading):
 * - ER of one post = (likes + comments) / followers × 100; a profile value is the median over posts, rounded to
 *   2 decimals at the end (never rounded in between).
 * - Trend: the non-pinned posts newest first; each half has ⌊n/2⌋ posts, so with an odd count the middle post
 *   belongs to neither half (it is neither new nor old, and keeping it would make the halves unequal).
 */

export interface MetricPost {
  likes: number;
  comments: number;
  /** Unix seconds. */
  takenAt: number;
  pinned: boolean;
  isReel: boolean;
  /** The owner hid the counts: likes are unknown, so the post has no ER (it still counts for the posting rate). */
  countsHidden: boolean;
}

export type ErTrend = 'growing' | 'stable' | 'declining';

/** Ratios beyond these bounds (newer half vs older half) count as a change. */
export const TREND_GROWING_ABOVE = 1.15;
export const TREND_DECLINING_BELOW = 0.85;
export const TREND_MIN_POSTS = 6;

const DAY_SECONDS = 86_400;

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const counted = (posts: readonly MetricPost[]) => posts.filter((p) => !p.pinned);
/** The posts an ER is taken over: not pinned, counts shown. */
const engaged = (posts: readonly MetricPost[]) => counted(posts).filter((p) => !p.countsHidden);
const postEr = (post: MetricPost, followers: number) => ((post.likes + post.comments) / followers) * 100;

function medianEr(posts: readonly MetricPost[], followers: number | null): number | null {
  if (!followers || followers <= 0) return null;
  return median(posts.map((p) => postEr(p, followers)));
}

/** Median ER over the non-pinned posts; null when followers are 0 (or unknown) or no post counts. */
export function er(posts: readonly MetricPost[], followers: number | null): number | null {
  const value = medianEr(engaged(posts), followers);
  return value === null ? null : round2(value);
}

/** The same over the non-pinned reels only. */
export function erReels(posts: readonly MetricPost[], followers: number | null): number | null {
  const value = medianEr(
    engaged(posts).filter((p) => p.isReel),
    followers,
  );
  return value === null ? null : round2(value);
}

const newestFirst = (posts: readonly MetricPost[]) => [...counted(posts)].sort((a, b) => b.takenAt - a.takenAt);

/** Median ER of the newer half against the older half; null with fewer than 6 non-pinned posts or no followers. */
export function erTrend(posts: readonly MetricPost[], followers: number | null): ErTrend | null {
  const byAge = newestFirst(posts).filter((p) => !p.countsHidden);
  if (byAge.length < TREND_MIN_POSTS || !followers || followers <= 0) return null;
  const half = Math.floor(byAge.length / 2);
  const newer = medianEr(byAge.slice(0, half), followers)!;
  const older = medianEr(byAge.slice(byAge.length - half), followers)!;
  // An older half without any engagement: any engagement now is growth; none now is no change.
  if (older === 0) return newer > 0 ? 'growing' : 'stable';
  const ratio = newer / older;
  return ratio > TREND_GROWING_ABOVE ? 'growing' : ratio < TREND_DECLINING_BELOW ? 'declining' : 'stable';
}

/** (n − 1) posts over the days between the oldest and the newest non-pinned post, × 7; null with fewer than 2. */
export function postsPerWeek(posts: readonly MetricPost[]): number | null {
  const byAge = newestFirst(posts);
  if (byAge.length < 2) return null;
  const days = (byAge[0]!.takenAt - byAge[byAge.length - 1]!.takenAt) / DAY_SECONDS;
  return days > 0 ? round2(((byAge.length - 1) / days) * 7) : null;
}

export interface ProfileMetrics {
  er: number | null;
  er_reels: number | null;
  er_trend: ErTrend | null;
  posts_per_week: number | null;
  /** Non-pinned posts left out of the ER because their counts are hidden. */
  er_posts_hidden: number;
}

export function profileMetrics(posts: readonly MetricPost[], followers: number | null): ProfileMetrics {
  return {
    er: er(posts, followers),
    er_reels: erReels(posts, followers),
    er_trend: erTrend(posts, followers),
    posts_per_week: postsPerWeek(posts),
    er_posts_hidden: counted(posts).length - engaged(posts).length,
  };
}
