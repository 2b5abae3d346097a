import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadPreparedSql, runSql } from '../db/sql-file.js';
import { LIVE_STATUSES, type NewTask, type Task } from './task.js';

const ENQUEUE = loadPreparedSql('queue/enqueue.sql');

export interface Enqueued {
  task: Task;
  /** false when a live task with the same dedupe key already existed and is returned instead. */
  created: boolean;
}

/**
 * Enqueues tasks in one INSERT; tasks whose dedupe key is taken by a live task come back as that task. The result
 * is in the order of the input. Runs on a database or inside a caller's transaction.
 */
export async function enqueueTasks(
  db: Kysely<Database>,
  tasks: readonly NewTask[],
  defaults: { maxAttempts: number },
): Promise<Enqueued[]> {
  if (tasks.length === 0) return [];
  // Inserted in dedupe-key order: two enqueues racing for the same keys then wait on the unique index in the same
  // order, never on each other in a cycle (a deadlock). Results are matched by key below, whatever the order.
  const rows = [...tasks].sort((a, b) => compareKeys(a.dedupeKey, b.dedupeKey));
  const payloadsJson = JSON.stringify(rows.map((t) => t.payload ?? {}));
  const inserted = await runSql<InsertedRow>(db, ENQUEUE, [
    rows.map((t) => t.type),
    payloadsJson,
    rows.map((t) => t.priority ?? DEFAULT_PRIORITY),
    rows.map((t) => t.blogId ?? null),
    rows.map((t) => t.dedupeKey ?? null),
    rows.map((t) => t.maxAttempts ?? defaults.maxAttempts),
    rows.map((t) => t.runAt ?? null),
  ]);
  // No ANALYZE after a bulk insert (there was one after 5,000 rows): the claims read one range of
  // scrape_tasks_claimable per type whatever the statistics say (migration 0029; test/queue/queue.test.ts "stale
  // statistics"), and the ANALYZE cost the server 36–39 ms per 20,000-task enqueue on the API's path (issue 14).
  const created = tasksOfInserted(inserted, rows, JSON.parse(payloadsJson) as Record<string, unknown>[], defaults);
  const byKey = new Map(created.filter((t) => t.dedupe_key).map((t) => [t.dedupe_key!, t]));
  const withoutKey = created.filter((t) => !t.dedupe_key);
  const missing = tasks.map((t) => t.dedupeKey).filter((key): key is string => !!key && !byKey.has(key));
  const existing = new Map((await findLive(db, missing)).map((t) => [t.dedupe_key!, t]));

  const results: Enqueued[] = [];
  // An index, not shift(): shift moves the whole array each time, quadratic on a bulk enqueue (150,000 tasks spent
  // 2 s of the event loop here while the runner waited to start them; issue 14).
  let nextWithoutKey = 0;
  for (const task of tasks) {
    if (!task.dedupeKey) {
      results.push({ task: withoutKey[nextWithoutKey++]!, created: true });
      continue;
    }
    const made = byKey.get(task.dedupeKey);
    if (made) {
      results.push({ task: made, created: true });
      byKey.delete(task.dedupeKey); // a key repeated in the input maps to the same task, reported as existing
      existing.set(task.dedupeKey, made);
      continue;
    }
    const found = existing.get(task.dedupeKey);
    // The live task finished between our INSERT and SELECT: its key is free again, so enqueue it anew.
    if (!found) results.push(...(await enqueueTasks(db, [task], defaults)));
    else results.push({ task: found, created: false });
  }
  return results;
}

/** One task: the new one, or the live one that holds its dedupe key. */
export async function enqueueTask(db: Kysely<Database>, task: NewTask, defaults: { maxAttempts: number }): Promise<Enqueued> {
  const [enqueued] = await enqueueTasks(db, [task], defaults);
  return enqueued!;
}

/** What the INSERT returns (sql/queue/enqueue.sql): what only the server knows, and the key matching a row to its input. */
interface InsertedRow {
  id: number;
  dedupe_key: string | null;
  created_at: Date;
}

/** scrape_tasks.priority's default (migration 0001), for a task enqueued without one. */
const DEFAULT_PRIORITY = 5;

/**
 * The inserted tasks as a SELECT would read them back, built from the input and the columns' defaults (migration 0001)
 * instead of returned by the INSERT (see enqueue.sql). `rows` are the INSERT's input in its order and `payloads` their
 * payloads as sent (a JSON round trip: what jsonb keeps, though in the caller's key order, where jsonb orders keys
 * by length). Rows come back in insertion order; a row skipped for its key is missing, and a key repeated in the input
 * was inserted for its first occurrence. test/queue/queue.test.ts compares every column with the stored row.
 */
function tasksOfInserted(
  inserted: readonly InsertedRow[],
  rows: readonly NewTask[],
  payloads: readonly Record<string, unknown>[],
  defaults: { maxAttempts: number },
): Task[] {
  const firstWithKey = new Map<string, number>();
  const withoutKey: number[] = [];
  rows.forEach((task, i) => {
    if (!task.dedupeKey) withoutKey.push(i);
    else if (!firstWithKey.has(task.dedupeKey)) firstWithKey.set(task.dedupeKey, i);
  });
  let nextWithoutKey = 0;
  return inserted.map(({ id, dedupe_key, created_at }) => {
    const i = dedupe_key ? firstWithKey.get(dedupe_key)! : withoutKey[nextWithoutKey++]!;
    const input = rows[i]!;
    return {
      id,
      blog_id: input.blogId ?? null,
      task_type: input.type,
      status: 'pending',
      priority: input.priority ?? DEFAULT_PRIORITY,
      payload: payloads[i]!,
      progress: null,
      result: null,
      dedupe_key,
      attempts: 0,
      max_attempts: input.maxAttempts ?? defaults.maxAttempts,
      error_message: null,
      waiting_reason: null,
      last_error_at: null,
      run_at: new Date(input.runAt ?? created_at),
      locked_by: null,
      locked_until: null,
      started_at: null,
      completed_at: null,
      created_at,
      updated_at: new Date(created_at),
    };
  });
}

async function findLive(db: Kysely<Database>, keys: string[]): Promise<Task[]> {
  if (keys.length === 0) return [];
  return db.selectFrom('scrape_tasks').selectAll().where('dedupe_key', 'in', keys).where('status', 'in', LIVE_STATUSES).execute();
}

/** Keys in code-point order, tasks without one last (they take no lock on the dedupe index). */
function compareKeys(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b || (a == null && b == null)) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  return a < b ? -1 : 1;
}
