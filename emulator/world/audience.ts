/**
 * Ground truth of audience quality: what ig-scout's `audience_quality` task estimates, computed exactly from the
 * world. The suspicious-follower rule is the one the issue and README state (at least 2 of: no picture, 0 posts,
 * following ≥ 50 × followers, empty bio with following > 100), so the estimate and the truth share a definition.
 */
import type { World, WorldUser } from './index.js';

export interface AudienceTruth {
  /** How many followers the frame holds: the first `n` of the list (all of them when fewer). */
  frame: number;
  bots: number;
  suspicious: number;
  anonymousPicture: number;
  private: number;
  emptyFullName: number;
  verified: number;
  /** following > 1,500. */
  massFollowers: number;
}

export function isSuspicious(user: WorldUser): boolean {
  const signals = [
    user.anonymousPicture === true,
    user.mediaCount === 0,
    user.followingCount >= 50 * user.followerCount,
    user.biography.trim() === '' && user.followingCount > 100,
  ];
  return signals.filter(Boolean).length >= 2;
}

/** Counts over the first `n` followers of `owner`, read page by page as the emulator serves them. */
export function audienceTruth(world: World, owner: WorldUser, n: number): AudienceTruth {
  const users = world.followersPage(owner, 0, Math.min(n, owner.followerCount));
  const count = (test: (u: WorldUser) => boolean) => users.filter(test).length;
  return {
    frame: users.length,
    bots: count((u) => u.bot === true),
    suspicious: count(isSuspicious),
    anonymousPicture: count((u) => u.anonymousPicture === true),
    private: count((u) => u.isPrivate),
    emptyFullName: count((u) => u.fullName.trim() === ''),
    verified: count((u) => u.isVerified),
    massFollowers: count((u) => u.followingCount > 1_500),
  };
}
