import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** The results API over rows written directly (the scrapers that write them are tested against the emulator). */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

interface BlogSeed {
  username: string;
  follower_count?: number | null;
  er?: number | null;
  scraped_at?: Date | null;
  scrape_status?: 'pending' | 'active' | 'private' | 'analyzing';
  source?: string;
  full_name?: string;
  biography?: string;
}

async function insertBlog(seed: BlogSeed): Promise<number> {
  const row = await testDb.db
    .insertInto('blogs')
    .values({
      username: seed.username,
      follower_count: seed.follower_count ?? null,
      er: seed.er ?? null,
      scraped_at: seed.scraped_at ?? null,
      scrape_status: seed.scrape_status ?? 'active',
      source: seed.source ?? 'manual',
      full_name: seed.full_name ?? null,
      biography: seed.biography ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function categorise(blogId: number, name: string, isPrimary = false) {
  const category = await testDb.db
    .insertInto('categories')
    .values({ name })
    .onConflict((oc) => oc.column('name').doUpdateSet({ name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await testDb.db.insertInto('blog_categories').values({ blog_id: blogId, category_id: category.id, is_primary: isPrimary }).execute();
}

const day = (n: number) => new Date(Date.UTC(2026, 0, n));
const names = (body: any) => body.items.map((b: any) => b.username);

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs, categories, audience_edges, audience_lists RESTART IDENTITY CASCADE`.execute(testDb.db);
});

describe('GET /api/blogs', () => {
  beforeEach(async () => {
    const food = await insertBlog({
      username: 'almaty.food',
      follower_count: 52_000,
      er: 3.1,
      scraped_at: day(3),
      full_name: 'Almaty Food',
      source: 'discover:almatyfood',
    });
    const travel = await insertBlog({
      username: 'kz_travel',
      follower_count: 8_000,
      er: 5.75,
      scraped_at: day(1),
      biography: 'Travel & FOOD in Kazakhstan',
    });
    const mom = await insertBlog({
      username: 'mom.life',
      follower_count: 150_000,
      er: 1.2,
      scraped_at: day(2),
      source: 'discover:moms',
      scrape_status: 'analyzing',
    });
    await insertBlog({ username: 'fresh', scrape_status: 'pending' }); // never scraped: no counts
    await insertBlog({ username: 'hidden', follower_count: 3_000, scrape_status: 'private' });
    await categorise(food, 'Food', true);
    await categorise(food, 'Travel');
    await categorise(travel, 'Travel', true);
    await categorise(mom, 'Family', true);
  });

  it('sorts by followers (most first) by default, never-scraped blogs last, with categories primary first', async () => {
    const res = await api.call('GET', '/api/blogs');
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['mom.life', 'almaty.food', 'kz_travel', 'hidden', 'fresh']);
    expect(res.body).toMatchObject({ limit: 50, offset: 0, has_more: false });
    const food = res.body.items[1];
    expect(food).toMatchObject({
      er: 3.1,
      follower_count: 52_000,
      categories: ['Food', 'Travel'],
      source: 'discover:almatyfood',
      scraped_at: day(3).toISOString(),
    });
  });

  it.each([
    ['sort=er', ['kz_travel', 'almaty.food', 'mom.life', 'hidden', 'fresh']], // ties: newest first, as the order says
    ['sort=er&order=asc', ['mom.life', 'almaty.food', 'kz_travel', 'fresh', 'hidden']],
    ['sort=scraped_at', ['almaty.food', 'mom.life', 'kz_travel', 'hidden', 'fresh']],
    ['sort=followers&order=asc', ['hidden', 'kz_travel', 'almaty.food', 'mom.life', 'fresh']],
  ])('%s', async (query, expected) => {
    const res = await api.call('GET', `/api/blogs?${query}`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(expected);
  });

  it.each([
    ['category=travel', ['almaty.food', 'kz_travel']],
    ['category=Family', ['mom.life']],
    ['category=nothing', []],
    ['min_followers=8000&max_followers=52000', ['almaty.food', 'kz_travel']],
    ['min_followers=100000', ['mom.life']],
    ['min_followers=100000&max_followers=9007199254740991', ['mom.life']], // past the integer column's range
    ['min_followers=9007199254740991', []],
    ['min_er=3.1', ['almaty.food', 'kz_travel']],
    ['scrape_status=private', ['hidden']],
    ['source=manual', ['kz_travel', 'hidden', 'fresh']],
    ['source=discover:*', ['mom.life', 'almaty.food']],
    ['source=discover:moms', ['mom.life']],
    ['q=food', ['almaty.food', 'kz_travel']], // username, full name and (case-insensitive) biography
    ['q=Almaty%20F', ['almaty.food']],
    ['q=_', ['kz_travel']], // a literal underscore, not a LIKE wildcard
    ['q=%25', []],
    ['category=travel&min_er=4', ['kz_travel']],
  ])('filters: %s', async (query, expected) => {
    const res = await api.call('GET', `/api/blogs?${query}`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(expected);
  });

  it('pages with limit/offset and says whether more follow', async () => {
    const first = await api.call('GET', '/api/blogs?limit=2');
    expect(names(first.body)).toEqual(['mom.life', 'almaty.food']);
    expect(first.body.has_more).toBe(true);
    const last = await api.call('GET', '/api/blogs?limit=2&offset=4');
    expect(names(last.body)).toEqual(['fresh']);
    expect(last.body.has_more).toBe(false);
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=201', /limit/],
    ['offset=-1', /offset/],
    ['min_followers=abc', /min_followers must be a number/],
    ['min_followers=10&max_followers=5', /max_followers: must not be below min_followers/],
    ['min_er=-1', /min_er must not be negative/],
    ['sort=likes', /sort/],
    ['order=sideways', /order/],
    ['scrape_status=gone', /scrape_status/],
    ['source=a%20b', /source: is a source such as/],
    ['colour=red', /unknown field.*"colour"/],
  ])('400 for %s', async (query, message) => {
    const res = await api.call('GET', `/api/blogs?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(message);
  });

  it('is in the OpenAPI document with the other results routes', async () => {
    const doc = await api.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/blogs', '/api/blogs/{username}', '/api/blogs/{username}/mutuals', '/api/tasks/followers']) {
      expect(Object.keys(doc.body.paths), path).toContain(path);
    }
    expect(doc.body.components.schemas).toHaveProperty('BlogDetail');
  });

  it('401 without the key', async () => {
    const res = await api.call('GET', '/api/blogs', undefined, { authorization: '' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});

describe('GET /api/blogs/{username}', () => {
  it('shows the profile, metrics, posts (pinned first), highlights, AI insights, categories and snapshot history', async () => {
    const id = await insertBlog({
      username: 'almaty.food',
      follower_count: 52_000,
      er: 3.1,
      scraped_at: day(3),
      biography: 'Where to eat',
    });
    await testDb.db
      .updateTable('blogs')
      .set({
        ai_insights: JSON.stringify({ content: { primary_topic: 'food' } }),
        ai_confidence: 0.82,
        ai_analyzed_at: day(4),
        er_trend: 'growing',
      })
      .where('id', '=', id)
      .execute();
    await categorise(id, 'Food', true);
    await testDb.db
      .insertInto('blog_posts')
      .values([
        {
          blog_id: id,
          platform_id: '900000000000000001',
          like_count: 10,
          taken_at: day(1),
          hashtags: ['food'],
          location_name: 'Almaty',
          location_lat: 43.2,
          location_lng: 76.9,
        },
        { blog_id: id, platform_id: '900000000000000002', like_count: 20, taken_at: day(2) },
        { blog_id: id, platform_id: '900000000000000003', like_count: 30, taken_at: day(0), is_pinned: true },
      ])
      .execute();
    await testDb.db
      .insertInto('blog_highlights')
      .values({ blog_id: id, platform_id: '17', title: 'Menu', story_mentions: ['chef'] })
      .execute();
    await testDb.db
      .insertInto('blog_snapshots')
      .values([
        { blog_id: id, task_id: 1, follower_count: 50_000, er: 2.9, taken_at: day(1), posts_fetched: 20 },
        { blog_id: id, task_id: 2, follower_count: 52_000, er: 3.1, taken_at: day(3), posts_fetched: 20 },
      ])
      .execute();

    const res = await api.call('GET', '/api/blogs/@Almaty.Food');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'almaty.food',
      biography: 'Where to eat',
      follower_count: 52_000,
      er: 3.1,
      er_trend: 'growing',
      categories: ['Food'],
      category_details: [{ name: 'Food', is_primary: true }],
      ai: { insights: { content: { primary_topic: 'food' } }, confidence: 0.82, analyzed_at: day(4).toISOString() },
      highlights: [{ platform_id: '17', title: 'Menu', story_mentions: ['chef'] }],
      audience: [],
    });
    expect(res.body.posts.map((p: any) => p.platform_id)).toEqual(['900000000000000003', '900000000000000002', '900000000000000001']);
    expect(res.body.posts[2]).toMatchObject({ hashtags: ['food'], location: { name: 'Almaty', lat: 43.2, lng: 76.9 } });
    expect(res.body.posts[0].location).toBeNull();
    expect(res.body.history.map((s: any) => [s.taken_at, s.follower_count, s.er])).toEqual([
      [day(3).toISOString(), 52_000, 3.1],
      [day(1).toISOString(), 50_000, 2.9],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('"raw"');

    const limited = await api.call('GET', '/api/blogs/almaty.food?posts_limit=1&history_limit=1');
    expect(limited.body.posts).toHaveLength(1);
    expect(limited.body.history).toHaveLength(1);
  });

  it('404 for an unknown blog, 400 for an invalid username', async () => {
    const missing = await api.call('GET', '/api/blogs/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/no blog "nobody".*POST \/api\/tasks\/scrape/);
    const bad = await api.call('GET', '/api/blogs/bad..name');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not a valid Instagram username/);
  });
});
