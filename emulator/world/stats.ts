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
  /** Non-pinned posts left out of the ER because their counts are hidden. */
  hiddenCounts: number;
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
  // ER over the posts whose counts are shown: a hidden count is a stand-in, not the truth a viewer could read.
  const engaged = nonPinned.filter((m) => !m.countsHidden);
  const followers = user.followerCount;
  const erList = (list: WorldMedia[]): number | null => {
    const value = followers > 0 ? median(list.map((m) => erOf(m, followers))) : null;
    return value === null ? null : round2(value);
  };
  const byAge = [...nonPinned].sort((a, b) => b.takenAt - a.takenAt);
  const engagedByAge = byAge.filter((m) => !m.countsHidden);
  let erTrend: ProfileStats['erTrend'] = null;
  if (engagedByAge.length >= 6 && followers > 0) {
    const half = Math.floor(engagedByAge.length / 2);
    const newer = median(engagedByAge.slice(0, half).map((m) => erOf(m, followers))) ?? 0;
    const older = median(engagedByAge.slice(engagedByAge.length - half).map((m) => erOf(m, followers))) ?? 0;
    // No engagement in the older half: any engagement now counts as growth, none as no change.
    const ratio = older > 0 ? newer / older : newer > 0 ? Number.POSITIVE_INFINITY : 1;
    erTrend = ratio > 1.15 ? 'growing' : ratio < 0.85 ? 'declining' : 'stable';
  }
  let postsPerWeek: number | null = null;
  if (byAge.length >= 2) {
    const days = ((byAge[0] as WorldMedia).takenAt - (byAge[byAge.length - 1] as WorldMedia).takenAt) / 86_400;
    postsPerWeek = days > 0 ? round2(((byAge.length - 1) / days) * 7) : null;
  }
  return {
    fetched,
    nonPinned,
    er: erList(engaged),
    erReels: erList(engaged.filter((m) => m.kind === 'reel')),
    erTrend,
    postsPerWeek,
    hiddenCounts: nonPinned.length - engaged.length,
  };
}
