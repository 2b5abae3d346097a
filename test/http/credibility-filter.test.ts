import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Credibility (issue 19) where a planner looks for it: the `min_credibility` filter gives the same blogs in the list
 * and in both exports (one filter mapping), and the exports carry the credibility with its interval and sample, and
 * `er_posts_hidden`. Rows are written directly; the estimate itself is tested in test/scraping/audience-quality.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

async function blogWithQuality(
  username: string,
  quality: { credibility: number; low: number; high: number; n: number } | 'quick' | null,
  extra: Record<string, unknown> = {},
) {
  const blog = await testDb.db
    .insertInto('blogs')
    .values({ username, scrape_status: 'active', ...extra })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (quality === null) return;
  const deep = quality !== 'quick';
  await testDb.db
    .insertInto('audience_quality')
    .values({
      blog_id: blog.id,
      task_id: 1,
      tier: deep ? 'deep' : 'quick',
      sample_size: 400,
      deep_sample_size: deep ? quality.n : 0,
      requests: 17 + (deep ? quality.n : 0),
      credibility: deep ? quality.credibility : null,
      credibility_low: deep ? quality.low : null,
      credibility_high: deep ? quality.high : null,
      components: JSON.stringify({}),
    })
    .execute();
}

const csvRows = (text: string) => parse(text, { columns: true, bom: true }) as Record<string, string>[];
const ndjsonRows = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb, { exportBatchSize: 2 });
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs RESTART IDENTITY CASCADE`.execute(testDb.db);
  await blogWithQuality(
    'real.audience',
    { credibility: 0.9, low: 0.83, high: 0.94, n: 100 },
    { follower_count: 50_000, er_posts_hidden: 2 },
  );
  await blogWithQuality('bought.followers', { credibility: 0.55, low: 0.45, high: 0.65, n: 100 }, { follower_count: 80_000 });
  await blogWithQuality('quick.only', 'quick', { follower_count: 20_000 });
  await blogWithQuality('never.measured', null, { follower_count: 10_000 });
  await blogWithQuality('borderline', { credibility: 0.7, low: 0.6, high: 0.79, n: 80 }, { follower_count: 30_000 });
});

describe('min_credibility in the list and the exports', () => {
  it.each([
    [0, ['bought.followers', 'real.audience', 'borderline']],
    [0.7, ['real.audience', 'borderline']],
    [0.71, ['real.audience']],
    [0.95, []],
  ])(
    'min_credibility=%s: the same blogs in the list, the CSV and the NDJSON export; unmeasured and quick-only blogs drop out',
    async (min, expected) => {
      const list = await api.call('GET', `/api/blogs?min_credibility=${min}&sort=followers&order=desc`);
      expect(list.status).toBe(200);
      expect(list.body.items.map((b: any) => b.username)).toEqual(expected);
      const csv = await api.call('GET', `/api/blogs/export?format=csv&min_credibility=${min}`);
      expect(
        csvRows(csv.text)
          .map((r) => r.username)
          .sort(),
      ).toEqual([...expected].sort());
      const ndjson = await api.call('GET', `/api/blogs/export?format=ndjson&min_credibility=${min}`);
      expect(
        ndjsonRows(ndjson.text)
          .map((r) => r.username)
          .sort(),
      ).toEqual([...expected].sort());
    },
  );

  it('the list and the detail show the credibility with its interval; null without a deep-tier estimate', async () => {
    const items = (await api.call('GET', '/api/blogs?sort=followers&order=desc')).body.items;
    const byName = new Map(items.map((b: any) => [b.username, b.credibility]));
    expect(byName.get('real.audience')).toEqual({
      value: expect.closeTo(0.9, 5),
      low: expect.closeTo(0.83, 5),
      high: expect.closeTo(0.94, 5),
    });
    expect(byName.get('quick.only')).toBeNull();
    expect(byName.get('never.measured')).toBeNull();
    const detail = (await api.call('GET', '/api/blogs/bought.followers')).body;
    expect(detail.credibility).toEqual({ value: expect.closeTo(0.55, 5), low: expect.closeTo(0.45, 5), high: expect.closeTo(0.65, 5) });
  });

  it('a bad min_credibility is a 400 for the export too', async () => {
    for (const bad of ['-0.1', '1.5', 'high']) {
      const res = await api.call('GET', `/api/blogs/export?min_credibility=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.message).toMatch(/min_credibility/);
    }
  });
});

describe('export columns', () => {
  it('credibility with its interval and sample, and er_posts_hidden; empty where there is no deep-tier estimate', async () => {
    const rows = csvRows((await api.call('GET', '/api/blogs/export?format=csv')).text);
    const byName = new Map(rows.map((r) => [r.username, r]));
    expect(byName.get('real.audience')).toMatchObject({
      credibility: '0.9',
      credibility_low: '0.83',
      credibility_high: '0.94',
      credibility_sample: '100',
      er_posts_hidden: '2',
    });
    expect(byName.get('quick.only')).toMatchObject({
      credibility: '',
      credibility_low: '',
      credibility_high: '',
      credibility_sample: '',
      er_posts_hidden: '',
    });
    expect(byName.get('never.measured')).toMatchObject({ credibility: '', credibility_sample: '' });
    const json = ndjsonRows((await api.call('GET', '/api/blogs/export?format=ndjson')).text);
    expect(json.find((r) => r.username === 'bought.followers')).toMatchObject({
      credibility: 0.55,
      credibility_low: 0.45,
      credibility_high: 0.65,
      credibility_sample: 100,
      er_posts_hidden: null,
    });
    expect(json.find((r) => r.username === 'never.measured')).toMatchObject({ credibility: null, credibility_sample: null });
    // Every blog once: the join with audience_quality repeats none across the keyset batches.
    expect(json.map((r) => r.username).sort()).toEqual(['borderline', 'bought.followers', 'never.measured', 'quick.only', 'real.audience']);
  });
});

describe("the console's creators table", () => {
  it('filters by min_credibility and shows the credibility with its interval', async () => {
    const { app } = api;
    const page = await app.request('/ui/sign-in');
    const token = page.headers
      .getSetCookie()
      .find((c) => c.startsWith('igs_signin='))!
      .split(';')[0]!
      .split('=')
      .slice(1)
      .join('=');
    const signedIn = await app.request('/ui/sign-in', {
      method: 'POST',
      body: new URLSearchParams({ _csrf: token, key: TEST_API_KEY }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `igs_signin=${token}` },
    });
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const html = await (await app.request('/ui?min_credibility=0.7', { headers: { cookie } })).text();
    expect(html).toContain('name="min_credibility"');
    expect(html).toContain('real.audience');
    expect(html).toContain('90 % [83–94]');
    expect(html).toContain('borderline');
    expect(html).not.toContain('bought.followers');
    expect(html).not.toContain('never.measured');
  });
});
