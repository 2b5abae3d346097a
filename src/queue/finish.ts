import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadPreparedSql, loadSql, runSql } from '../db/sql-file.js';
import { TASK_SQL_VARIABLES, type Task } from './task.js';

/**
 * How a run ends, other than by success (completeAndClaim in claim.ts, which batches it with the next claim). Every
 * function here is conditioned on the lease (locked_by = the run's lease token), so a run that lost its lease — its
 * task was cancelled, or recovered after it stalled and claimed again — cannot overwrite the outcome. Each returns
 * the updated task, or undefined when the lease was no longer held.
 */

const FAIL = loadPreparedSql('queue/fail.sql', TASK_SQL_VARIABLES);
const RENEW = loadPreparedSql('queue/renew.sql');
const HAND_BACK = loadSql('queue/hand-back.sql');

/** A task as the runner holds it: its id and the lease token of the claim that took it. */
export interface Lease {
  id: number;
  leaseToken: string;
}

/** A task handed back through no fault of its own gets the attempt its claim spent (UPDATE … SET attempts = this). */
export const ATTEMPT_GIVEN_BACK = sql<number>`greatest(attempts - 1, 0)`;

/**
 * A lease token is set exactly while the task runs (the CHECK on scrape_tasks ties locked_by to status 'running'),
 * so the token alone proves the lease. Leaving status out also leaves the planner one index, the primary key: with
 * `status = 'running'` a generic plan (the queue's pool) may walk scrape_tasks_running_lease instead.
 */
// biome-ignore lint/suspicious/noExplicitAny: kysely's where-callback type for one table is long and says nothing more
const heldBy = (id: number, leaseToken: string) => (eb: any) => eb.and([eb('id', '=', id), eb('locked_by', '=', leaseToken)]);

export interface FailOptions {
  message: string;
  retryable: boolean;
  backoffBaseMs: number;
  backoffFactor: number;
}

export async function failTask(db: Kysely<Database>, id: number, workerId: string, options: FailOptions): Promise<Task | undefined> {
  const [row] = await runSql<Task>(db, FAIL, [
    id,
    workerId,
    options.message.slice(0, 4000),
    options.retryable,
    options.backoffBaseMs,
    options.backoffFactor,
  ]);
  return row;
}

/**
 * Hands a task back to pending without spending its attempt: on shutdown, or when the task must wait for something
 * that is not its fault (every Instagram account busy or cooling down) until `runAt`. Progress is kept, so the next
 * run resumes from the checkpoint.
 */
export async function releaseTask(db: Kysely<Database>, id: number, workerId: string, runAt?: Date, reason?: string) {
  return db
    .updateTable('scrape_tasks')
    .set({
      status: 'pending',
      attempts: ATTEMPT_GIVEN_BACK,
      run_at: runAt ?? sql<Date>`now()`,
      locked_by: null,
      locked_until: null,
      updated_at: sql`now()`,
      // Not error_message: that keeps the last real error, and a wait is none (issue 15).
      ...(reason ? { waiting_reason: reason } : {}),
    })
    .where(heldBy(id, workerId))
    .returningAll()
    .executeTakeFirst();
}

/** Extends the lease; false means the lease is gone (cancelled or recovered) and the run should stop. */
export async function renewLease(db: Kysely<Database>, id: number, workerId: string, leaseMs: number): Promise<boolean> {
  const row = await db
    .updateTable('scrape_tasks')
    .set({ locked_until: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(heldBy(id, workerId))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Extends many leases in one statement (the runner's renewal tick); returns the ids whose lease was still held. */
export async function renewLeases(db: Kysely<Database>, leases: readonly Lease[], leaseMs: number): Promise<Set<number>> {
  if (leases.length === 0) return new Set();
  const rows = await runSql<{ id: number }>(db, RENEW, [leases.map((l) => l.id), leases.map((l) => l.leaseToken), leaseMs]);
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Gives tasks claimed ahead and never started back to pending, with the attempt their claim spent and their place in
 * line, and wakes every process's workers; returns how many were still held.
 */
export async function handBackUnstarted(db: Kysely<Database>, leases: readonly Lease[]): Promise<number> {
  if (leases.length === 0) return 0;
  const rows = await runSql<{ id: number }>(db, HAND_BACK, [leases.map((l) => l.id), leases.map((l) => l.leaseToken)]);
  return rows.length;
}

/** Checkpoints long work (cursor, counts) so an interrupted run resumes where it stopped. */
export async function saveProgress(db: Kysely<Database>, id: number, workerId: string, progress: Record<string, unknown>) {
  const row = await db
    .updateTable('scrape_tasks')
    .set({ progress: JSON.stringify(progress), updated_at: sql`now()` })
    .where(heldBy(id, workerId))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
