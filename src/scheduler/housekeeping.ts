import { sql, type Kysely } from 'kysely';
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

export async function pruneOldRows(db: Kysely<Database>, settings: PruneSettings): Promise<Record<string, number>> {
  return {
    tasks: await pruneInBatches(db, settings.batchSize, (limit) =>
      sql<{ n: number }>`WITH gone AS (
          DELETE FROM scrape_tasks WHERE id IN (
            SELECT id FROM scrape_tasks
            WHERE (status IN ('done', 'cancelled') AND completed_at < now() - ${settings.tasksAfterDays} * interval '1 day')
               OR (status = 'failed' AND completed_at < now() - ${settings.failedTasksAfterDays} * interval '1 day')
            LIMIT ${limit})
          RETURNING 1)
        SELECT count(*)::int AS n FROM gone`,
    ),
    activity_log: await pruneInBatches(db, settings.batchSize, (limit) =>
      sql<{ n: number }>`WITH gone AS (
          DELETE FROM activity_log WHERE id IN (
            SELECT id FROM activity_log WHERE created_at < now() - ${settings.activityAfterDays} * interval '1 day' LIMIT ${limit})
          RETURNING 1)
        SELECT count(*)::int AS n FROM gone`,
    ),
    scheduler_runs: await pruneInBatches(db, settings.batchSize, (limit) =>
      sql<{ n: number }>`WITH gone AS (
          DELETE FROM scheduler_runs WHERE ctid IN (
            SELECT ctid FROM scheduler_runs WHERE started_at < now() - ${settings.activityAfterDays} * interval '1 day' LIMIT ${limit})
          RETURNING 1)
        SELECT count(*)::int AS n FROM gone`,
    ),
  };
}

async function pruneInBatches(
  db: Kysely<Database>,
  batchSize: number,
  statement: (limit: number) => { execute(db: Kysely<Database>): Promise<{ rows: { n: number }[] }> },
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await statement(batchSize).execute(db);
    const deleted = rows[0]?.n ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
