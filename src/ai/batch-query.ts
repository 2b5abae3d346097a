import { sql, type Kysely } from 'kysely';
import type { AiBatchStatus, Database } from '../db/schema.js';
import type { BatchRow } from './batch-store.js';
import { aiCost, type AiCost } from './cost.js';
import { DEFAULT_AI_PRICES, type PriceTable } from './prices.js';
import { fetchPage } from '../db/page.js';

/** Read side of the AI batches: the list behind GET /api/batches and the `ai` section of GET /api/stats. */

export async function listBatches(
  db: Kysely<Database>,
  filter: { status?: AiBatchStatus; open?: boolean; limit: number; offset: number },
): Promise<{ items: BatchRow[]; hasMore: boolean }> {
  let query = db.selectFrom('ai_batches').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.open !== undefined) query = query.where('processed_at', filter.open ? 'is' : 'is not', null);
  return fetchPage(query.orderBy('id', 'desc'), filter);
}

export interface AiStats {
  batches: { total: number; open: number; by_status: Record<string, number> };
  requests: number;
  input_bytes: number;
  tokens: { input: number; output: number; total: number };
  outcomes: { ok: number; refused: number; invalid: number; error: number; missing: number };
  last_24h: { batches: number; requests: number; total_tokens: number };
  tasks: { pending: number; waiting_batch: number; oldest_pending_at: string | null };
  /** Tokens and estimated $ per creator, by model (cost.ts). */
  cost: AiCost;
}

/** Totals over all batches (cost: requests, bytes, tokens; outcomes) and the ai_analysis queue, in two queries. */
export async function aiStats(db: Kysely<Database>, prices: PriceTable = DEFAULT_AI_PRICES): Promise<AiStats> {
  const { rows: byStatus } = await sql<Record<string, number> & { status: string; open: number }>`
    SELECT status, count(*)::int AS batches, count(*) FILTER (WHERE processed_at IS NULL)::int AS open,
           sum(request_count)::bigint AS requests, sum(input_bytes)::bigint AS input_bytes,
           sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens, sum(total_tokens)::bigint AS total_tokens,
           sum(ok_count)::int AS ok, sum(refused_count)::int AS refused, sum(invalid_count)::int AS invalid,
           sum(error_count)::int AS error, sum(missing_count)::int AS missing,
           count(*) FILTER (WHERE created_at > now() - interval '1 day')::int AS day_batches,
           coalesce(sum(request_count) FILTER (WHERE created_at > now() - interval '1 day'), 0)::bigint AS day_requests,
           coalesce(sum(total_tokens) FILTER (WHERE created_at > now() - interval '1 day'), 0)::bigint AS day_tokens
      FROM ai_batches GROUP BY status`.execute(db);
  const total = (key: string) => byStatus.reduce((n, row) => n + Number(row[key] ?? 0), 0);
  const {
    rows: [queue],
  } = await sql<{ pending: number; waiting: number; oldest: Date | null }>`
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'waiting_batch')::int AS waiting,
           min(run_at) FILTER (WHERE status = 'pending') AS oldest
      FROM scrape_tasks WHERE task_type = 'ai_analysis' AND status IN ('pending', 'waiting_batch')`.execute(db);
  return {
    batches: {
      total: total('batches'),
      open: total('open'),
      by_status: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.batches)])),
    },
    requests: total('requests'),
    input_bytes: total('input_bytes'),
    tokens: { input: total('input_tokens'), output: total('output_tokens'), total: total('total_tokens') },
    outcomes: { ok: total('ok'), refused: total('refused'), invalid: total('invalid'), error: total('error'), missing: total('missing') },
    last_24h: { batches: total('day_batches'), requests: total('day_requests'), total_tokens: total('day_tokens') },
    tasks: {
      pending: queue?.pending ?? 0,
      waiting_batch: queue?.waiting ?? 0,
      oldest_pending_at: queue?.oldest ? new Date(queue.oldest).toISOString() : null,
    },
    cost: await aiCost(db, prices),
  };
}
