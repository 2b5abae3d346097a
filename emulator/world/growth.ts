/**
 * Ground truth of growth (issue 19): each creator's daily follower / following / media counts over the world's last
 * `GROWTH_DAYS` days, ending at today's counts (the last day is the world's epoch day, what the profile shows by
 * default). The emulator answers a profile with the counts of its simulated day (`InstagramEmulator.setDay`), so a
 * test can take one snapshot per simulated day through the real client and check ig-scout's flags against the script.
 *
 * Scripts, chosen per creator from the seed:
 * - steady (most): daily follower change = trend rate + uniform noise, truncated to whole followers, so its size is
 *   always under 0.4 % of the followers: below the spike rule's 0.5 % floor, so a steady series can never flag;
 *   following drifts by under 1 % a day (far below a seesaw's 10 % rise).
 * - spike (bought followers): 1–2 scripted days with a gain of 3–8 % of the followers (at least 200), ≥ 12 days apart
 *   and after ≥ 15 days of history (the rule needs 7 earlier gains), else steady.
 * - seesaw (follow/unfollow): following jumps by max(200, 30 % of it) in one day and falls back by 95 % of that rise
 *   2–5 days later, once; followers steady.
 */
import type { Rng } from './prng.js';
import type { WorldUser } from './types.js';

export const GROWTH_DAYS = 60;

export type GrowthScript = 'steady' | 'spike' | 'seesaw';

export interface DayCounts {
  followers: number;
  following: number;
  media: number;
}

export interface GrowthTruth {
  script: GrowthScript;
  /** Index 0 is the oldest day, GROWTH_DAYS − 1 today. */
  days: DayCounts[];
  /** Day indexes of the scripted follower spikes. */
  spikes: number[];
  /** Day indexes of the scripted following rise and of its fall. */
  seesaws: Array<{ rise: number; fall: number }>;
}

const SPIKE_SHARE = 0.2;
const SEESAW_SHARE = 0.15;
const RATE = { growing: 0.0012, stable: 0.0002, declining: -0.0008 } as const;
const NOISE = 0.0025;

export function generateGrowth(rng: Rng, user: WorldUser): GrowthTruth {
  const roll = rng.next();
  const script: GrowthScript =
    user.kind !== 'creator'
      ? 'steady'
      : roll < SPIKE_SHARE && user.followerCount >= 2_000
        ? 'spike'
        : roll >= 1 - SEESAW_SHARE
          ? 'seesaw'
          : 'steady';
  const last = GROWTH_DAYS - 1;
  const spikes: number[] = [];
  if (script === 'spike') {
    spikes.push(rng.int(15, 35));
    if (rng.chance(0.5)) spikes.push(rng.int(spikes[0]! + 12, last));
  }
  const seesaws: GrowthTruth['seesaws'] = [];
  if (script === 'seesaw') {
    const rise = rng.int(10, last - 6);
    seesaws.push({ rise, fall: rise + rng.int(2, 5) });
  }

  // Built backwards from today's counts: day d − 1 = day d minus the change of day d.
  const days: DayCounts[] = new Array(GROWTH_DAYS);
  days[last] = { followers: user.followerCount, following: user.followingCount, media: user.mediaCount };
  const seesaw = seesaws[0];
  const seesawRise = seesaw ? Math.max(200, Math.round(0.3 * user.followingCount)) : 0;
  for (let d = last; d > 0; d--) {
    const today = days[d]!;
    const steadyGain = Math.trunc((RATE[user.trend] + rng.float(-NOISE, NOISE)) * today.followers);
    const gain = spikes.includes(d) ? Math.max(200, Math.round(rng.float(0.03, 0.08) * today.followers)) : steadyGain;
    let followingChange = Math.trunc(rng.float(-0.01, 0.01) * today.following);
    // Going backwards: the day of the fall undoes 95 % of the rise; the day of the rise adds it.
    if (seesaw && d === seesaw.fall) followingChange = -Math.round(0.95 * seesawRise);
    if (seesaw && d === seesaw.rise) followingChange = seesawRise;
    const posted = rng.chance(0.3) ? 1 : 0;
    days[d - 1] = {
      followers: Math.max(0, today.followers - gain),
      following: Math.max(0, today.following - followingChange),
      media: Math.max(0, today.media - posted),
    };
  }
  return { script, days, spikes, seesaws };
}
