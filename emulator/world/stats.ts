/**
 * Expected profile statistics computed straight from the world, following SPEC §6, so tests of the
 * scraper can compare what it stored against ground truth. Interpretation used here:
 * "the latest N media" = the first N items in feed/user order (pinned posts included, as the feed
 * returns them first); ER is taken over the non-pinned ones among them. Trend: newest first, each half
 * has ⌊n/2⌋ posts, so with an odd count the middle post is in neither half (src/scraping/metrics.ts
 * documents the same reading; this file stays an independent computation and imports nothing from src/).
 */
import type { WorldMedia, WorldUser } from './types.js';

export interface ProfileStats {
  fetched: WorldMedia[];
  nonPinned: WorldMedia[];
  er: number | null;
  erReels: number | null;
  erTrend: 'growing' | 'declining' | 'stable' | null;
  postsPerWeek: number | null;
}

interface MediaSource {
  user(usernameOrPk: string | number): WorldUser | undefined;
  mediaOf(pk: number): readonly WorldMedia[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function erOf(media: WorldMedia, followers: number): number {
  return ((media.likeCount + media.commentCount) / followers) * 100;
}

export function profileStats(world: MediaSource, username: string, limit = 20): ProfileStats | undefined {
  const user = world.user(username);
  if (!user) return undefined;
  const fetched = world.mediaOf(user.pk).slice(0, limit);
  const nonPinned = fetched.filter((m) => !m.pinned);
  const followers = user.followerCount;
  const erList = (list: WorldMedia[]): number | null => {
    const value = followers > 0 ? median(list.map((m) => erOf(m, followers))) : null;
    return value === null ? null : round2(value);
  };
  const byAge = [...nonPinned].sort((a, b) => b.takenAt - a.takenAt);
  let erTrend: ProfileStats['erTrend'] = null;
  if (byAge.length >= 6 && followers > 0) {
    const half = Math.floor(byAge.length / 2);
    const newer = median(byAge.slice(0, half).map((m) => erOf(m, followers))) ?? 0;
    const older = median(byAge.slice(byAge.length - half).map((m) => erOf(m, followers))) ?? 0;
    // No engagement in the older half: any engagement now counts as growth, none as no change.
    const ratio = older > 0 ? newer / older : newer > 0 ? Number.POSITIVE_INFINITY : 1;
    erTrend = ratio > 1.15 ? 'growing' : ratio < 0.85 ? 'declining' : 'stable';
  }
  let postsPerWeek: number | null = null;
  if (byAge.length >= 2) {
    const days = ((byAge[0] as WorldMedia).takenAt - (byAge[byAge.length - 1] as WorldMedia).takenAt) / 86_400;
    postsPerWeek = days > 0 ? round2(((byAge.length - 1) / days) * 7) : null;
  }
  return { fetched, nonPinned, er: erList(nonPinned), erReels: erList(nonPinned.filter((m) => m.kind === 'reel')), erTrend, postsPerWeek };
}
