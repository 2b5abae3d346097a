import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pollBatches } from '../../src/ai/poll.js';
import { submitDueBatches } from '../../src/ai/submit.js';
import { requestTokens } from '../../src/ai/tokens.js';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { waitFor } from '../../emulator/openai/testkit.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { aiFixture, seedScrapedBlogs } from './helpers.js';

/**
 * The enqueued-token estimate (AI_MAX_ENQUEUED_TOKENS, ai_batches.estimated_tokens) against what the emulator bills
 * for the same lines — its own count with the tokenizer and the vision guide's image rules (emulator/openai/billing.ts):
 * within 10 % per line and per batch, images included, on each model family.
 */
let emulator: OpenAiEmulator;
let testDb: TestDatabase;

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ seed: 5 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await testDb.drop();
});

describe('enqueued-token estimate', () => {
  it.each(['gpt-5-nano', 'gpt-5-mini', 'gpt-4o-mini', 'gpt-4o'])(
    '%s: within a tenth of the billed prompt tokens, per line and per batch, images included',
    async (model) => {
      const fx = aiFixture(testDb, emulator, { model });
      await seedScrapedBlogs(testDb, 10);
      expect(await submitDueBatches(fx.ctx)).toMatchObject({ batches: 1, tasks: 10 });
      const row = await testDb.db.selectFrom('ai_batches').selectAll().executeTakeFirstOrThrow();
      await waitFor(
        () => emulator.batch(row.openai_batch_id!).status,
        (s) => s === 'completed',
      );
      await pollBatches(fx.ctx);

      const billed = emulator.batch(row.openai_batch_id!).usage.input_tokens;
      expect(Math.abs(Number(row.estimated_tokens) - billed) / billed).toBeLessThan(0.1);
      const { output } = emulator.batchResults(row.openai_batch_id!);
      expect(output).toHaveLength(10); // every line answered: no reasoning_effort reached a model that refuses it
      for (const request of emulator.batchRequests(row.openai_batch_id!)) {
        expect(request.facts!.imageCount).toBeGreaterThan(1);
        const estimate = requestTokens(request.body as any, fx.ctx.settings.imageSize);
        const line = output.find((l) => l.custom_id === request.custom_id)!;
        const prompt = (line.response!.body as any).usage.prompt_tokens as number;
        expect(Math.abs(estimate - prompt) / prompt).toBeLessThan(0.1);
      }
      // What OpenAI reported is what the items keep, for the cost figures.
      const items = await testDb.db.selectFrom('ai_batch_items').select(['input_tokens']).execute();
      expect(items.reduce((n, i) => n + i.input_tokens!, 0)).toBe(billed);
    },
  );
});
