import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type World, type WorldMedia, type WorldUser } from '../../emulator/world/index.js';
import { PRIORITY } from '../../src/queue/task.js';
import { adHashtagSet, DEFAULT_AD_HASHTAGS, sponsorshipOf } from '../../src/scraping/sponsorship.js';
import { requestScrapes } from '../../src/tasks/requests.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startHarness, waitForTasks, type ScrapeHarness } from './harness.js';

/**
 * Sponsored posts and brands: creators scraped through the real library, pool and runner; every stored post's
 * sponsored flag and brands must equal the emulator's labels, Paid Post Performance the one computed from the
 * world's counts, and ?brand= must return exactly the blogs whose scraped sponsored posts name the brand.
 */
let testDb: TestDatabase;
let h: ScrapeHarness;
let world: World;
let creators: WorldUser[];

const median = (values: number[]) => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
/** What a scrape stores: the first 20 feed items (SCRAPE_MEDIA_COUNT's default). */
const scraped = (c: WorldUser): readonly WorldMedia[] => world.mediaOf(c.pk).slice(0, 20);

beforeAll(async () => {
  testDb = await createTestDatabase();
  h = await startHarness(testDb, { accounts: 3 });
  world = h.fx.emulator.world;
  creators = world.creators.filter((c) => !c.isPrivate && world.mediaOf(c.pk).length > 0).slice(0, 12);
  const enqueued = await requestScrapes(testDb.db, {
    usernames: creators.map((c) => c.username),
    priority: PRIORITY.manualScrape,
    source: 'manual',
    maxAttempts: 3,
  });
  const tasks = await waitForTasks(
    testDb,
    enqueued.map((e) => e.task.id),
    60_000,
  );
  expect(tasks.map((t) => t.status)).toEqual(tasks.map(() => 'done'));
}, 90_000);
afterAll(async () => {
  await h?.stop();
  await testDb?.drop();
});

describe('sponsored posts and brands against the emulator', () => {
  it('every stored post: sponsored and brands exactly as the world labels them; Paid Post Performance from the world', async () => {
    const api = createTestApp(testDb);
    const all = creators.flatMap(scraped);
    // The sample holds every kind of label, so a detector missing one would fail here.
    expect(all.some((m) => m.sponsorTags.length > 0)).toBe(true);
    expect(all.some((m) => m.sponsored && !m.paidPartnership)).toBe(true); // ad hashtag only
    expect(all.some((m) => !m.sponsored)).toBe(true);
    for (const creator of creators) {
      const detail = (await api.call('GET', `/api/blogs/${creator.username}?posts_limit=50`)).body;
      const byId = new Map<string, any>(detail.posts.map((p: any) => [p.platform_id, p]));
      for (const media of scraped(creator)) {
        const post = byId.get(media.pk);
        expect(post, media.pk).toBeDefined();
        expect([media.pk, post.is_sponsored]).toEqual([media.pk, media.sponsored]);
        expect([media.pk, [...post.brands].sort()]).toEqual([media.pk, [...media.brands].sort()]);
      }
      const counted = scraped(creator).filter((m) => !m.pinned);
      // Posts with hidden like counts have no interaction figure (the emulator shows a stand-in of 3).
      const interactions = (s: boolean) =>
        counted.filter((m) => m.sponsored === s && !m.countsHidden).map((m) => m.likeCount + m.commentCount);
      const paid = median(interactions(true));
      const organic = median(interactions(false));
      expect(detail.sponsorship).toMatchObject({
        sponsored_posts: counted.filter((m) => m.sponsored).length,
        organic_posts: counted.filter((m) => !m.sponsored).length,
        paid_post_performance: paid === null || !organic ? null : Math.round((paid / organic) * 1000) / 10,
      });
    }
  });

  it('?brand= returns exactly the blogs that worked with the brand', async () => {
    const api = createTestApp(testDb);
    const brandCounts = new Map<string, number>();
    for (const m of creators.flatMap(scraped)) for (const b of m.brands) brandCounts.set(b, (brandCounts.get(b) ?? 0) + 1);
    const brand = [...brandCounts].sort((a, b) => b[1] - a[1])[0]![0];
    const expected = creators
      .filter((c) => scraped(c).some((m) => m.brands.includes(brand)))
      .map((c) => c.username)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(creators.length);
    const res = await api.call('GET', `/api/blogs?brand=@${brand.toUpperCase()}&limit=200`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((b: any) => b.username).sort()).toEqual(expected);
    expect((await api.call('GET', '/api/blogs?brand=no%20spaces')).status).toBe(400);
  });
});

describe('sponsorshipOf', () => {
  const ads = adHashtagSet(DEFAULT_AD_HASHTAGS);
  it('Instagram labels, ad hashtags in any case of the list, and organic posts', () => {
    expect(
      sponsorshipOf(
        { is_paid_partnership: true, sponsor_tags: [{ sponsor: { username: 'Kaspi.KZ' } }] },
        { hashtags: [], mentions: ['friend'] },
        ads,
      ),
    ).toEqual({
      is_sponsored: true,
      sponsor_signals: ['paid_partnership', 'sponsor_tag'],
      brands: ['kaspi.kz', 'friend'],
    });
    const tagged = { usertags: { in: [{ user: { username: 'technodom' } }] } };
    expect(sponsorshipOf(tagged, { hashtags: ['реклама'], mentions: [] }, ads)).toMatchObject({
      is_sponsored: true,
      sponsor_signals: ['ad_hashtag'],
      brands: ['technodom'],
    });
    expect(sponsorshipOf(tagged, { hashtags: ['food'], mentions: ['kaspi'] }, ads)).toEqual({
      is_sponsored: false,
      sponsor_signals: [],
      brands: [],
    });
    // A configured list replaces the default one (AD_HASHTAGS=#promo).
    expect(sponsorshipOf({}, { hashtags: ['promo'], mentions: [] }, adHashtagSet(['#Promo'])).is_sponsored).toBe(true);
    expect(sponsorshipOf({}, { hashtags: ['ad'], mentions: [] }, adHashtagSet(['promo'])).is_sponsored).toBe(false);
  });
});
