import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadSql, runSql } from '../db/sql-file.js';
import type { Task } from './task.js';

const CLAIM = loadSql('queue/claim.sql');

export interface ClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Only these types are claimed: a worker takes only work it can run now (e.g. no Instagram task without an account). */
  taskTypes: readonly string[];
}

export async function claimTasks(db: Kysely<Database>, request: ClaimRequest): Promise<Task[]> {
  if (request.limit <= 0 || request.taskTypes.length === 0) return [];
  const rows = await runSql<Task>(db, CLAIM, [request.workerId, request.limit, request.leaseMs, request.taskTypes]);
  // UPDATE … RETURNING does not keep the CTE's order; restore it so the most urgent task starts first.
  return rows.sort((a, b) => a.priority - b.priority || +a.run_at - +b.run_at || a.id - b.id);
}

const COMPLETE_CLAIM = loadSql('queue/complete-claim.sql');

/**
 * completeTask and claimTasks in one statement, for a worker whose task just succeeded and that wants work for the
 * freed slot. `completed` is false when the lease was gone (the result is then discarded, as with completeTask).
 */
export async function completeAndClaim(
  db: Kysely<Database>,
  finished: { id: number; leaseToken: string },
  result: Record<string, unknown> | undefined,
  request: ClaimRequest,
): Promise<{ completed: boolean; claimed: Task[] }> {
  const rows = await runSql<Task & { completed: boolean }>(db, COMPLETE_CLAIM, [
    finished.id,
    finished.leaseToken,
    result === undefined ? null : JSON.stringify(result),
    request.limit,
    request.leaseMs,
    request.taskTypes,
    request.workerId,
  ]);
  const claimed = rows
    .filter((row) => row.id !== null)
    .map(({ completed: _, ...task }) => task as Task)
    .sort((a, b) => a.priority - b.priority || +a.run_at - +b.run_at || a.id - b.id);
  return { completed: rows[0]?.completed ?? false, claimed };
}
