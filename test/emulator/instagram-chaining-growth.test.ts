/**
 * Issue 19's ground truth through the real instagram-private-api client: discover/chaining answers the world's
 * similar-accounts graph in the library's response shape, and profiles answer the counts of the simulated day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IgNotFoundError, type IgApiClient } from 'instagram-private-api';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { GROWTH_DAYS } from '../../emulator/world/index.js';
import { loggedInClient, okAccounts, rejectionOf } from './ig-helpers.js';

let emulator: InstagramEmulator;
let ig: IgApiClient;

beforeAll(async () => {
  emulator = await startInstagramEmulator({ seed: 7, proxies: 1 });
  ig = await loggedInClient(emulator, okAccounts(emulator)[0]!);
});
afterAll(async () => emulator.close());

describe('discover/chaining', () => {
  it("answers a creator's similar accounts, in the library's response shape", async () => {
    const creator = emulator.world.qualifyingCreators()[0]!;
    const answer = await ig.discover.chaining(String(creator.pk));
    const expected = emulator.world.similarOf(creator);
    expect(expected.length).toBeGreaterThan(2);
    expect(answer.users.map((u) => u.username)).toEqual(expected.map((u) => u.username));
    expect(answer).toMatchObject({ status: 'ok', is_backup: false, available_recommend_count: expected.length });
    for (const user of answer.users) {
      expect(user.chaining_info.sources).toMatch(/^\[\d+(, \d+)*\]$/);
      expect(typeof user.is_private).toBe('boolean');
      expect(user.profile_pic_url).toMatch(/^https:/);
    }
    // Mostly its niche: all but the last two.
    expect(expected.slice(0, -2).every((u) => u.niche === creator.niche)).toBe(true);
    expect(expected.some((u) => u.pk === creator.pk)).toBe(false);
  });

  it('a brand has no suggestions; an unknown id is a 404', async () => {
    expect((await ig.discover.chaining(String(emulator.world.brands[0]!.pk))).users).toEqual([]);
    expect(await rejectionOf(ig.discover.chaining('999'))).toBeInstanceOf(IgNotFoundError);
  });
});

describe('simulated days', () => {
  it("profiles show the counts of the emulator's day; null is today again", async () => {
    const creator = emulator.world.qualifyingCreators()[1]!;
    const growth = emulator.world.growthOf(creator)!;
    emulator.setDay(0);
    const first = await ig.user.info(creator.pk);
    expect([first.follower_count, first.following_count, first.media_count]).toEqual([
      growth.days[0]!.followers,
      growth.days[0]!.following,
      growth.days[0]!.media,
    ]);
    emulator.setDay(GROWTH_DAYS - 1);
    const last = await ig.user.usernameinfo(creator.username);
    expect(last.follower_count).toBe(creator.followerCount);
    emulator.setDay(null);
    expect((await ig.user.info(creator.pk)).follower_count).toBe(creator.followerCount);
  });
});
