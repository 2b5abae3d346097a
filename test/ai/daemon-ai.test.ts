import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { waitFor } from '../../emulator/openai/testkit.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons } from '../helpers/processes.js';
import { seedScrapedBlogs } from './helpers.js';

/**
 * The daemon as deployed: OPENAI_API_KEY / OPENAI_BASE_URL point the real SDK at the emulator; a daemon stopped
 * (SIGTERM) while its batch is in flight is followed by another that completes it from Postgres.
 */

let emulator: OpenAiEmulator;
let testDb: TestDatabase;
const daemons = new Daemons();
const API_KEY = 'ai-process-test-key-0123456789abcdef';

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ seed: 21, timings: { validatingMs: 50, inProgressMs: 1_500, finalizingMs: 50 } });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await daemons.killAll();
  await testDb.drop();
});

const start = async () => {
  return daemons.start({
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: API_KEY,
    ENCRYPTION_KEY: '0'.repeat(64),
    WORKER_TASKS: 'production',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: emulator.baseUrl,
    AI_BATCH_MIN_TASKS: '5',
    AI_BATCH_CHECK_INTERVAL_MS: '200',
  });
};

describe('AI analysis in the daemon', () => {
  it('a batch in flight at SIGTERM is completed by the next daemon; /api/stats shows the cost', async () => {
    await seedScrapedBlogs(testDb, 6);
    const first = await start();
    const row = await waitFor(
      () => testDb.db.selectFrom('ai_batches').select(['openai_batch_id', 'status']).executeTakeFirst(),
      (r) => !!r?.openai_batch_id,
      { timeoutMs: 10_000 },
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(emulator.batch(row!.openai_batch_id!).status).not.toBe('completed'); // still in flight when it stopped
    const waiting = await testDb.db.selectFrom('scrape_tasks').select('status').execute();
    expect(waiting.every((t) => t.status === 'waiting_batch')).toBe(true);

    await waitFor(
      () => emulator.batch(row!.openai_batch_id!).status,
      (s) => s === 'completed',
      { timeoutMs: 10_000 },
    );
    const second = await start(); // polls at start
    await waitFor(
      async () => (await testDb.db.selectFrom('blogs').select('scrape_status').execute()).every((b) => b.scrape_status === 'active'),
      Boolean,
      { timeoutMs: 15_000 },
    );
    const stats = await fetch(`http://127.0.0.1:${second.port}/api/stats`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const body = (await stats.json()) as any;
    expect(body.ai).toMatchObject({ enabled: true, model: 'gpt-5-nano', batches: { total: 1, open: 0 }, requests: 6, outcomes: { ok: 6 } });
    expect(body.ai.tokens.total).toBeGreaterThan(0);
    expect(body.ai.input_bytes).toBeGreaterThan(0);
    // Sent once. (Embedding batches for similar creators follow the analyses; they are not this test's subject.)
    expect(emulator.batches().filter((b) => b.endpoint === '/v1/chat/completions')).toHaveLength(1);
  });
});
