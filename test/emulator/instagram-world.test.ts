import { describe, expect, it } from 'vitest';
import { createWorld, profileStats, type World } from '../../emulator/world/index.js';
import { toJson } from '../../emulator/instagram/json.js';

const world: World = createWorld({ seed: 42 });

describe('world generation', () => {
  it('is a pure function of the seed', () => {
    const again = createWorld({ seed: 42 });
    const other = createWorld({ seed: 43 });
    const digest = (w: World): string => JSON.stringify([w.creators, w.hashtags, w.accounts, w.creators.map((c) => w.mediaOf(c.pk))]);
    expect(digest(again)).toBe(digest(world));
    expect(digest(other)).not.toBe(digest(world));
  });

  it('has one creator with exactly 1,663 followers and distinct follower pages', () => {
    const account = world.followersAccount;
    expect(account.followerCount).toBe(1663);
    expect(account.isPrivate).toBe(false);
    const all = world.followersPage(account, 0, 5000);
    expect(all).toHaveLength(1663);
    expect(new Set(all.map((u) => u.pk)).size).toBe(1663);
    expect(all.some((u) => u.pk === account.pk)).toBe(false);
    // Paging the list gives the same users as one big page.
    const paged = [0, 200, 400, 1600].flatMap((offset) => world.followersPage(account, offset, 200));
    expect(paged.slice(0, 600).map((u) => u.pk)).toEqual(all.slice(0, 600).map((u) => u.pk));
    expect(world.followersPage(account, 1600, 200)).toHaveLength(63);
  });

  it('resolves lazily generated followers by pk and by username', () => {
    const fan = world.followersPage(world.followersAccount, 1000, 1)[0];
    expect(fan?.kind).toBe('fan');
    expect(world.user(fan!.pk)?.username).toBe(fan!.username);
    expect(world.user(fan!.username)?.pk).toBe(fan!.pk);
  });

  it('has private, small and deleted creators, and deleted users do not resolve', () => {
    expect(world.creators.filter((c) => c.isPrivate).length).toBeGreaterThan(0);
    expect(world.creators.some((c) => c.followerCount < 1000)).toBe(true);
    expect(world.creators.some((c) => c.mediaCount < 5)).toBe(true);
    expect(world.deleted.length).toBe(5);
    for (const gone of world.deleted) {
      expect(world.user(gone.username)).toBeUndefined();
      expect(world.user(gone.pk)).toBeUndefined();
    }
  });

  it('spans audiences from hundreds to millions with bios in Russian, Kazakh and English', () => {
    const followers = world.creators.map((c) => c.followerCount);
    expect(Math.min(...followers)).toBeLessThan(1000);
    expect(Math.max(...followers)).toBeGreaterThan(500_000);
    const langs = new Set(world.creators.map((c) => c.bioLang));
    expect([...langs].sort()).toEqual(['en', 'kk', 'ru']);
    expect(world.creators.some((c) => /[әғқңөұүһі]/i.test(c.biography))).toBe(true);
  });

  it('gives creators 20+ media of every kind, ordered pinned-first then newest-first, with big pks', () => {
    const regular = world.creators.filter((c) => c.mediaCount >= 5);
    for (const creator of regular) {
      const media = world.mediaOf(creator.pk);
      expect(media.length).toBe(creator.mediaCount);
      expect(media.length).toBeGreaterThanOrEqual(20);
      const pinned = media.filter((m) => m.pinned);
      expect(pinned.length).toBeLessThanOrEqual(3);
      expect(media.slice(0, pinned.length).every((m) => m.pinned)).toBe(true);
      const rest = media.slice(pinned.length).map((m) => m.takenAt);
      expect(rest).toEqual([...rest].sort((a, b) => b - a));
      for (const m of media) {
        expect(BigInt(m.pk) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
        expect(m.id).toBe(`${m.pk}_${creator.pk}`);
      }
    }
    const kinds = new Set(regular.flatMap((c) => world.mediaOf(c.pk).map((m) => m.kind)));
    expect([...kinds].sort()).toEqual(['carousel', 'photo', 'reel', 'video']);
    expect(regular.some((c) => world.mediaOf(c.pk).some((m) => m.pinned))).toBe(true);
    const reels = regular.flatMap((c) => world.mediaOf(c.pk).filter((m) => m.kind === 'reel'));
    expect(reels.every((m) => (m.playCount ?? 0) > m.likeCount)).toBe(true);
    const span = regular
      .map((c) => world.mediaOf(c.pk))
      .map((list) => Math.max(...list.map((m) => m.takenAt)) - Math.min(...list.map((m) => m.takenAt)));
    expect(Math.max(...span)).toBeGreaterThan(60 * 86_400);
  });

  it('puts brands, @mentions and #hashtags in captions', () => {
    const captions = world.creators.flatMap((c) => world.mediaOf(c.pk).map((m) => m.captionText ?? ''));
    expect(captions.some((t) => /@kaspi\.kz|@magnum_kz|@nike|@zara/.test(t))).toBe(true);
    expect(captions.filter((t) => /#\w+/.test(t)).length).toBeGreaterThan(captions.length / 2);
  });

  it('has highlights whose stories carry mentions, locations and links', () => {
    const items = world.creators.flatMap((c) => world.highlightsOf(c.pk).flatMap((h) => h.items));
    expect(items.some((i) => i.mentions.length > 0)).toBe(true);
    expect(items.some((i) => i.location !== null)).toBe(true);
    expect(items.some((i) => i.linkUrl !== null)).toBe(true);
  });

  it('gives hashtags about 50 top posts from a mix of qualifying and small or private authors', () => {
    const qualifying = new Set(world.qualifyingCreators().map((c) => c.pk));
    for (const name of world.examples().hashtags) {
      const tag = world.hashtag(name)!;
      expect(tag.topMediaPks).toHaveLength(50);
      const authors = new Set(tag.topMediaPks.map((pk) => world.mediaByPk(pk)!.ownerPk));
      const good = [...authors].filter((pk) => qualifying.has(pk));
      expect(good.length).toBeGreaterThan(3);
      expect(authors.size - good.length).toBeGreaterThan(3);
    }
  });

  it('computes ER from the same numbers the API serves: small accounts engage more than big ones', () => {
    const stats = world.qualifyingCreators().map((c) => ({ c, s: profileStats(world, c.username)! }));
    for (const { c, s } of stats) {
      expect(s.er).not.toBeNull();
      const manual = s.nonPinned.map((m) => ((m.likeCount + m.commentCount) / c.followerCount) * 100).sort((a, b) => a - b);
      expect(s.er!).toBeGreaterThanOrEqual(Math.round(manual[0]! * 100) / 100);
      expect(s.er!).toBeLessThanOrEqual(Math.round(manual[manual.length - 1]! * 100) / 100);
    }
    const small = stats.filter(({ c }) => c.followerCount < 10_000).map(({ s }) => s.er!);
    const big = stats.filter(({ c }) => c.followerCount > 300_000).map(({ s }) => s.er!);
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(avg(small)).toBeGreaterThan(avg(big));
  });

  it('has scraping accounts, three of which fail logins on purpose', () => {
    expect(world.accounts).toHaveLength(8);
    expect(world.accounts.map((a) => a.loginBehaviour).slice(-3)).toEqual(['bad_password', 'two_factor', 'challenge']);
    expect(new Set(world.accounts.map((a) => a.password)).size).toBe(8);
  });
});

describe('toJson', () => {
  it('writes bigints as bare numbers and skips undefined keys', () => {
    expect(toJson({ pk: 3798290965147920567n, a: undefined, b: [1, 'x', null], c: { d: true } })).toBe(
      '{"pk":3798290965147920567,"b":[1,"x",null],"c":{"d":true}}',
    );
  });
});
