/**
 * Hashtag top posts. Ranked like Instagram's "Top" tab roughly does: engagement relative to the
 * author's audience, discounted by age, at most a few posts per author. Named creators rarely fill
 * a tag on their own, so the list is topped up with posts by fans (small, often private accounts):
 * a discover run then meets the realistic mix of qualifying and non-qualifying authors.
 */
import type { Hashtag, WorldMedia, WorldUser } from './types.js';
import { NICHES } from './vocab.js';

const MAX_POSTS_PER_AUTHOR = 3;
const HASHTAG_FAN_SLOT_BASE = 1950;
const MAX_FAN_PROBES = 600;

export interface HashtagSources {
  named: readonly WorldUser[];
  mediaOf(pk: number): readonly WorldMedia[];
  fanForHashtag(slot: number, index: number): WorldUser;
  epoch: number;
  topCount: number;
}

export function allHashtagNames(): string[] {
  return [...new Set(NICHES.flatMap((n) => n.hashtags))].sort();
}

export function buildHashtags(src: HashtagSources): Hashtag[] {
  return allHashtagNames().map((name, tagIndex) => buildHashtag(src, name, tagIndex));
}

function score(media: WorldMedia, author: WorldUser, epoch: number): number {
  const er = (media.likeCount + media.commentCount) / Math.max(author.followerCount, 1);
  const ageDays = Math.max(0, (epoch - media.takenAt) / 86_400);
  return er / (1 + ageDays / 30);
}

function buildHashtag(src: HashtagSources, name: string, tagIndex: number): Hashtag {
  const candidates: Array<{ media: WorldMedia; score: number }> = [];
  for (const author of src.named) {
    for (const media of src.mediaOf(author.pk)) {
      if (media.hashtags.includes(name)) candidates.push({ media, score: score(media, author, src.epoch) });
    }
  }
  candidates.sort((a, b) => b.score - a.score || (a.media.pk < b.media.pk ? -1 : 1));
  const perAuthor = new Map<number, number>();
  const top: WorldMedia[] = [];
  for (const { media } of candidates) {
    const used = perAuthor.get(media.ownerPk) ?? 0;
    if (used >= MAX_POSTS_PER_AUTHOR || top.length >= src.topCount) continue;
    perAuthor.set(media.ownerPk, used + 1);
    top.push(media);
  }
  fillWithFans(src, name, tagIndex, top);
  const topPks = new Set(top.map((m) => m.pk));
  const extraClipPks = candidates
    .filter((c) => c.media.kind === 'reel' && !topPks.has(c.media.pk))
    .slice(0, 6)
    .map((c) => c.media.pk);
  return { name, topMediaPks: top.map((m) => m.pk), extraClipPks, mediaCount: candidates.length * 37 + 1000 };
}

/** Interleaves fan posts (every third slot) until the tag has `topCount` posts. */
function fillWithFans(src: HashtagSources, name: string, tagIndex: number, top: WorldMedia[]): void {
  const fanPosts: WorldMedia[] = [];
  const needed = Math.max(src.topCount - top.length, Math.floor(src.topCount / 5));
  for (let i = 0; i < MAX_FAN_PROBES && fanPosts.length < needed; i++) {
    const fan = src.fanForHashtag(HASHTAG_FAN_SLOT_BASE + tagIndex, i);
    const post = src.mediaOf(fan.pk).find((m) => m.hashtags.includes(name));
    if (post) fanPosts.push(post);
  }
  const named = [...top];
  const merged: WorldMedia[] = [];
  while (merged.length < src.topCount && (named.length > 0 || fanPosts.length > 0)) {
    const fanTurn = merged.length % 3 === 2 || named.length === 0;
    const next = fanTurn && fanPosts.length > 0 ? fanPosts.shift() : named.shift();
    if (next) merged.push(next);
  }
  top.splice(0, top.length, ...merged);
}
