import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { dollars, priceOf, type PriceTable } from './prices.js';

/**
 * What AI analysis has cost, per creator, from the usage OpenAI reported on each answered line (ai_batch_items) and
 * the price table (AI_PRICES): the `ai.cost` section of GET /api/stats and the igscout_ai_* series of /metrics.
 * A "creator" here is one answered request line; creators skipped as unchanged cost nothing and are counted apart.
 */
export interface ModelCost {
  model: string;
  /** Request lines OpenAI answered with usage. */
  creators: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** Estimated $ from the price table; null when it has no price for the model. */
  dollars: number | null;
  tokens_per_creator: { input: number; output: number; reasoning: number };
  dollars_per_creator: number | null;
  price_per_million: { input: number; output: number } | null;
}

export interface AiCost {
  creators: number;
  /** ai_analysis tasks done without a request because the blog's prompt material was unchanged (0 tokens). */
  skipped_unchanged: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  dollars: number;
  dollars_per_creator: number | null;
  dollars_per_1000_creators: number | null;
  by_model: ModelCost[];
}

export async function aiCost(db: Kysely<Database>, prices: PriceTable): Promise<AiCost> {
  const { rows } = await sql<{ model: string; creators: number; input: string; output: string; reasoning: string }>`
    SELECT b.model, count(*)::int AS creators, sum(i.input_tokens)::bigint AS input,
           coalesce(sum(i.output_tokens), 0)::bigint AS output, coalesce(sum(i.reasoning_tokens), 0)::bigint AS reasoning
      FROM ai_batch_items i JOIN ai_batches b ON b.id = i.batch_id
     WHERE i.input_tokens IS NOT NULL
     GROUP BY b.model ORDER BY b.model`.execute(db);
  const {
    rows: [skipped],
  } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM scrape_tasks
     WHERE task_type = 'ai_analysis' AND status = 'done' AND result ->> 'unchanged' = 'true'`.execute(db);
  const byModel = rows.map((row): ModelCost => {
    const [input, output, reasoning] = [Number(row.input), Number(row.output), Number(row.reasoning)];
    const price = priceOf(row.model, prices);
    const cost = price ? dollars(price, input, output) : null;
    const per = (n: number) => Math.round(n / row.creators);
    return {
      model: row.model,
      creators: row.creators,
      input_tokens: input,
      output_tokens: output,
      reasoning_tokens: reasoning,
      dollars: cost,
      tokens_per_creator: { input: per(input), output: per(output), reasoning: per(reasoning) },
      dollars_per_creator: cost === null ? null : cost / row.creators,
      price_per_million: price ? { input: price.input, output: price.output } : null,
    };
  });
  const sum = (pick: (m: ModelCost) => number) => byModel.reduce((n, m) => n + pick(m), 0);
  const creators = sum((m) => m.creators);
  const total = sum((m) => m.dollars ?? 0);
  return {
    creators,
    skipped_unchanged: skipped?.n ?? 0,
    input_tokens: sum((m) => m.input_tokens),
    output_tokens: sum((m) => m.output_tokens),
    reasoning_tokens: sum((m) => m.reasoning_tokens),
    dollars: total,
    dollars_per_creator: creators > 0 ? total / creators : null,
    dollars_per_1000_creators: creators > 0 ? (1000 * total) / creators : null,
    by_model: byModel,
  };
}
