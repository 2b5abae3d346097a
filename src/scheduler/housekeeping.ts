import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Pruning by age, in batches: each DELETE touches at most `batchSize` rows, so it never holds long locks or bloats
 * one transaction, and the queue's claim index (over pending rows only) never carries finished work.
 */
export interface PruneSettings {
  tasksAfterDays: number;
  failedTasksAfterDays: number;
  activityAfterDays: number;
  batchSize: number;
}

const olderThan = (column: string, days: number) => sql`${sql.ref(column)} < now() - ${days} * interval '1 day'`;

export async function pruneOldRows(db: Kysely<Database>, settings: PruneSettings): Promise<Record<string, number>> {
  const { batchSize } = settings;
  return {
    tasks: await pruneInBatches(
      db,
      'scrape_tasks',
      'id',
      sql`(status IN ('done', 'cancelled') AND ${olderThan('completed_at', settings.tasksAfterDays)})
          OR (status = 'failed' AND ${olderThan('completed_at', settings.failedTasksAfterDays)})`,
      batchSize,
    ),
    activity_log: await pruneInBatches(db, 'activity_log', 'id', olderThan('created_at', settings.activityAfterDays), batchSize),
    // scheduler_runs has a composite key: ctid names a row for the batched delete.
    scheduler_runs: await pruneInBatches(db, 'scheduler_runs', 'ctid', olderThan('started_at', settings.activityAfterDays), batchSize),
    // The webhook outbox with its delivery log (deleted with the event); an event still owed to a receiver stays.
    webhook_events: await pruneInBatches(
      db,
      'webhook_events',
      'id',
      sql`${olderThan('created_at', settings.activityAfterDays)}
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries AS d WHERE d.event_id = webhook_events.id AND d.status = 'pending')`,
      batchSize,
    ),
  };
}

async function pruneInBatches(
  db: Kysely<Database>,
  table: string,
  key: string,
  condition: RawBuilder<unknown>,
  batchSize: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await sql<{ n: number }>`WITH gone AS (
        DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (
          SELECT ${sql.ref(key)} FROM ${sql.table(table)} WHERE ${condition} LIMIT ${batchSize})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`.execute(db);
    const deleted = rows[0]?.n ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
