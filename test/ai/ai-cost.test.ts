import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { waitFor } from '../../emulator/openai/testkit.js';
import { pollBatches } from '../../src/ai/poll.js';
import { submitDueBatches } from '../../src/ai/submit.js';
import { PRIORITY } from '../../src/queue/task.js';
import { requestScrapes } from '../../src/tasks/requests.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startHarness, waitForTasks, type ScrapeHarness } from '../scraping/harness.js';
import { aiFixture, seedScrapedBlogs, type AiFixture } from './helpers.js';

/**
 * Issue 22 end to end: creators scraped from the Instagram emulator by the real pool and runner, analysed through
 * the OpenAI emulator (which bills like OpenAI). What reaches the model is the cheap input (320-px post images, the
 * 150-px avatar, reasoning_effort minimal, a completion cap); a rescrape of unchanged creators costs 0 AI tokens;
 * `force` sends one anyway.
 */
let testDb: TestDatabase;
let h: ScrapeHarness;
let openai: OpenAiEmulator;
let fx: AiFixture;
let usernames: string[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  h = await startHarness(testDb, { accounts: 2, types: ['full_scrape'] });
  openai = await startOpenAiEmulator({ seed: 22 });
  fx = aiFixture(testDb, openai, { minTasks: 1 });
  usernames = h.fx.emulator.world.creators
    .filter((c) => !c.isPrivate)
    .slice(0, 6)
    .map((c) => c.username);
});
afterAll(async () => {
  await h?.stop();
  await openai?.close();
  await testDb?.drop();
});

async function scrape(): Promise<void> {
  const enqueued = await requestScrapes(testDb.db, { usernames, priority: PRIORITY.manualScrape, source: 'manual', maxAttempts: 3 });
  const tasks = await waitForTasks(
    testDb,
    enqueued.map((e) => e.task.id),
    45_000,
  );
  expect(tasks.every((t) => t.status === 'done')).toBe(true);
}

/** Submits what is due and applies it; the ids of the OpenAI batches it created. */
async function analyse(): Promise<string[]> {
  const before = new Set(openai.batches().map((b) => b.id));
  await submitDueBatches(fx.ctx);
  const created = openai
    .batches()
    .filter((b) => !before.has(b.id))
    .map((b) => b.id);
  for (const id of created) {
    await waitFor(
      () => openai.batch(id).status,
      (s) => s === 'completed',
    );
    await pollBatches(fx.ctx);
  }
  return created;
}

const billedTokens = () => openai.batches().reduce((n, b) => n + b.usage.total_tokens, 0);
const aiTasks = () => testDb.db.selectFrom('scrape_tasks').selectAll().where('task_type', '=', 'ai_analysis').orderBy('id').execute();

