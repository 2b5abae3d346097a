import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollBatches } from '../../src/ai/poll.js';
import { retryStaleBatches } from '../../src/ai/stale.js';
import { submitDueBatches } from '../../src/ai/submit.js';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { waitFor } from '../../emulator/openai/testkit.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { aiFixture, seedScrapedBlogs, type AiFixture, type SeededBlog } from './helpers.js';

/** Every fault mode of SPEC §7 ends as it says, with no task lost and none analysed twice. */

let emulator: OpenAiEmulator;
let testDb: TestDatabase;

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ seed: 9 });
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

const FINAL = ['completed', 'expired', 'failed', 'cancelled'];
const HOUR = 3_600_000;

async function submitOne(fx: AiFixture): Promise<string> {
  const before = new Set(emulator.batches().map((b) => b.id));
  expect((await submitDueBatches(fx.ctx)).batches).toBe(1);
  const id = emulator.batches().find((b) => !before.has(b.id))!.id;
  await waitFor(
    () => emulator.batch(id).status,
    (s) => FINAL.includes(s),
  );
  return id;
}

async function taskOf(blog: SeededBlog) {
  return testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', blog.taskId).executeTakeFirstOrThrow();
}
async function blogRow(blog: SeededBlog) {
  return testDb.db.selectFrom('blogs').selectAll().where('id', '=', blog.id).executeTakeFirstOrThrow();
}

/** No task lost: every seeded task is done, failed, pending or waiting — and each blog has at most one ok result. */
async function expectNothingLostOrDoubled(blogs: SeededBlog[]) {
  const tasks = await testDb.db.selectFrom('scrape_tasks').select(['id', 'status']).execute();
  expect(tasks).toHaveLength(blogs.length);
  expect(tasks.every((t) => ['done', 'failed', 'pending', 'waiting_batch'].includes(t.status))).toBe(true);
  const ok = await testDb.db.selectFrom('ai_batch_items').select('blog_id').where('outcome', '=', 'ok').execute();
  expect(new Set(ok.map((o) => o.blog_id)).size).toBe(ok.length);
}

