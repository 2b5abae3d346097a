import type { Kysely, Selectable } from 'kysely';
import type { ActivityKind, ActivityLogTable, Database } from '../db/schema.js';
import { fetchPage } from '../db/page.js';

export interface ActivityFilter {
  accountId?: number;
  outcome?: string;
  kind?: ActivityKind;
  taskId?: number;
  since?: Date;
  until?: Date;
  /** Keyset paging: only rows with a smaller id (the `next_before_id` of the previous page). */
  beforeId?: number;
  /** Following: only rows with a larger id, oldest first. */
  afterId?: number;
  limit: number;
  offset: number;
}

/** A log row as the table has it (db/schema.ts), with the account's username and the proxy's label joined. */
export type ActivityRow = Selectable<ActivityLogTable> & {
  account_username: string | null;
  proxy_label: string | null;
};

/**
 * activity_log joined to the account's username and the proxy's label, and nothing else of those tables: no encrypted
 * column can ever be selected into a response. The base of the log list and of the live tail (activity-since.ts).
 */
export function activityRows(db: Kysely<Database>) {
  return db
    .selectFrom('activity_log as l')
    .leftJoin('ig_accounts as a', 'a.id', 'l.account_id')
    .leftJoin('proxies as p', 'p.id', 'l.proxy_id')
    .select([
      'l.id',
      'l.created_at',
      'l.kind',
      'l.action',
      'l.outcome',
      'l.http_status',
      'l.duration_ms',
      'l.error',
      'l.task_id',
      'l.account_id',
      'a.username as account_username',
      'l.proxy_id',
      'p.label as proxy_label',
    ]);
}

/**
 * activity_log newest first (by id, which follows insertion), or oldest first after an id (following the log), joined to the account's username and the proxy's
 * label — and nothing else of those tables, so no encrypted column can ever be selected into a response. One extra
 * row says whether another page exists without counting a table that grows by every Instagram call.
 */
export async function listActivity(db: Kysely<Database>, filter: ActivityFilter): Promise<{ items: ActivityRow[]; hasMore: boolean }> {
  let query = activityRows(db);
  if (filter.accountId !== undefined) query = query.where('l.account_id', '=', filter.accountId);
  if (filter.outcome !== undefined) query = query.where('l.outcome', '=', filter.outcome);
  if (filter.kind !== undefined) query = query.where('l.kind', '=', filter.kind);
  if (filter.taskId !== undefined) query = query.where('l.task_id', '=', filter.taskId);
  if (filter.since !== undefined) query = query.where('l.created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('l.created_at', '<', filter.until);
  if (filter.beforeId !== undefined) query = query.where('l.id', '<', filter.beforeId);
  if (filter.afterId !== undefined) query = query.where('l.id', '>', filter.afterId);
  return fetchPage(query.orderBy('l.id', filter.afterId === undefined ? 'desc' : 'asc'), filter);
}

/** An account given as an id or a username (with or without @, any case); undefined when there is none. */
export async function resolveAccount(db: Kysely<Database>, ref: string): Promise<{ id: number; username: string } | undefined> {
  const trimmed = ref.trim();
  const query = db.selectFrom('ig_accounts').select(['id', 'username']);
  if (/^\d{1,15}$/.test(trimmed)) return query.where('id', '=', Number(trimmed)).executeTakeFirst();
  return query.where('username', '=', trimmed.replace(/^@/, '').toLowerCase()).executeTakeFirst();
}