describe('AI cost per creator (issue 22)', () => {
  it('sends small images and minimal reasoning; a rescrape of unchanged creators costs 0 AI tokens; force sends one again', async () => {
    await scrape();
    const [first] = await analyse();
    expect(first).toBeDefined();
    const requests = openai.batchRequests(first!);
    expect(requests).toHaveLength(usernames.length);
    for (const request of requests) {
      const body = request.body!;
      expect(body).toMatchObject({ reasoning_effort: 'minimal', max_completion_tokens: 4_000 });
      const [avatar, ...posts] = request.facts!.imageUrls;
      expect(avatar).toMatch(/\/s150x150\//); // the small avatar, not the 1080-px HD one
      // (The emulator's post links expire 3 days after its world's epoch, 2026-01-01, so the prompt leaves them out.)
      for (const url of posts) expect(url).toMatch(/_s320x\d+&/);
    }
    // What the scraper keeps for a post: the version 320 px wide at the post's own ratio, never a square crop.
    const thumbnails = await testDb.db.selectFrom('blog_posts').select('thumbnail_url').execute();
    expect(thumbnails.length).toBeGreaterThan(usernames.length);
    for (const { thumbnail_url } of thumbnails) expect(thumbnail_url).toMatch(/_s320x(400|569)&/);
    // OpenAI's usage shape on every output line, with the reasoning the effort asked for (none at minimal).
    const { output } = openai.batchResults(first!);
    expect(output).toHaveLength(usernames.length);
    for (const line of output) {
      const usage = (line.response!.body as any).usage;
      expect(Object.keys(usage).sort()).toEqual([
        'completion_tokens',
        'completion_tokens_details',
        'prompt_tokens',
        'prompt_tokens_details',
        'total_tokens',
      ]);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
      expect(usage.completion_tokens_details.reasoning_tokens).toBe(0);
      expect(usage.prompt_tokens).toBeGreaterThan(1_000); // instructions, schema, the creator's text and images
    }
    const analysed = await testDb.db
      .selectFrom('blogs')
      .select(['username', 'scrape_status', 'ai_prompt_hash', 'ai_analyzed_at'])
      .where('username', 'in', usernames)
      .execute();
    expect(analysed.every((b) => b.scrape_status === 'active' && b.ai_prompt_hash !== null && b.ai_analyzed_at !== null)).toBe(true);
    const items = await testDb.db.selectFrom('ai_batch_items').select(['outcome', 'input_tokens', 'reasoning_tokens']).execute();
    expect(items.every((i) => i.outcome === 'ok' && i.input_tokens! > 0 && i.reasoning_tokens === 0)).toBe(true);

    // The same creators scraped again: Instagram shows the same, so nothing is sent and nothing is billed.
    const billed = billedTokens();
    const batches = openai.batches().length;
    await scrape();
    const pending = (await aiTasks()).filter((t) => t.status === 'pending');
    expect(pending).toHaveLength(usernames.length);
    expect(await testDb.db.selectFrom('blogs').select('scrape_status').where('username', 'in', usernames).execute()).toEqual(
      usernames.map(() => ({ scrape_status: 'analyzing' })),
    );
    expect(await analyse()).toEqual([]);
    expect(openai.batches()).toHaveLength(batches);
    expect(billedTokens()).toBe(billed);
    const skipped = (await aiTasks()).filter((t) => pending.some((p) => p.id === t.id));
    expect(skipped.every((t) => t.status === 'done' && (t.result as any).unchanged === true)).toBe(true);
    const after = await testDb.db.selectFrom('blogs').select(['scrape_status', 'ai_insights']).where('username', 'in', usernames).execute();
    expect(after.every((b) => b.scrape_status === 'active' && b.ai_insights !== null)).toBe(true);

    // Asked for by hand (POST /api/tasks/analysis) with force: sent again although unchanged; without force: not.
    const api = createTestApp(testDb);
    const asked = await api.call('POST', '/api/tasks/analysis', { username: usernames[0] });
    expect(asked).toMatchObject({ status: 202, body: { created: 1, tasks: [{ task_type: 'ai_analysis' }] } });
    expect(await analyse()).toEqual([]);
    expect(await api.call('POST', '/api/tasks/analysis', { username: usernames[1], force: true })).toMatchObject({
      status: 202,
      body: { created: 1 },
    });
    const forced = await analyse();
    expect(forced).toHaveLength(1);
    expect(openai.batchRequests(forced[0]!).map((r) => r.facts!.username)).toEqual([usernames[1]]);
    expect(billedTokens()).toBeGreaterThan(billed);

    // Cost in the open: tokens and dollars per creator from the usage OpenAI reported and the price table.
    const answered = await testDb.db.selectFrom('ai_batch_items').select(['input_tokens', 'output_tokens']).execute();
    const input = answered.reduce((n, i) => n + i.input_tokens!, 0);
    const outputTokens = answered.reduce((n, i) => n + i.output_tokens!, 0);
    const expectedDollars = (input * 0.025 + outputTokens * 0.2) / 1e6; // gpt-5-nano's Batch prices per 1M
    const stats = await api.call('GET', '/api/stats');
    expect(stats.status).toBe(200);
    const cost = stats.body.ai.cost;
    expect(cost).toMatchObject({
      creators: usernames.length + 1,
      skipped_unchanged: usernames.length + 1,
      input_tokens: input,
      output_tokens: outputTokens,
      reasoning_tokens: 0,
    });
    expect(cost.dollars).toBeCloseTo(expectedDollars, 12);
    expect(cost.dollars_per_1000_creators).toBeCloseTo((1000 * expectedDollars) / (usernames.length + 1), 9);
    expect(cost.by_model).toEqual([
      expect.objectContaining({
        model: 'gpt-5-nano',
        creators: usernames.length + 1,
        price_per_million: { input: 0.025, output: 0.2 },
        tokens_per_creator: { input: Math.round(input / 7), output: Math.round(outputTokens / 7), reasoning: 0 },
      }),
    ]);
    const metrics = (await new Metrics(testDb.db).render()).body;
    expect(metrics).toContain(`igscout_ai_creators_analysed{model="gpt-5-nano"} ${usernames.length + 1}`);
    expect(metrics).toContain(`igscout_ai_tokens{model="gpt-5-nano",kind="input"} ${input}`);
    expect(metrics).toContain(`igscout_ai_analyses_skipped_unchanged ${usernames.length + 1}`);
    const perCreator = /igscout_ai_cost_per_creator_dollars\{model="gpt-5-nano"\} (\S+)/.exec(metrics)?.[1];
    expect(Number(perCreator)).toBeCloseTo(expectedDollars / (usernames.length + 1), 12);
  }, 120_000);

  it('force on a task already waiting: the pending task is marked and sent although nothing changed', async () => {
    const [blog] = await seedScrapedBlogs(testDb, 1, { prefix: 'forced' });
    expect(await analyse()).toHaveLength(1);
    const api = createTestApp(testDb);
    expect(await api.call('POST', '/api/tasks/analysis', { username: blog!.username })).toMatchObject({
      status: 202,
      body: { created: 1 },
    });
    const again = await api.call('POST', '/api/tasks/analysis', { username: blog!.username, force: true });
    expect(again).toMatchObject({ status: 202, body: { created: 0, existing: 1 } });
    const task = await testDb.db
      .selectFrom('scrape_tasks')
      .select('payload')
      .where('id', '=', again.body.tasks[0].id)
      .executeTakeFirstOrThrow();
    expect(task.payload).toMatchObject({ force: true });
    const sent = await analyse();
    expect(sent).toHaveLength(1);
    expect(openai.batchRequests(sent[0]!).map((r) => r.facts!.username)).toEqual([blog!.username]);
  });

  it('POST /api/tasks/analysis: 404 for a blog never scraped, 400 for a bad body', async () => {
    const api = createTestApp(testDb);
    expect(await api.call('POST', '/api/tasks/analysis', { username: 'never.scraped' })).toMatchObject({
      status: 404,
      body: { error: { message: expect.stringMatching(/scrape it first/) } },
    });
    expect((await api.call('POST', '/api/tasks/analysis', { username: 'a b' })).status).toBe(400);
    expect((await api.call('POST', '/api/tasks/analysis', { username: 'x', force: 'yes' })).status).toBe(400);
  });
});