describe('AI batch faults', () => {
  it('refusal → active without insights, done; invalid JSON, schema violation and error lines → retried with backoff', async () => {
    const fx = aiFixture(testDb, emulator);
    const blogs = await seedScrapedBlogs(testDb, 12);
    const [refused, invalid, violating, erroring] = blogs as [SeededBlog, SeededBlog, SeededBlog, SeededBlog];
    emulator.setLineFault('refusal', { customIds: [String(refused.id)] });
    emulator.setLineFault('invalid_json', { customIds: [String(invalid.id)] });
    emulator.setLineFault('schema_violation', { customIds: [String(violating.id)] });
    emulator.setLineFault({ mode: 'line_error', status: 500, message: 'upstream overloaded' }, { customIds: [String(erroring.id)] });
    await submitOne(fx);
    await pollBatches(fx.ctx);

    expect(await taskOf(refused)).toMatchObject({ status: 'done' });
    expect(await blogRow(refused)).toMatchObject({ scrape_status: 'active', ai_insights: null });
    expect((await blogRow(refused)).status_reason).toMatch(/refused/);

    const now = fx.clock.now().getTime();
    for (const [blog, pattern] of [
      [invalid, /not JSON/],
      [violating, /does not match the AIInsights schema/],
      [erroring, /HTTP 500: upstream overloaded/],
    ] as const) {
      const task = await taskOf(blog);
      expect(task).toMatchObject({ status: 'pending', attempts: 1 });
      expect(task.error_message).toMatch(pattern);
      expect(task.run_at.getTime() - now).toBeGreaterThan(4 * 60_000); // 5 min backoff
      expect((await blogRow(blog)).scrape_status).toBe('analyzing');
    }
    const row = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ok_count: 8, refused_count: 1, invalid_count: 2, error_count: 1, missing_count: 0 });
    await expectNothingLostOrDoubled(blogs);
  });

  it('a blog that fails every attempt falls back: active with its scraped data and the reason (seed 003)', async () => {
    const fx = aiFixture(testDb, emulator, { minTasks: 1 });
    const [blog] = await seedScrapedBlogs(testDb, 1);
    emulator.setLineFault('invalid_json', { customIds: [String(blog!.id)] });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await submitOne(fx);
      await pollBatches(fx.ctx);
      fx.clock.advance(2 * HOUR); // past the 5 / 15 min backoff
    }
    const task = await taskOf(blog!);
    expect(task).toMatchObject({ status: 'failed', attempts: 3 });
    const row = await blogRow(blog!);
    expect(row).toMatchObject({ scrape_status: 'active', ai_insights: null, biography: blog!.bio });
    expect(row.status_reason).toMatch(/AI analysis failed after 3 attempt\(s\), scraped data only: invalid/);
    expect(await submitDueBatches(fx.ctx)).toMatchObject({ batches: 0 });
  });

  it('expired with partial output → the answered lines applied, the rest retried; the retry completes them', async () => {
    const fx = aiFixture(testDb, emulator);
    const blogs = await seedScrapedBlogs(testDb, 10);
    emulator.setBatchFault({ kind: 'expire', completedLines: 4 }, { times: 1 });
    await submitOne(fx);
    await pollBatches(fx.ctx);
    const first = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    expect(first).toMatchObject({ status: 'expired', ok_count: 4, missing_count: 6 });
    const statuses = await testDb.db.selectFrom('scrape_tasks').select(['status', 'attempts']).execute();
    expect(statuses.filter((t) => t.status === 'done')).toHaveLength(4);
    expect(statuses.filter((t) => t.status === 'pending' && t.attempts === 1)).toHaveLength(6);
    expect(fx.alerts.kinds()).not.toContain('batch_failed');

    fx.clock.advance(3 * HOUR); // backoff over, and the 6 have waited > 2 h
    await submitOne(fx);
    await pollBatches(fx.ctx);
    expect((await testDb.db.selectFrom('scrape_tasks').select('status').execute()).every((t) => t.status === 'done')).toBe(true);
    expect((await testDb.db.selectFrom('blogs').select('scrape_status').execute()).every((b) => b.scrape_status === 'active')).toBe(true);
    await expectNothingLostOrDoubled(blogs);
  });

  it('batch rejected by OpenAI (enqueued token limit) → every task waits for the next build with its attempt kept, batch_failed alerted', async () => {
    const fx = aiFixture(testDb, emulator);
    const blogs = await seedScrapedBlogs(testDb, 10);
    emulator.setBatchFault({ kind: 'fail', code: 'token_limit_exceeded', message: 'Enqueued token limit reached' }, { times: 1 });
    await submitOne(fx);
    await pollBatches(fx.ctx);
    const row = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', missing_count: 10 });
    expect(row.error).toMatch(/token_limit_exceeded/);
    const tasks = await testDb.db.selectFrom('scrape_tasks').selectAll().execute();
    const retryAt = fx.clock.now().getTime() + fx.ctx.settings.resubmitDelayMs;
    for (const t of tasks) {
      // Rejected again and again, a blog would otherwise fall back to no insights after max_attempts for nothing it did.
      expect(t).toMatchObject({ status: 'pending', attempts: 0 });
      expect(t.error_message).toMatch(/token_limit_exceeded/);
      // The clock runs on while the batch is applied: a few milliseconds before the moment read here.
      expect(Math.abs(t.run_at.getTime() - retryAt)).toBeLessThan(5_000);
    }
    expect(fx.alerts.events.find((e) => e.kind === 'batch_failed')?.message).toMatch(/failed: token_limit_exceeded/);

    // Once the limit has room again, the next build takes them and they are analysed.
    fx.clock.advance(fx.ctx.settings.resubmitDelayMs + 3 * HOUR);
    await submitOne(fx);
    await pollBatches(fx.ctx);
    expect((await testDb.db.selectFrom('scrape_tasks').select('status').execute()).every((t) => t.status === 'done')).toBe(true);
    await expectNothingLostOrDoubled(blogs);
  });

  it('under AI_MAX_ENQUEUED_TOKENS a build sends what fits next to the open batches; the rest wait, attempt kept', async () => {
    const fx = aiFixture(testDb, emulator);
    await seedScrapedBlogs(testDb, 10);
    emulator.setBatchFault({ kind: 'stuck' }, { times: 1 });
    expect((await submitDueBatches(fx.ctx)).batches).toBe(1);
    const open = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    const enqueued = open.estimated_tokens;
    expect(enqueued).toBeGreaterThan(0);
    const later = await seedScrapedBlogs(testDb, 20, { prefix: 'later' });
    const laterTasks = () =>
      testDb.db
        .selectFrom('scrape_tasks')
        .selectAll()
        .where(
          'id',
          'in',
          later.map((b) => b.taskId),
        )
        .execute();

    // No room at all while the first batch is open: nothing is claimed, nothing is sent.
    const full = aiFixture(testDb, emulator, { maxEnqueuedTokens: enqueued });
    expect(await submitDueBatches(full.ctx)).toMatchObject({ batches: 0 });
    expect((await laterTasks()).every((t) => t.status === 'pending' && t.attempts === 0)).toBe(true);

    // Room for about as much again as the open batch: part of the 20 goes, within the room; the rest waits.
    const limit = 2 * enqueued;
    const some = aiFixture(testDb, emulator, { maxEnqueuedTokens: limit });
    expect((await submitDueBatches(some.ctx)).batches).toBe(1);
    const sent = await testDb.db.selectFrom('ai_batches').selectAll().where('id', '<>', open.id).executeTakeFirstOrThrow();
    expect(sent.request_count).toBeGreaterThan(0);
    expect(sent.request_count).toBeLessThan(20);
    expect(enqueued + sent.estimated_tokens).toBeLessThanOrEqual(limit);
    const waiting = (await laterTasks()).filter((t) => t.status === 'pending');
    expect(waiting).toHaveLength(20 - sent.request_count);
    expect(waiting.every((t) => t.attempts === 0)).toBe(true);

    // Once the open batches are done, the rest goes.
    emulator.cancel(open.openai_batch_id!);
    await waitFor(
      () => emulator.batch(open.openai_batch_id!).status,
      (st) => st === 'cancelled',
    );
    await waitFor(
      () => emulator.batch(sent.openai_batch_id!).status,
      (st) => FINAL.includes(st),
    );
    await pollBatches(some.ctx);
    some.clock.advance(3 * HOUR); // the rest have waited past AI_BATCH_MAX_WAIT_MS, whatever their number
    expect((await submitDueBatches(some.ctx)).tasks).toBeGreaterThanOrEqual(20 - sent.request_count);
    expect((await laterTasks()).filter((t) => t.status === 'pending' && t.attempts === 0)).toEqual([]);
  });

  it('a batch cancelled outside ig-scout → its tasks retried and alerted', async () => {
    const fx = aiFixture(testDb, emulator);
    emulator.setBatchFault({ kind: 'stuck' }, { times: 1 });
    await seedScrapedBlogs(testDb, 10);
    expect((await submitDueBatches(fx.ctx)).batches).toBe(1);
    const row = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    emulator.cancel(row.openai_batch_id!);
    await waitFor(
      () => emulator.batch(row.openai_batch_id!).status,
      (s) => s === 'cancelled',
    );
    await pollBatches(fx.ctx);
    const tasks = await testDb.db.selectFrom('scrape_tasks').selectAll().execute();
    expect(tasks.every((t) => t.status === 'pending' && t.attempts === 1)).toBe(true);
    expect(fx.alerts.kinds()).toContain('batch_failed');
  });

  it('a batch stuck past 26 h is cancelled and its tasks retried; a later poll leaves it alone', async () => {
    const fx = aiFixture(testDb, emulator);
    const blogs = await seedScrapedBlogs(testDb, 10);
    emulator.setBatchFault({ kind: 'stuck' }, { times: 1 });
    expect((await submitDueBatches(fx.ctx)).batches).toBe(1);
    const { openai_batch_id: id } = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    await waitFor(
      () => emulator.batch(id!).status,
      (s) => s === 'in_progress',
    );
    await pollBatches(fx.ctx);
    expect(await retryStaleBatches(fx.ctx)).toEqual({ cancelled: 0 });

    fx.clock.advance(27 * HOUR);
    await pollBatches(fx.ctx); // still in progress: polling alone does not give up on it
    expect((await testDb.db.selectFrom('ai_batches').select('status').executeTakeFirstOrThrow()).status).toBe('in_progress');
    expect(await retryStaleBatches(fx.ctx)).toEqual({ cancelled: 1 });
    expect(['cancelling', 'cancelled']).toContain(emulator.batch(id!).status);

    const row = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'cancelled', missing_count: 10 });
    expect(row.cancel_requested_at).not.toBeNull();
    const tasks = await testDb.db.selectFrom('scrape_tasks').selectAll().execute();
    expect(tasks.every((t) => t.status === 'pending' && t.attempts === 1 && /still open after 26 h/.test(t.error_message ?? ''))).toBe(
      true,
    );
    expect(fx.alerts.kinds()).toContain('batch_failed');
    expect(await pollBatches(fx.ctx)).toMatchObject({ polled: 0 });
    await expectNothingLostOrDoubled(blogs);
  });

  it('submission failure (OpenAI unreachable) → tasks pending again without spending the attempt, alerted', async () => {
    const fx = aiFixture(testDb, emulator);
    await seedScrapedBlogs(testDb, 10);
    emulator.failRequests({ status: 503, count: 1, pathPrefix: '/v1/files' });
    expect(await submitDueBatches(fx.ctx)).toMatchObject({ batches: 0, failed: 1 });
    const tasks = await testDb.db.selectFrom('scrape_tasks').selectAll().execute();
    expect(tasks.every((t) => t.status === 'pending' && t.attempts === 0 && t.run_at > fx.clock.now())).toBe(true);
    expect(await testDb.db.selectFrom('ai_batches').select('status').executeTakeFirstOrThrow()).toEqual({ status: 'submit_failed' });
    expect(fx.alerts.kinds()).toContain('batch_failed');

    fx.clock.advance(HOUR);
    expect(await submitDueBatches(fx.ctx)).toMatchObject({ batches: 1, tasks: 10 });
  });
});
