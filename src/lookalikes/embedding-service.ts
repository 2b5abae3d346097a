import type { Kysely } from 'kysely';
import OpenAI from 'openai';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { EmbeddingService } from './embedding-batches.js';

/**
 * The embeddings of the lookalike ranking as the daemon runs them, beside the AI analysis and on its intervals
 * (submit every AI_BATCH_CHECK_INTERVAL_MS, poll every AI_POLL_INTERVAL_MS); nothing without OPENAI_API_KEY (the
 * similar list then keeps Instagram's order).
 */
export function createEmbeddingService(deps: { db: Kysely<Database>; config: Config; logger: Logger }): EmbeddingService | undefined {
  const { config } = deps;
  if (!config.OPENAI_API_KEY) return undefined;
  const client = new OpenAI({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL ?? null, maxRetries: 3, timeout: 120_000 });
  return new EmbeddingService(
    {
      db: deps.db,
      client,
      logger: deps.logger,
      settings: { model: config.EMBEDDING_MODEL, dimensions: config.EMBEDDING_DIMENSIONS, batchMax: config.EMBEDDING_BATCH_MAX },
    },
    { submitMs: config.AI_BATCH_CHECK_INTERVAL_MS, pollMs: config.AI_POLL_INTERVAL_MS },
  );
}
