import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { waitFor } from '../../emulator/openai/testkit.js';
import type { World, WorldMedia, WorldUser } from '../../emulator/world/index.js';
import { storeInsights } from '../../src/ai/blog-results.js';
import { pollBatches } from '../../src/ai/poll.js';
import { submitDueBatches } from '../../src/ai/submit.js';
import { PRIORITY } from '../../src/queue/task.js';
import { upsertPosts } from '../../src/scraping/media-store.js';
import { requestScrapes } from '../../src/tasks/requests.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startHarness, waitForTasks, type ScrapeHarness } from '../scraping/harness.js';
import { aiFixture } from './helpers.js';

/**
 * The AI's verdict on sponsorship end to end (issue 19, part 3): creators scraped on the Instagram emulator through
 * the real library, analysed through the Batch API on the OpenAI emulator. The world labels undisclosed brand deals
 * (a discount code, "link in bio" with the brand, "partnered with", no label, no ad hashtag); after the analysis
 * exactly those posts gain the signal 'ai', every other post keeps the scrape's verdict, and the blog's sponsored
 * count, Paid Post Performance and ?brand= include them.
 */
let testDb: TestDatabase;
let h: ScrapeHarness;
let openai: OpenAiEmulator;
let world: World;
let creators: WorldUser[];

const median = (values: number[]) => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
/** What a scrape stores (and the prompt shows): the first 20 feed items. */
const scraped = (c: WorldUser): readonly WorldMedia[] => world.mediaOf(c.pk).slice(0, 20);
/** The brands of a post only the AI marks: tagged users and caption @mentions (it has no sponsor tag). */
const aiBrands = (m: WorldMedia) => [...new Set([...m.usertags.map((t) => t.username), ...m.mentions])];
const sponsoredInTruth = (m: WorldMedia) => m.sponsored || m.undisclosedBrand !== null;

beforeAll(async () => {
  testDb = await createTestDatabase();
  openai = await startOpenAiEmulator({ seed: 19, timings: { validatingMs: 20, inProgressMs: 200, finalizingMs: 20 } });
  h = await startHarness(testDb, { accounts: 3 });
  world = h.fx.emulator.world;
  const eligible = world.creators.filter((c) => !c.isPrivate && world.mediaOf(c.pk).length > 0);
  const withDeals = eligible.filter((c) => scraped(c).some((m) => m.undisclosedBrand !== null)).slice(0, 6);
  const without = eligible.filter((c) => !withDeals.includes(c)).slice(0, 3);
  creators = [...withDeals, ...without];
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

  const fx = aiFixture(testDb, openai, { minTasks: 1 });
  expect(await submitDueBatches(fx.ctx)).toMatchObject({ batches: 1, tasks: creators.length, failed: 0 });
  const [batch] = await testDb.db.selectFrom('ai_batches').select('openai_batch_id').execute();
  await waitFor(
    () => openai.batch(batch!.openai_batch_id!).status,
    (s) => s === 'completed',
    { timeoutMs: 20_000 },
  );
  expect(await pollBatches(fx.ctx)).toMatchObject({ finished: 1, errors: 0 });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await openai?.close();
  await testDb?.drop();
});

