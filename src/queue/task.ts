import type { Selectable } from 'kysely';
import type { ScrapeTasksTable, TaskStatus } from '../db/schema.js';

/** One row of scrape_tasks as the code sees it. */
export type Task = Selectable<ScrapeTasksTable>;

/**
 * Every column of a Task, for the queue's prepared statements (`RETURNING :task_columns` in sql/queue/): they list
 * their columns instead of `*`, because a prepared `*` fails once a migration adds a column under a running
 * process. A column added to the schema type but not here fails the type check below, instead of coming back
 * undefined from the queue.
 */
export const TASK_COLUMNS = [
  'id',
  'blog_id',
  'task_type',
  'status',
  'priority',
  'payload',
  'progress',
  'result',
  'dedupe_key',
  'attempts',
  'max_attempts',
  'error_message',
  'last_error_at',
  'run_at',
  'locked_by',
  'locked_until',
  'started_at',
  'completed_at',
  'created_at',
  'updated_at',
  'waiting_reason',
] as const satisfies ReadonlyArray<keyof Task>;
const everyColumnListed: Exclude<keyof Task, (typeof TASK_COLUMNS)[number]> extends never ? true : never = true;
void everyColumnListed;

/**
 * What a claim returns (`RETURNING :claimed_columns` in claim.sql and complete-claim.sql): what handlers, the runner
 * and its observer read of the task they run. The rest (status is 'running', result, error and timestamps) is known
 * or of no use to a run, and a claim returns one row per task on the busy path (issue 14: cut per-task work).
 */
export const CLAIMED_COLUMNS = [
  'id',
  'blog_id',
  'task_type',
  'payload',
  'progress',
  'priority',
  'attempts',
  'max_attempts',
  'run_at',
  'locked_by',
] as const satisfies ReadonlyArray<keyof Task>;

/** A task as a run sees it (TaskContext.task). */
export type ClaimedTask = Pick<Task, (typeof CLAIMED_COLUMNS)[number]>;

/** The variables of the queue's SQL files (src/db/sql-file.ts substitutes them). */
export const TASK_SQL_VARIABLES = {
  task_columns: TASK_COLUMNS.join(', '),
  claimed_columns: CLAIMED_COLUMNS.join(', '),
};

/**
 * A task is live from enqueue until it settles: at most one live task per dedupe key (the unique index of
 * migration 0001 repeats this list in its predicate), and only live tasks can be cancelled.
 */
export const LIVE_STATUSES = ['pending', 'running', 'waiting_batch'] as const satisfies readonly TaskStatus[];
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/**
 * The task kinds this version knows, once: every list and type below is derived from this table, never retyped.
 * `needsAccount`: runs on an Instagram account, so it is claimed only while one is usable (src/tasks/claim-plan.ts).
 * `bulkClaimed`: never claimed by the runner; the AI batch builder takes such tasks in bulk (batch-claim.ts).
 * scrape_tasks_claimable leaves them out (migration 0018) and the runner's claims (sql/queue/claim.sql,
 * complete-claim.sql) repeat that predicate, so a backlog of them is never walked; they cannot be registered.
 * `priorities`: SPEC §4, lower runs first, by who asks. A new kind is one entry here plus its handler in
 * src/tasks/registry.ts, which fails to compile until it has one (ARCHITECTURE.md, "How to add…").
 */
export const TASK_KINDS = {
  full_scrape: { needsAccount: true, priorities: { manual: 2, discovered: 5, scheduled: 8 } },
  discover: { needsAccount: true, priorities: { manual: 4, weekly: 10 } },
  ai_analysis: { bulkClaimed: true, priorities: { afterScrape: 3 } },
  followers: { needsAccount: true, priorities: { manual: 4 } },
  audience_quality: { needsAccount: true, priorities: { manual: 4 } },
  // schedule_updates' daily profile-only refresh (one request) for the growth series.
  profile_refresh: { needsAccount: true, priorities: { scheduled: 9 } },
  similar_accounts: { needsAccount: true, priorities: { manual: 4 } },
  // The Graph API source runs on a connected token, never on a pool account.
  graph_discovery: { priorities: { manual: 2 } },
  graph_media_sync: { priorities: { manual: 2, scheduled: 8 } },
} as const satisfies Record<string, TaskKind>;

export interface TaskKind {
  needsAccount?: boolean;
  bulkClaimed?: boolean;
  priorities: Readonly<Record<string, number>>;
}

export type TaskType = keyof typeof TASK_KINDS;
export const TASK_TYPES = Object.keys(TASK_KINDS) as [TaskType, ...TaskType[]];

type KindsWith<Flag extends 'needsAccount' | 'bulkClaimed'> = {
  [T in TaskType]: (typeof TASK_KINDS)[T] extends Record<Flag, true> ? T : never;
}[TaskType];
/** Types the runner never claims (see TASK_KINDS). */
export type BulkClaimedType = KindsWith<'bulkClaimed'>;
/** Types the runner claims: each has a handler in src/tasks/registry.ts. */
export type RunnerTaskType = Exclude<TaskType, BulkClaimedType>;

const kindsWith = (flag: 'needsAccount' | 'bulkClaimed'): TaskType[] =>
  TASK_TYPES.filter((type) => (TASK_KINDS[type] as TaskKind)[flag] === true);
export const BULK_CLAIMED_TYPES: readonly string[] = kindsWith('bulkClaimed');
/** The task types that run on an Instagram account (the claim plan holds them back while none is usable). */
export const ACCOUNT_TASK_TYPES: readonly string[] = kindsWith('needsAccount');

/** SPEC §4 priorities under the names the callers use, read from TASK_KINDS. */
export const PRIORITY = {
  manualScrape: TASK_KINDS.full_scrape.priorities.manual,
  aiAnalysis: TASK_KINDS.ai_analysis.priorities.afterScrape,
  manualDiscover: TASK_KINDS.discover.priorities.manual,
  discoveredScrape: TASK_KINDS.full_scrape.priorities.discovered,
  scheduledRescrape: TASK_KINDS.full_scrape.priorities.scheduled,
  weeklyDiscover: TASK_KINDS.discover.priorities.weekly,
  /** schedule_updates' daily profile-only refresh (one request, for the growth series). */
  profileRefresh: TASK_KINDS.profile_refresh.priorities.scheduled,
} as const;

export interface NewTask {
  type: string;
  payload?: Record<string, unknown>;
  priority?: number;
  blogId?: number | null;
  /** Live tasks (pending/running/waiting_batch) are unique per dedupe key: enqueueing again returns the existing one. */
  dedupeKey?: string | null;
  maxAttempts?: number;
  runAt?: Date | null;
}
