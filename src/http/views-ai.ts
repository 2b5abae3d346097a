import type { z } from '@hono/zod-openapi';
import type { BatchRow } from '../ai/batch-store.js';
import type { CategoryRow } from '../ai/categories.js';
import { iso } from '../util/iso.js';
import type { BatchSchema, CategorySchema } from './schemas-ai.js';

/** AI batches and categories → API shapes (GET /api/batches, /api/categories). */

export function batchView(row: BatchRow): z.infer<typeof BatchSchema> {
  return {
    id: row.id,
    openai_batch_id: row.openai_batch_id,
    status: row.status,
    model: row.model,
    request_count: row.request_count,
    input_bytes: Number(row.input_bytes),
    tokens: { input: Number(row.input_tokens), output: Number(row.output_tokens), total: Number(row.total_tokens) },
    outcomes: {
      ok: row.ok_count,
      refused: row.refused_count,
      invalid: row.invalid_count,
      error: row.error_count,
      missing: row.missing_count,
    },
    input_file_id: row.input_file_id,
    output_file_id: row.output_file_id,
    error_file_id: row.error_file_id,
    error: row.error,
    created_at: row.created_at.toISOString(),
    submitted_at: iso(row.submitted_at),
    last_polled_at: iso(row.last_polled_at),
    finished_at: iso(row.finished_at),
    cancel_requested_at: iso(row.cancel_requested_at),
    processed_at: iso(row.processed_at),
  };
}

export function categoryView(row: CategoryRow): z.infer<typeof CategorySchema> {
  return { id: row.id, name: row.name, blogs: row.blogs, primary_blogs: row.primary_blogs, created_at: row.created_at.toISOString() };
}
