import { describe, expect, it } from 'vitest';
import { erForSize } from '../../src/results/er-bands.js';
import { dailySeries, mad, seesaws, type Snapshot } from '../../src/results/growth.js';

/** Scripted series: steady growth with noise, a spike on a known day, a follow/unfollow seesaw. */
function noise(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function series(days: number, seed: number, script: { spikeDay?: number; spike?: number; seesawDay?: number } = {}): Snapshot[] {
  const rnd = noise(seed);
  let followers = 20_000;
  let following = 600;
  const out: Snapshot[] = [];
  for (let d = 0; d < days; d++) {
    followers += Math.round(40 + (rnd() - 0.5) * 30);
    if (d === script.spikeDay) followers += script.spike ?? 0;
    let todayFollowing = following + Math.round((rnd() - 0.5) * 6);
    if (script.seesawDay !== undefined && (d === script.seesawDay || d === script.seesawDay + 1)) todayFollowing += 900;
    following = todayFollowing - (script.seesawDay !== undefined && (d === script.seesawDay || d === script.seesawDay + 1) ? 900 : 0);
    // Two snapshots on some days: only the last one of a day counts.
    if (d % 5 === 0)
      out.push({
        taken_at: new Date(Date.UTC(2026, 0, 1 + d, 3)),
        follower_count: followers - 7,
        following_count: todayFollowing,
        media_count: 100 + d,
      });
    out.push({
      taken_at: new Date(Date.UTC(2026, 0, 1 + d, 18)),
      follower_count: followers,
      following_count: todayFollowing,
      media_count: 100 + d,
    });
  }
  return out;
}

describe('growth flags', () => {
  it('no false alarm on 200 steady noisy series of 60 days', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const days = dailySeries(series(60, seed));
      expect(days).toHaveLength(60);
      expect(days.filter((d) => d.spike)).toEqual([]);
      expect(seesaws(days)).toEqual([]);
    }
  });

  it('a scripted spike is flagged on its day only, whatever the noise', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const days = dailySeries(series(60, seed, { spikeDay: 40, spike: 3_000 }));
      expect(days.filter((d) => d.spike).map((d) => d.day)).toEqual(['2026-02-10']);
    }
  });

  it('a gain under 0.5 % of followers is never a spike, even on a flat series', () => {
    const flat: Snapshot[] = Array.from({ length: 40 }, (_, d) => ({
      taken_at: new Date(Date.UTC(2026, 0, 1 + d)),
      follower_count: 50_000 + (d === 30 ? 200 : 0) + (d > 30 ? 200 : 0),
      following_count: 10,
      media_count: 1,
    }));
    expect(dailySeries(flat).filter((d) => d.spike)).toEqual([]); // 200 < 250 = 0.5 % of 50,000
  });

  it('a follow/unfollow seesaw is found: +900 following, gone two days later', () => {
    const days = dailySeries(series(30, 3, { seesawDay: 12 }));
    expect(seesaws(days)).toEqual([expect.objectContaining({ rise_day: '2026-01-13', fall_day: '2026-01-15' })]);
  });

  it('MAD and ER for size', () => {
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(erForSize(5, 3_000)).toEqual({ tier_min: 1_000, verdict: 'high' });
    expect(erForSize(1, 3_000)?.verdict).toBe('low');
    expect(erForSize(0.9, 2_000_000)?.verdict).toBe('average');
    expect(erForSize(2, 500)).toBeNull();
    expect(erForSize(0.5, 20_000, [{ min: 0, low: 1, high: 2 }])?.verdict).toBe('low');
  });
});
