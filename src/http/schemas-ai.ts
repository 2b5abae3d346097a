import { z } from '@hono/zod-openapi';
import { idParam, pageOf, paging } from './schemas.js';

/** Schemas of /api/batches, /api/categories and the `ai` section of /api/stats (also the OpenAPI document). */

export const BATCH_STATUSES = [
  'building',
  'validating',
  'in_progress',
  'finalizing',
  'cancelling',
  'completed',
  'expired',
  'failed',
  'cancelled',
  'submit_failed',
  'abandoned',
] as const;

export const BatchListQuery = z.strictObject({
  status: z.enum(BATCH_STATUSES).optional(),
  open: z.enum(['true', 'false']).optional().openapi({ description: 'true: not yet processed; false: closed' }),
  ...paging({ max: 500, default: 50 }),
});

const Tokens = z.object({ input: z.number().int(), output: z.number().int(), total: z.number().int() });
const Outcomes = z.object({
  ok: z.number().int(),
  refused: z.number().int(),
  invalid: z.number().int().openapi({ description: 'Answers that were not JSON or not the AIInsights schema (retried)' }),
  error: z.number().int().openapi({ description: 'Failed requests: error-file lines (retried)' }),
  missing: z.number().int().openapi({ description: 'Requests never run: expired, cancelled or failed batch (retried)' }),
});

export const BatchSchema = z
  .object({
    id: z.number().int(),
    openai_batch_id: z.string().nullable(),
    status: z.enum(BATCH_STATUSES),
    model: z.string(),
    request_count: z.number().int(),
    input_bytes: z.number().int().openapi({ description: 'Size of the uploaded JSONL' }),
    tokens: Tokens.openapi({ description: 'Summed from the output lines (what the batch cost)' }),
    outcomes: Outcomes,
    input_file_id: z.string().nullable(),
    output_file_id: z.string().nullable(),
    error_file_id: z.string().nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    submitted_at: z.string().nullable(),
    last_polled_at: z.string().nullable(),
    finished_at: z.string().nullable().openapi({ description: 'When OpenAI reached a final status' }),
    cancel_requested_at: z.string().nullable(),
    processed_at: z.string().nullable().openapi({ description: 'When its results were applied; null while open' }),
  })
  .openapi('AiBatch');

export const BatchListSchema = pageOf(BatchSchema, 'AiBatchList');

const PerCreator = z.object({ input: z.number().int(), output: z.number().int(), reasoning: z.number().int() });
const Price = z
  .object({ input: z.number(), output: z.number() })
  .nullable()
  .openapi({ description: '$ per 1M tokens (Batch API) from AI_PRICES; null: no price for this model' });

/** Issue 22: what analysis cost, from the usage OpenAI reported and the price table (src/ai/cost.ts). */
export const AiCostSchema = z
  .object({
    creators: z.number().int().openapi({ description: 'Request lines OpenAI answered with usage (one per creator analysed)' }),
    skipped_unchanged: z
      .number()
      .int()
      .openapi({ description: 'Analyses skipped because the prompt material was unchanged since the last one (0 tokens)' }),
    input_tokens: z.number().int(),
    output_tokens: z.number().int().openapi({ description: 'Reasoning included' }),
    reasoning_tokens: z.number().int(),
    dollars: z.number().openapi({ description: 'Estimated US dollars, all models' }),
    dollars_per_creator: z.number().nullable(),
    dollars_per_1000_creators: z.number().nullable(),
    by_model: z.array(
      z.object({
        model: z.string(),
        creators: z.number().int(),
        input_tokens: z.number().int(),
        output_tokens: z.number().int(),
        reasoning_tokens: z.number().int(),
        dollars: z.number().nullable(),
        tokens_per_creator: PerCreator,
        dollars_per_creator: z.number().nullable(),
        price_per_million: Price,
      }),
    ),
  })
  .openapi('AiCost');

export const AiStatsSchema = z
  .object({
    enabled: z.boolean().openapi({ description: 'false without OPENAI_API_KEY: ai_analysis tasks wait' }),
    model: z.string(),
    batches: z.object({ total: z.number().int(), open: z.number().int(), by_status: z.record(z.string(), z.number().int()) }),
    requests: z.number().int(),
    input_bytes: z.number().int(),
    tokens: Tokens,
    outcomes: Outcomes,
    last_24h: z.object({ batches: z.number().int(), requests: z.number().int(), total_tokens: z.number().int() }),
    tasks: z.object({ pending: z.number().int(), waiting_batch: z.number().int(), oldest_pending_at: z.string().nullable() }),
    cost: AiCostSchema,
  })
  .openapi('AiStats');

export const CategoryName = z
  .string()
  .trim()
  .min(1, 'give a name')
  .max(64, 'at most 64 characters')
  .refine((name) => /^[\p{L}\p{N}][\p{L}\p{N} &'_\-/]*$/u.test(name), {
    error: "letters, digits, spaces and & ' _ - / only, starting with a letter or digit",
  })
  .openapi({ example: 'family & kids' });

export const CreateCategoryBody = z.strictObject({ name: CategoryName }).openapi('CreateCategory');

export const CategorySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    blogs: z.number().int().openapi({ description: 'Blogs in this category' }),
    primary_blogs: z.number().int().openapi({ description: 'Blogs whose primary topic it is' }),
    created_at: z.string(),
  })
  .openapi('Category');

export const CategoryListSchema = z.object({ items: z.array(CategorySchema) }).openapi('CategoryList');

export const CategoryIdParam = idParam('category', 1);
