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
  'id', 'blog_id', 'task_type', 'status', 'priority', 'payload', 'progress', 'result', 'dedupe_key', 'attempts',
  'max_attempts', 'error_message', 'last_error_at', 'run_at', 'locked_by', 'locked_until', 'started_at',
  'completed_at', 'created_at', 'updated_at', 'waiting_reason',
] as const satisfies ReadonlyArray<keyof Task>;
const everyColumnListed: Exclude<keyof Task, (typeof TASK_COLUMNS)[number]> extends never ? true : never = true;
void everyColumnListed;

/**
 * What a claim returns (`RETURNING :claimed_columns` in claim.sql and complete-claim.sql): what handlers, the runner
 * and its observer read of the task they run. The rest (status is 'running', result, error and timestamps) is known
 * or of no use to a run, and a claim returns one row per task on the busy path (issue 14: cut per-task work).
 */
export const CLAIMED_COLUMNS = [
  'id', 'blog_id', 'task_type', 'payload', 'progress', 'priority', 'attempts', 'max_attempts', 'run_at', 'locked_by',
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
 * Types the runner never claims: the AI batch builder takes them in bulk (src/ai/submit.ts, sql/ai/claim.sql).
 * scrape_tasks_claimable leaves them out (migration 0018) and the runner's claims (sql/queue/claim.sql,
 * complete-claim.sql) repeat that predicate, so a backlog of them is never walked; they cannot be registered.
 */
export const BULK_CLAIMED_TYPES = ['ai_analysis'] as const;

/** Task types this version knows. New ones are registered in src/tasks/registry.ts. */
export const TASK_TYPES = ['full_scrape', 'discover', 'ai_analysis', 'followers', 'audience_quality'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** SPEC §4 priorities: lower runs first. */
export const PRIORITY = {
  manualScrape: 2,
  aiAnalysis: 3,
  manualDiscover: 4,
  discoveredScrape: 5,
  scheduledRescrape: 8,
  weeklyDiscover: 10,
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
