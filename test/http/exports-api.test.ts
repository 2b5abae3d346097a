import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { finishList, startList, storeEdges } from '../../src/audience/store.js';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * The streamed exports over rows written directly. The batch size is 2, so every export below crosses several
 * keyset batches: a row lost or repeated at a batch boundary shows up as a wrong list.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

const BOM = '\uFEFF';
const BOM_BYTES = Buffer.from([0xef, 0xbb, 0xbf]);

async function insertBlog(username: string, values: Record<string, unknown> = {}): Promise<number> {
  const row = await testDb.db
    .insertInto('blogs')
    .values({ username, scrape_status: 'active', ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The body as bytes: Response.text() would drop the BOM this test looks for. */
async function download(path: string) {
  const res = await api.app.request(path, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

const csvRows = (text: string) => parse(text, { columns: true, bom: true }) as Record<string, string>[];
const ndjsonRows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb, { exportBatchSize: 2 });
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs, categories, audience_edges, audience_lists RESTART IDENTITY CASCADE`.execute(testDb.db);
});

describe('GET /api/blogs/export', () => {
  beforeEach(async () => {
    const food = await insertBlog('almaty.food', {
      follower_count: 52_000,
      er: 3.1,
      full_name: 'Almaty Food',
      source: 'discover:almatyfood',
      scraped_at: new Date('2026-01-03T00:00:00Z'),
      ai_insights: JSON.stringify({ content: { primary_topic: 'food', content_language: ['ru', 'kk'] }, notes: 'cooks at home' }),
    });
    await insertBlog('kz_travel', { follower_count: 8_000, er: 5.75, biography: 'Travel, "food" & more\nsecond line' });
    await insertBlog('mom.life', { follower_count: 150_000, er: 1.2, source: 'discover:moms' });
    await insertBlog('attacker', {
      follower_count: 9_000,
      full_name: '=HYPERLINK("http://evil","x")',
      biography: '@SUM(1+1)',
      er_trend: 'declining',
    });
    await insertBlog('hidden', { follower_count: 3_000, scrape_status: 'private' });
    const category = await testDb.db.insertInto('categories').values({ name: 'Food' }).returning('id').executeTakeFirstOrThrow();
    await testDb.db.insertInto('blog_categories').values({ blog_id: food, category_id: category.id, is_primary: true }).execute();
  });

  it('streams every blog as CSV with a BOM, a header and the planner columns, parseable by a CSV reader', async () => {
    const res = await download('/api/blogs/export?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="blogs.csv"');
    expect(res.bytes.subarray(0, 3).equals(BOM_BYTES)).toBe(true); // UTF-8 BOM: Excel reads the file as UTF-8
    const rows = csvRows(res.text);
    expect(rows.map((r) => r.username)).toEqual(['almaty.food', 'kz_travel', 'mom.life', 'attacker', 'hidden']);
    expect(rows[0]).toMatchObject({
      profile_url: 'https://www.instagram.com/almaty.food/',
      full_name: 'Almaty Food',
      follower_count: '52000',
      er: '3.1',
      categories: 'Food',
      ai_primary_topic: 'food',
      ai_languages: 'ru; kk',
      ai_notes: 'cooks at home',
      source: 'discover:almatyfood',
      scraped_at: '2026-01-03T00:00:00.000Z',
    });
    expect(rows[1]!.biography).toBe('Travel, "food" & more\nsecond line'); // quotes, comma and newline survive
    expect(rows[2]).toMatchObject({ scraped_at: '', ai_primary_topic: '' }); // nulls are empty cells
  });

  it('prefixes text cells that a spreadsheet would run as a formula, and leaves numbers alone', async () => {
    const res = await api.call('GET', '/api/blogs/export?format=csv&q=attacker');
    const [row] = csvRows(res.text);
    expect(row!.full_name).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(row!.biography).toBe(`'@SUM(1+1)`);
    expect(row!.follower_count).toBe('9000');
  });

  it('streams NDJSON: one object per line with typed values', async () => {
    const res = await api.call('GET', '/api/blogs/export?format=ndjson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const rows = ndjsonRows(res.text);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ username: 'almaty.food', follower_count: 52_000, er: 3.1, is_private: null, categories: 'Food' });
    expect(rows[3]).toMatchObject({ full_name: '=HYPERLINK("http://evil","x")' }); // JSON is not a spreadsheet: as stored
  });

  it.each([
    ['min_followers=8000&max_followers=52000', ['almaty.food', 'kz_travel', 'attacker']],
    ['source=discover:*', ['almaty.food', 'mom.life']],
    ['category=food', ['almaty.food']],
    ['scrape_status=private', ['hidden']],
    ['q=travel', ['kz_travel']],
    ['min_er=100', []],
  ])('the filters of GET /api/blogs: %s', async (query, expected) => {
    const res = await api.call('GET', `/api/blogs/export?format=ndjson&${query}`);
    expect(res.status).toBe(200);
    expect(ndjsonRows(res.text).map((r) => r.username)).toEqual(expected);
  });

  it('an empty CSV export still has its header', async () => {
    const res = await download('/api/blogs/export?min_er=100');
    expect(res.text.startsWith(`${BOM}username,profile_url,`)).toBe(true);
    expect(csvRows(res.text)).toEqual([]);
  });

  it.each([
    ['format=xlsx', /format must be csv or ndjson/],
    ['min_followers=abc', /min_followers must be a number/],
    ['min_followers=10&max_followers=5', /max_followers: must not be below min_followers/],
    ['limit=10', /unknown field.*"limit"/],
    ['sort=er', /unknown field.*"sort"/],
  ])('400 for %s', async (query, message) => {
    const res = await api.call('GET', `/api/blogs/export?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('needs the API key', async () => {
    const res = await api.app.request('/api/blogs/export');
    expect(res.status).toBe(401);
  });

  it('is documented in the OpenAPI document with both media types', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const op = doc.paths['/api/blogs/export'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/csv', 'application/x-ndjson']);
    expect(op.parameters.map((p: any) => p.name)).toContain('format');
    for (const path of [
      '/api/blogs/{username}/followers/export',
      '/api/blogs/{username}/following/export',
      '/api/blogs/{username}/mutuals/export',
    ]) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
  });
});

describe('audience exports', () => {
  const user = (pk: number) => ({
    platformId: String(pk),
    username: `user${pk}`,
    fullName: pk === 3 ? '-1 trick' : null,
    isPrivate: false,
    isVerified: pk === 1,
    avatarUrl: null,
  });
  async function storeList(blog: number, kind: 'followers' | 'following', taskId: number, pks: number[], finish = true) {
    const list = { blogId: blog, kind, taskId };
    await startList(testDb.db, list, pks.length);
    await storeEdges(testDb.db, list, pks.map(user));
    if (finish) await finishList(testDb.db, list, { fetched: pks.length, complete: true });
  }

  it('streams a whole followers list, and the following list, across batches', async () => {
    const blog = await insertBlog('caspin');
    await storeList(blog, 'followers', 1, [5, 1, 3, 2, 4]);
    await storeList(blog, 'following', 2, [2, 9]);
    const followers = await api.call('GET', '/api/blogs/caspin/followers/export?format=csv');
    expect(followers.status).toBe(200);
    expect(followers.headers.get('content-disposition')).toBe('attachment; filename="caspin-followers.csv"');
    const rows = csvRows(followers.text);
    expect(rows.map((r) => r.platform_id)).toEqual(['1', '2', '3', '4', '5']);
    expect(rows[0]).toMatchObject({ username: 'user1', is_verified: 'true' });
    expect(rows[2]!.full_name).toBe("'-1 trick");
    const following = await api.call('GET', '/api/blogs/caspin/following/export?format=ndjson');
    expect(ndjsonRows(following.text).map((r) => r.username)).toEqual(['user2', 'user9']);
  });

  it('streams mutuals and the other relations once both lists are fetched', async () => {
    const blog = await insertBlog('caspin');
    await storeList(blog, 'followers', 1, [1, 2, 3, 4, 5]);
    await storeList(blog, 'following', 2, [2, 4, 5, 9]);
    const mutual = await api.call('GET', '/api/blogs/caspin/mutuals/export?format=ndjson');
    expect(ndjsonRows(mutual.text).map((r) => r.platform_id)).toEqual(['2', '4', '5']);
    const fans = await api.call('GET', '/api/blogs/caspin/mutuals/export?format=ndjson&relation=followers_only');
    expect(ndjsonRows(fans.text).map((r) => r.platform_id)).toEqual(['1', '3']);
  });

  it('404 for an unknown blog, 409 while a list is missing or still being fetched, 400 for a bad format', async () => {
    expect((await api.call('GET', '/api/blogs/nobody/followers/export')).status).toBe(404);
    const blog = await insertBlog('caspin');
    const missing = await api.call('GET', '/api/blogs/caspin/followers/export');
    expect(missing.status).toBe(409);
    expect(missing.body.error.message).toMatch(
      /followers list of caspin has not been fetched; fetch its followers list first: POST \/api\/tasks\/followers/,
    );
    await storeList(blog, 'followers', 7, [1, 2], false);
    const fetching = await api.call('GET', '/api/blogs/caspin/followers/export');
    expect(fetching.status).toBe(409);
    expect(fetching.body.error.message).toMatch(/being fetched by task 7/);
    expect((await api.call('GET', '/api/blogs/caspin/mutuals/export')).status).toBe(409);
    const bad = await api.call('GET', '/api/blogs/caspin/following/export?format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/format must be csv or ndjson/);
  });
});