describe('posts the AI judges sponsored', () => {
  it('exactly the undisclosed deals the world labels gain the signal ai; no organic post is marked, no label is lost', async () => {
    const api = createTestApp(testDb);
    const all = creators.flatMap(scraped);
    expect(all.filter((m) => m.undisclosedBrand !== null).length).toBeGreaterThanOrEqual(6);
    expect(all.some((m) => m.sponsored)).toBe(true);
    for (const creator of creators) {
      const detail = (await api.call('GET', `/api/blogs/${creator.username}?posts_limit=50`)).body;
      const byId = new Map<string, any>(detail.posts.map((p: any) => [p.platform_id, p]));
      for (const media of scraped(creator)) {
        const post = byId.get(media.pk);
        expect(post, media.pk).toBeDefined();
        const ai = media.undisclosedBrand !== null;
        expect([media.pk, post.is_sponsored, post.sponsor_signals.includes('ai')]).toEqual([media.pk, sponsoredInTruth(media), ai]);
        if (ai) {
          expect(post.sponsor_signals).toEqual(['ai']);
          expect(post.brands).toContain(media.undisclosedBrand);
          expect([...post.brands].sort()).toEqual(aiBrands(media).sort());
        } else {
          expect([media.pk, [...post.brands].sort()]).toEqual([media.pk, [...media.brands].sort()]);
        }
      }
      // Paid Post Performance counts the AI's posts as sponsored, like the others.
      const counted = scraped(creator).filter((m) => !m.pinned);
      const interactions = (s: boolean) =>
        counted.filter((m) => sponsoredInTruth(m) === s && !m.countsHidden).map((m) => m.likeCount + m.commentCount);
      const paid = median(interactions(true));
      const organic = median(interactions(false));
      expect(detail.sponsorship).toMatchObject({
        sponsored_posts: counted.filter(sponsoredInTruth).length,
        organic_posts: counted.filter((m) => !sponsoredInTruth(m)).length,
        paid_post_performance: paid === null || !organic ? null : Math.round((paid / organic) * 1000) / 10,
      });
    }
    // The model's reason is kept with the insights.
    const insights = await testDb.db.selectFrom('blogs').select('ai_insights').execute();
    const listed = insights.flatMap((b) => (b.ai_insights as any).sponsored_posts as { post: string; reason: string }[]);
    expect(listed).toHaveLength(all.filter((m) => m.undisclosedBrand !== null).length);
    expect(listed.every((p) => p.reason.length > 0)).toBe(true);
  });

  it('?brand= finds a blog whose only deal with the brand is one the AI found', async () => {
    const api = createTestApp(testDb);
    // A creator whose undisclosed deal names a brand none of its labelled posts names: without the AI, ?brand= would miss it.
    const found = creators
      .flatMap((c) => scraped(c).map((m) => ({ c, m })))
      .find(({ c, m }) => m.undisclosedBrand !== null && !scraped(c).some((o) => o.brands.includes(m.undisclosedBrand!)));
    expect(found).toBeDefined();
    const brand = found!.m.undisclosedBrand!;
    const expected = creators
      .filter((c) => scraped(c).some((m) => m.brands.includes(brand) || (m.undisclosedBrand !== null && aiBrands(m).includes(brand))))
      .map((c) => c.username)
      .sort();
    expect(expected).toContain(found!.c.username);
    const res = await api.call('GET', `/api/blogs?brand=${brand}&limit=200`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((b: any) => b.username).sort()).toEqual(expected);
  });

  it('a re-scrape and a later answer that omits the post keep the AI mark', async () => {
    const creator = creators[0]!;
    const blog = await testDb.db
      .selectFrom('blogs')
      .select(['id', 'platform_id'])
      .where('username', '=', creator.username)
      .executeTakeFirstOrThrow();
    const deal = scraped(creator).find((m) => m.undisclosedBrand !== null)!;
    const before = await testDb.db.selectFrom('blog_posts').select(['raw']).where('platform_id', '=', deal.pk).executeTakeFirstOrThrow();
    await upsertPosts(testDb.db, { id: blog.id, platformId: blog.platform_id! }, [before.raw as Record<string, unknown>], new Set(['ad']));
    const after = await testDb.db
      .selectFrom('blog_posts')
      .select(['is_sponsored', 'sponsor_signals', 'brands'])
      .where('platform_id', '=', deal.pk)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ is_sponsored: true, sponsor_signals: ['ai'] });
    expect(after.brands).toContain(deal.undisclosedBrand);

    // A later answer that no longer lists the post does not unmark it.
    const stored = await testDb.db.selectFrom('blogs').select('ai_insights').where('id', '=', blog.id).executeTakeFirstOrThrow();
    await storeInsights(testDb.db, blog.id, { ...(stored.ai_insights as any), sponsored_posts: [] }, new Date());
    const later = await testDb.db
      .selectFrom('blog_posts')
      .select(['is_sponsored', 'sponsor_signals'])
      .where('platform_id', '=', deal.pk)
      .executeTakeFirstOrThrow();
    expect(later).toEqual({ is_sponsored: true, sponsor_signals: ['ai'] });
  });
});
