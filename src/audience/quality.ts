/**
 * Audience-quality statistics (README "Audience quality"): shares over a follower sample, the suspicious-follower
 * rule and Wilson score intervals. Pure functions, so the task, the tests and the emulator's truth agree.
 */

/** A follower as the list page shows it (quick tier). */
export interface ListFollower {
  username: string;
  fullName: string | null;
  isPrivate: boolean | null;
  isVerified: boolean | null;
  anonymousPicture: boolean | null;
}

/** A follower's profile (deep tier, one `users/{pk}/info` lookup). */
export interface FollowerProfile {
  anonymousPicture: boolean;
  mediaCount: number;
  followerCount: number;
  followingCount: number;
  biography: string;
}

export interface Share {
  count: number;
  n: number;
  share: number;
  /** Wilson 95 % interval of the share. */
  low: number;
  high: number;
}

/** Mass followers follow more than this many accounts (HypeAuditor's audience-type rule). */
export const MASS_FOLLOWING = 1_500;

/**
 * Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it over the normal interval for small n
 * and shares near 0 or 1). z = 1.959964 for 95 %. Sampling without replacement from a finite frame only narrows
 * the true interval, so this one is conservative there.
 */
export function wilson(count: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = count / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function share(count: number, n: number): Share {
  return { count, n, share: n === 0 ? 0 : count / n, ...wilson(count, n) };
}

/**
 * A username that looks generated. A short trailing tag after `.` or `_` ("_kz", "_1994", "_x") is set aside, then
 * the rest is random-looking when digits are ≥ 4 and ≥ 30 % of its letters and digits ("user83746291"), when a
 * digit sits between letters ("t2or1ifm"), when a run of ≥ 5 consonants occurs ("xkqzt"), or when a part of ≥ 6
 * letters has under 20 % vowels ("gnpdkyh"; names have about 40 %). A heuristic, shown as a share, never a verdict.
 */
export function isRandomUsername(username: string): boolean {
  const name = username.toLowerCase();
  const trimmed = name.replace(/[._][a-z0-9]{1,6}$/, '');
  const core = trimmed.replace(/[^a-z0-9]/g, '').length >= 3 ? trimmed : name;
  const alnum = core.replace(/[^a-z0-9]/g, '');
  if (alnum.length === 0) return true;
  const digits = alnum.replace(/[^0-9]/g, '').length;
  if (digits >= 4 && digits / alnum.length >= 0.3) return true;
  const parts = core.split(/[._]+/).filter(Boolean);
  return parts.some((part) => {
    if (/[a-z]\d+[a-z]/.test(part)) return true;
    if (/[bcdfghjklmnpqrstvwxz]{5,}/.test(part)) return true;
    const letters = part.replace(/[^a-z]/g, '');
    return letters.length >= 6 && letters.replace(/[^aeiouy]/g, '').length / letters.length < 0.2;
  });
}

/** At least 2 of: no picture, 0 posts, following ≥ 50 × followers, empty bio with following > 100. */
export function isSuspicious(p: FollowerProfile): boolean {
  const signals = [
    p.anonymousPicture,
    p.mediaCount === 0,
    p.followingCount >= 50 * p.followerCount,
    p.biography.trim() === '' && p.followingCount > 100,
  ];
  return signals.filter(Boolean).length >= 2;
}

export interface QuickComponents {
  no_picture: Share;
  private: Share;
  random_username: Share;
  empty_full_name: Share;
  verified: Share;
}

export function quickComponents(sample: readonly ListFollower[]): QuickComponents {
  const n = sample.length;
  const count = (test: (f: ListFollower) => boolean) => share(sample.filter(test).length, n);
  return {
    no_picture: count((f) => f.anonymousPicture === true),
    private: count((f) => f.isPrivate === true),
    random_username: count((f) => isRandomUsername(f.username)),
    empty_full_name: count((f) => !f.fullName || f.fullName.trim() === ''),
    verified: count((f) => f.isVerified === true),
  };
}

export interface DeepComponents {
  mass_followers: Share;
  reachable: Share;
  suspicious: Share;
}

export function deepComponents(profiles: readonly FollowerProfile[]): DeepComponents {
  const n = profiles.length;
  const count = (test: (p: FollowerProfile) => boolean) => share(profiles.filter(test).length, n);
  return {
    mass_followers: count((p) => p.followingCount > MASS_FOLLOWING),
    reachable: count((p) => p.followingCount < MASS_FOLLOWING),
    suspicious: count(isSuspicious),
  };
}

/** credibility = 1 − suspicious share; its interval is the suspicious share's Wilson interval, mirrored. */
export function credibility(suspicious: Share): { value: number; low: number; high: number } {
  return { value: 1 - suspicious.share, low: 1 - suspicious.high, high: 1 - suspicious.low };
}

/** `k` distinct indexes of `0..n-1`, drawn by a seeded partial Fisher–Yates (mulberry32): same seed, same sample. */
export function seededSample(n: number, k: number, seed: number): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const indexes = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(next() * (n - i));
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return indexes.slice(0, take);
}
