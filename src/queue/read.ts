import type { Kysely } from 'kysely';
import type { Database, TaskStatus } from '../db/schema.js';
import type { Task } from './task.js';

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
  const rows = await query.orderBy('id', 'desc').limit(filter.limit + 1).offset(filter.offset).execute();
  return { items: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
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
