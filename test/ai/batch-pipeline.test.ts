import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aiInsightsSchema } from '../../src/ai/insights.js';
import { pollBatches } from '../../src/ai/poll.js';
import { submitDueBatches } from '../../src/ai/submit.js';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { waitFor } from '../../emulator/openai/testkit.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { aiFixture, seedScrapedBlogs } from './helpers.js';

let emulator: OpenAiEmulator;
let testDb: TestDatabase;

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ seed: 7 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  emulator.clearFaults();
  await testDb.drop();
});

const finished = (id: string) =>
  waitFor(
    () => emulator.batch(id).status,
    (s) => ['completed', 'expired', 'failed', 'cancelled'].includes(s),
  );

describe('AI batch pipeline against the OpenAI emulator', () => {
  it('25 scraped blogs → one batch of 25 lines with their bio, posts and ≤ 10 images → 25 analysed, active blogs', async () => {
    const fx = aiFixture(testDb, emulator);
    const blogs = await seedScrapedBlogs(testDb, 25);

    expect(await submitDueBatches(fx.ctx)).toEqual({ batches: 1, tasks: 25, failed: 0 });
    const [row] = await testDb.db.selectFrom('ai_batches').selectAll().execute();
    expect(row).toMatchObject({ request_count: 25, status: 'validating', processed_at: null });
    expect(row!.input_bytes).toBeGreaterThan(25 * 2_000);

    const requests = emulator.batchRequests(row!.openai_batch_id!);
    expect(requests).toHaveLength(25);
    for (const blog of blogs) {
      const request = requests.find((r) => r.custom_id === String(blog.id))!;
      expect(request.body!.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'ai_insights', strict: true } });
      expect(request.facts!.username).toBe(blog.username);
      expect(request.facts!.userText).toContain(blog.bio);
      for (const caption of blog.captions) expect(request.facts!.userText).toContain(caption);
      expect(request.facts!.imageCount).toBe(10);
      expect(request.facts!.imageUrls[0]).toContain('avatar');
    }
    const tasks = await testDb.db.selectFrom('scrape_tasks').selectAll().execute();
    expect(
      tasks.every((t) => t.status === 'waiting_batch' && t.attempts === 1 && t.progress?.openai_batch_id === row!.openai_batch_id),
    ).toBe(true);

    await finished(row!.openai_batch_id!);
    expect(await pollBatches(fx.ctx)).toMatchObject({ polled: 1, finished: 1, errors: 0 });

    const analysed = await testDb.db.selectFrom('blogs').selectAll().orderBy('id').execute();
    const categories = (await testDb.db.selectFrom('categories').select('name').execute()).map((c) => c.name);
    for (const blog of analysed) {
      expect(blog.scrape_status).toBe('active');
      expect(aiInsightsSchema(categories).safeParse(blog.ai_insights).success).toBe(true);
      expect(blog.ai_confidence).toBeGreaterThan(0);
      expect(blog.ai_analyzed_at).not.toBeNull();
      expect((blog.ai_insights as any).notes).toContain(`username: ${blog.username}`);
      const links = await testDb.db.selectFrom('blog_categories').selectAll().where('blog_id', '=', blog.id).execute();
      expect(links.filter((l) => l.is_primary)).toHaveLength(1);
    }
    // The fake model reads the content: the beauty blogs (every 4th) are classified as beauty.
    const beauty = await testDb.db
      .selectFrom('blog_categories as bc')
      .innerJoin('categories as c', 'c.id', 'bc.category_id')
      .select('bc.blog_id')
      .where('c.name', '=', 'beauty')
      .where('bc.is_primary', '=', true)
      .execute();
    expect(beauty.map((b) => b.blog_id).sort()).toEqual(
      blogs
        .filter((_, i) => i % 4 === 0)
        .map((b) => b.id)
        .sort(),
    );

    const done = await testDb.db.selectFrom('scrape_tasks').selectAll().execute();
    expect(done.every((t) => t.status === 'done')).toBe(true);
    const closed = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    expect(closed).toMatchObject({
      status: 'completed',
      ok_count: 25,
      refused_count: 0,
      invalid_count: 0,
      error_count: 0,
      missing_count: 0,
    });
    expect(closed.input_tokens).toBeGreaterThan(0);
    expect(closed.total_tokens).toBe(closed.input_tokens + closed.output_tokens);
    expect(closed.processed_at).not.toBeNull();

    // Polling again changes nothing.
    expect(await pollBatches(fx.ctx)).toMatchObject({ polled: 0 });
  });

  it('waits below the threshold, then builds when the oldest task has waited 2 h', async () => {
    const fx = aiFixture(testDb, emulator);
    await seedScrapedBlogs(testDb, 4);
    expect(await submitDueBatches(fx.ctx)).toEqual({ batches: 0, tasks: 0, failed: 0 });
    fx.clock.advance(2 * 3_600_000 + 1_000);
    expect(await submitDueBatches(fx.ctx)).toEqual({ batches: 1, tasks: 4, failed: 0 });
  });
});
