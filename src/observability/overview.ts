import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface QueueDepth {
  task_type: string;
  due: number;
  pending: number;
  running: number;
  waiting_batch: number;
}

export interface Throughput {
  task_type: string;
  done: number;
  failed: number;
}

/** Live tasks by type: due now, pending in all (due later too), running, waiting on an AI batch. */
export async function queueDepth(db: Kysely<Database>): Promise<QueueDepth[]> {
  const { rows } = await sql<QueueDepth>`
    SELECT task_type,
           count(*) FILTER (WHERE status = 'pending' AND run_at <= now())::int AS due,
           count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'running')::int AS running,
           count(*) FILTER (WHERE status = 'waiting_batch')::int AS waiting_batch
      FROM scrape_tasks
     WHERE status IN ('pending', 'running', 'waiting_batch')
     GROUP BY task_type
     ORDER BY task_type`.execute(db);
  return rows;
}

/** Tasks that ended in the last hour, by type and outcome. */
export async function throughputLastHour(db: Kysely<Database>): Promise<Throughput[]> {
  const { rows } = await sql<Throughput>`
    SELECT task_type,
           count(*) FILTER (WHERE status = 'done')::int AS done,
           count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM scrape_tasks
     WHERE status IN ('done', 'failed') AND completed_at > now() - interval '1 hour'
     GROUP BY task_type
     ORDER BY task_type`.execute(db);
  return rows;
}

/** AI batches not yet processed (building, submitted, in progress at OpenAI, …). */
export async function openBatches(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('ai_batches')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('processed_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
