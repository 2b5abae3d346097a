import { sql, type Kysely } from 'kysely';
import { TASK_STATUSES, type Database, type TaskStatus } from '../db/schema.js';
import { LIVE_STATUSES, type LiveStatus, type Task } from './task.js';
import { fetchPage } from '../db/page.js';

export interface TaskFilter {
  status?: TaskStatus;
  taskType?: string;
  limit: number;
  offset: number;
}

/** Newest first. Fetches one extra row to say whether another page exists without counting the whole table. */
export async function listTasks(db: Kysely<Database>, filter: TaskFilter): Promise<{ items: Task[]; hasMore: boolean }> {
  let query = db.selectFrom('scrape_tasks').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.taskType) query = query.where('task_type', '=', filter.taskType);
  return fetchPage(query.orderBy('id', 'desc'), filter);
}

export async function getTask(db: Kysely<Database>, id: number): Promise<Task | undefined> {
  return db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Counts by status and type, for health and stats. */
export async function countTasks(db: Kysely<Database>): Promise<{ status: TaskStatus; task_type: string; count: number }[]> {
  return db
    .selectFrom('scrape_tasks')
    .select(['status', 'task_type', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['status', 'task_type'])
    .execute();
}

/**
 * Live tasks by status, exactly, in one round trip. Each count is written to match one partial index, so none scans
 * the table: pending is scrape_tasks_claimable (every type but ai_analysis, migration 0018) plus
 * scrape_tasks_ai_pending; running is scrape_tasks_running_lease; waiting_batch is scrape_tasks_settled.
 */
export async function countLiveTasks(db: Kysely<Database>): Promise<Record<LiveStatus, number>> {
  const { rows } = await sql<Record<LiveStatus, number>>`SELECT
      (SELECT count(*) FROM scrape_tasks WHERE status = 'pending' AND task_type <> 'ai_analysis')
        + (SELECT count(*) FROM scrape_tasks WHERE status = 'pending' AND task_type = 'ai_analysis') AS pending,
      (SELECT count(*) FROM scrape_tasks WHERE status = 'running') AS running,
      (SELECT count(*) FROM scrape_tasks WHERE status = 'waiting_batch') AS waiting_batch`.execute(db);
  const row = rows[0]!;
  return { pending: Number(row.pending), running: Number(row.running), waiting_batch: Number(row.waiting_batch) };
}

/**
 * Settled tasks (done, failed, cancelled: a million rows after a while) by status, one index-only count each through
 * scrape_tasks_settled. Costs about 200 ms at 1,000,000 tasks: callers cache it.
 */
export async function countSettledTasks(db: Kysely<Database>): Promise<Record<string, number>> {
  const settled = TASK_STATUSES.filter((s) => !(LIVE_STATUSES as readonly string[]).includes(s));
  const rows = await Promise.all(
    settled.map((status) =>
      db
        .selectFrom('scrape_tasks')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('status', '=', status)
        .executeTakeFirstOrThrow(),
    ),
  );
  return Object.fromEntries(settled.map((s, i) => [s, Number(rows[i]!.count)]));
}
