/**
 * What the Graph API emulator serves, derived from the same deterministic world as the private API, so tests can
 * compute expected figures (business discovery's ER, a media's insights) independently of src/.
 */
import type { World, WorldMedia, WorldUser } from '../world/index.js';

/** Graph ids of Instagram professional accounts look like 17841400000000000; ours embed the world pk. */
export const graphIgUserId = (pk: number): string => `1784140${String(pk).padStart(11, '0')}`;
export const pkFromGraphIgUserId = (id: string): number | null => (/^1784140\d{11}$/.test(id) ? Number(id.slice(7)) : null);
/** Graph media ids are the world's media pks (decimal strings). */
export const graphMediaId = (m: WorldMedia): string => m.pk;

export const isProfessional = (u: WorldUser): boolean => u.accountType === 2 || u.accountType === 3;

export type MediaProductType = 'FEED' | 'REELS' | 'STORY' | 'AD';
export type GraphMediaType = 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';

export function mediaTypes(m: WorldMedia): { media_type: GraphMediaType; media_product_type: MediaProductType } {
  if (m.kind === 'reel') return { media_type: 'VIDEO', media_product_type: 'REELS' };
  if (m.kind === 'video') return { media_type: 'VIDEO', media_product_type: 'FEED' };
  if (m.kind === 'carousel') return { media_type: 'CAROUSEL_ALBUM', media_product_type: 'FEED' };
  return { media_type: 'IMAGE', media_product_type: 'FEED' };
}

/** The 2025 media insights metric set (v22.0+): `plays` and `impressions` were replaced by `views`. */
export const MEDIA_METRICS = [
  'reach',
  'views',
  'saved',
  'shares',
  'likes',
  'comments',
  'total_interactions',
  'ig_reels_avg_watch_time',
  'ig_reels_video_view_total_time',
] as const;
export type MediaMetric = (typeof MEDIA_METRICS)[number];
export const DEPRECATED_METRICS = [
  'plays',
  'impressions',
  'video_views',
  'clips_replays_count',
  'ig_reels_aggregated_all_plays_count',
] as const;
export const REELS_ONLY_METRICS: readonly MediaMetric[] = ['ig_reels_avg_watch_time', 'ig_reels_video_view_total_time'];

/**
 * Insights of one media, deterministic from its counts: views are a reel's plays (or ~9 per like and 20 per
 * comment elsewhere), reach 62 % of views, saves 4 % and shares 3 % of likes; watch times in milliseconds.
 */
export function mediaInsightsTruth(m: WorldMedia): Record<MediaMetric, number | null> {
  const views = m.playCount ?? Math.round(m.likeCount * 9 + m.commentCount * 20);
  const saved = Math.round(m.likeCount * 0.04);
  const shares = Math.round(m.likeCount * 0.03);
  const reel = m.kind === 'reel';
  const avgWatchMs = reel ? Math.round((m.videoDuration ?? 15) * 1000 * 0.45) : null;
  return {
    reach: Math.round(views * 0.62),
    views,
    saved,
    shares,
    likes: m.likeCount,
    comments: m.commentCount,
    total_interactions: m.likeCount + m.commentCount + saved + shares,
    ig_reels_avg_watch_time: avgWatchMs,
    ig_reels_video_view_total_time: avgWatchMs === null ? null : avgWatchMs * views,
  };
}

/** Media as the Graph API lists them: newest first (the Graph API has no pinned-first order). */
export function graphMediaOf(world: World, pk: number): WorldMedia[] {
  return [...world.mediaOf(pk)].sort((a, b) => b.takenAt - a.takenAt || (a.pk < b.pk ? 1 : -1));
}

export interface DiscoveryTruth {
  followers: number;
  mediaCount: number;
  media: WorldMedia[];
  /** Median of (likes + comments) / followers × 100 over the media whose like count is shown, 2 decimals. */
  er: number | null;
}

/**
 * What business discovery of `username` shows with `limit` media, and the ER over it. A hidden like count is
 * omitted by the Graph API (Meta's IG Media reference, `like_count`), so such media have no ER.
 */
export function discoveryTruth(world: World, username: string, limit = 20): DiscoveryTruth | undefined {
  const user = world.user(username);
  if (!user || !isProfessional(user)) return undefined;
  const media = graphMediaOf(world, user.pk).slice(0, limit);
  const values = media.filter((m) => !m.countsHidden).map((m) => ((m.likeCount + m.commentCount) / user.followerCount) * 100);
  values.sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  const median = values.length === 0 ? null : values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return {
    followers: user.followerCount,
    mediaCount: user.mediaCount,
    media,
    er: median === null || user.followerCount <= 0 ? null : Math.round(median * 100) / 100,
  };
}
