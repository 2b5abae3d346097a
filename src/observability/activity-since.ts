import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { activityRows, listActivity, type ActivityRow } from './activity-query.js';

/**
 * activity_log rows after a cursor, oldest first: what the live tail (GET /api/logs/stream) polls for. Same columns
 * and joins as listActivity (no encrypted column can be selected). Ids follow insertion; a row whose transaction
 * commits after a later id was already read is not shown by the tail (GET /api/logs has it), a live view's trade-off.
 */
export async function activityAfter(
  db: Kysely<Database>,
  filter: { afterId: number; accountId?: number; taskId?: number; limit: number },
): Promise<ActivityRow[]> {
  let query = activityRows(db).where('l.id', '>', filter.afterId);
  if (filter.accountId !== undefined) query = query.where('l.account_id', '=', filter.accountId);
  if (filter.taskId !== undefined) query = query.where('l.task_id', '=', filter.taskId);
  return query.orderBy('l.id', 'asc').limit(filter.limit).execute();
}

/** The newest activity id now (0 for an empty log): where a tail that does not resume starts. */
export async function latestActivityId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('activity_log')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The last `limit` matching rows up to `uptoId`, oldest first: the backlog a new tail opens with. */
export async function activityBacklog(
  db: Kysely<Database>,
  filter: { uptoId: number; accountId?: number; taskId?: number; limit: number },
): Promise<ActivityRow[]> {
  if (filter.limit === 0) return [];
  const page = await listActivity(db, {
    accountId: filter.accountId,
    taskId: filter.taskId,
    beforeId: filter.uptoId + 1,
    limit: filter.limit,
    offset: 0,
  });
  return page.items.reverse();
}
