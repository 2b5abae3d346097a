import { describe, expect, it } from 'vitest';
import { createWorld, GROWTH_DAYS } from '../../emulator/world/index.js';
import { dailySeries, seesaws } from '../../src/results/growth.js';

/**
 * The emulator's scripted growth series (emulator/world/growth.ts) against ig-scout's detector (src/results/growth.ts),
 * over every creator of 8 worlds: each scripted spike and seesaw found, nothing flagged on a steady series. The
 * end-to-end test through the profile over simulated days is test/scraping/growth-flags.test.ts.
 */
describe('scripted growth series', () => {
  it('same seed, same series; the last day is today', () => {
    const a = createWorld({ seed: 3 });
    const b = createWorld({ seed: 3 });
    for (const [i, creator] of a.creators.entries()) {
      const truth = a.growthOf(creator)!;
      expect(truth).toEqual(b.growthOf(b.creators[i]!));
      expect(truth.days).toHaveLength(GROWTH_DAYS);
      expect(truth.days.at(-1)).toEqual({ followers: creator.followerCount, following: creator.followingCount, media: creator.mediaCount });
      expect(a.countsOn(creator, null)).toEqual(truth.days.at(-1));
      expect(a.countsOn(creator, 0)).toEqual(truth.days[0]);
    }
    expect(a.dateOfDay(GROWTH_DAYS - 1)).toBe('2026-01-01');
  });

  it('over 8 seeds: every scripted spike and seesaw found, no flag on any steady series', () => {
    const scripts = { steady: 0, spike: 0, seesaw: 0 };
    for (let seed = 1; seed <= 8; seed++) {
      const world = createWorld({ seed });
      for (const creator of world.creators) {
        const truth = world.growthOf(creator)!;
        scripts[truth.script]++;
        const series = dailySeries(
          truth.days.map((d, i) => ({
            taken_at: new Date(`${world.dateOfDay(i)}T12:00:00Z`),
            follower_count: d.followers,
            following_count: d.following,
            media_count: d.media,
          })),
        );
        const found = {
          spikes: series.filter((d) => d.spike).map((d) => d.day),
          seesaws: seesaws(series).map((s) => [s.rise_day, s.fall_day]),
        };
        expect({ seed, who: creator.username, script: truth.script, ...found }).toEqual({
          seed,
          who: creator.username,
          script: truth.script,
          spikes: truth.spikes.map((d) => world.dateOfDay(d)),
          seesaws: truth.seesaws.map((s) => [world.dateOfDay(s.rise), world.dateOfDay(s.fall)]),
        });
      }
    }
    // Every script is well represented, so the check above is not vacuous.
    expect(scripts.spike).toBeGreaterThan(40);
    expect(scripts.seesaw).toBeGreaterThan(40);
    expect(scripts.steady).toBeGreaterThan(200);
  });
});
