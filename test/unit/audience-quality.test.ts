import { describe, expect, it } from 'vitest';
import { audienceTruth, createWorld, type World, type WorldUser } from '../../emulator/world/index.js';
import { credibility, deepComponents, isRandomUsername, quickComponents, seededSample, wilson } from '../../src/audience/quality.js';

/**
 * The estimators of the audience_quality task against the emulator world's ground truth (a known bot share per
 * account, and the suspicious-follower rule applied to every follower of the frame). The task itself, through the
 * real library and pool, is in test/scraping/audience-quality.test.ts.
 */
const FRAME = 400;

const listEntry = (u: WorldUser) => ({
  username: u.username,
  fullName: u.fullName,
  isPrivate: u.isPrivate,
  isVerified: u.isVerified,
  anonymousPicture: u.anonymousPicture ?? false,
});
const profileOf = (u: WorldUser) => ({
  anonymousPicture: u.anonymousPicture ?? false,
  mediaCount: u.mediaCount,
  followerCount: u.followerCount,
  followingCount: u.followingCount,
  biography: u.biography,
});

function publicCreators(world: World, minFollowers: number): WorldUser[] {
  return world.creators.filter((c) => !c.isPrivate && c.followerCount >= minFollowers);
}

describe('audience quality estimators against the world', () => {
  const world = createWorld({ seed: 7, creators: 40 });

  it('the world gives accounts different bot shares, and bots are suspicious by the rule', () => {
    const creators = publicCreators(world, FRAME);
    const shares = creators.map((c) => audienceTruth(world, c, FRAME));
    const botShares = shares.map((t) => t.bots / t.frame);
    expect(Math.max(...botShares) - Math.min(...botShares)).toBeGreaterThan(0.2);
    // Every bot meets the rule; a few real fans may too (the rule is about looks, not intent).
    for (const t of shares) expect(t.suspicious).toBeGreaterThanOrEqual(t.bots);
  });

  it('quick tier: each share is the exact share of the first 400 followers', () => {
    for (const creator of publicCreators(world, FRAME).slice(0, 5)) {
      const truth = audienceTruth(world, creator, FRAME);
      const quick = quickComponents(world.followersPage(creator, 0, FRAME).map(listEntry));
      expect(quick.no_picture).toMatchObject({ n: FRAME, count: truth.anonymousPicture });
      expect(quick.private.count).toBe(truth.private);
      expect(quick.empty_full_name.count).toBe(truth.emptyFullName);
      expect(quick.verified.count).toBe(truth.verified);
    }
  });

  it('random-looking usernames: bots are flagged, real fans almost never', () => {
    const users = publicCreators(world, FRAME).flatMap((c) => world.followersPage(c, 0, FRAME));
    const bots = users.filter((u) => u.bot);
    const real = users.filter((u) => !u.bot);
    const flagged = (list: WorldUser[]) => list.filter((u) => isRandomUsername(u.username)).length / list.length;
    expect(flagged(bots)).toBeGreaterThan(0.6);
    expect(flagged(real)).toBeLessThan(0.02);
    expect(isRandomUsername('anna.kim_1994')).toBe(false);
    expect(isRandomUsername('user83746291')).toBe(true);
  });

  it('deep tier: the credibility interval holds the true credibility in ≥ 95 % of 400 seeded samples', () => {
    const creators = publicCreators(world, FRAME);
    let covered = 0;
    let runs = 0;
    for (let seed = 0; seed < 400; seed++) {
      const creator = creators[seed % creators.length]!;
      const frame = world.followersPage(creator, 0, FRAME);
      const truth = audienceTruth(world, creator, FRAME);
      const trueCredibility = 1 - truth.suspicious / truth.frame;
      const profiles = seededSample(frame.length, 80, seed).map((i) => profileOf(frame[i]!));
      const estimate = credibility(deepComponents(profiles).suspicious);
      runs++;
      if (estimate.low <= trueCredibility && trueCredibility <= estimate.high) covered++;
    }
    expect(covered / runs).toBeGreaterThanOrEqual(0.95);
  });

  it('Wilson interval: known values, and an empty sample says nothing', () => {
    // 50 of 100: 0.4038–0.5962 (Newcombe 1998, method 3).
    const half = wilson(50, 100);
    expect(half.low).toBeCloseTo(0.4038, 4);
    expect(half.high).toBeCloseTo(0.5962, 4);
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('the seeded sample is reproducible, distinct and within the frame', () => {
    const a = seededSample(400, 50, 9);
    expect(seededSample(400, 50, 9)).toEqual(a);
    expect(new Set(a).size).toBe(50);
    expect(a.every((i) => i >= 0 && i < 400)).toBe(true);
    expect(seededSample(400, 50, 10)).not.toEqual(a);
    expect(seededSample(30, 50, 1)).toHaveLength(30);
  });
});
