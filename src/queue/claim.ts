import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { loadPreparedSql, runSql } from '../db/sql-file.js';
import { TASK_SQL_VARIABLES, type ClaimedTask } from './task.js';

const CLAIM = loadPreparedSql('queue/claim.sql', TASK_SQL_VARIABLES);
const COMPLETE_CLAIM = loadPreparedSql('queue/complete-claim.sql', TASK_SQL_VARIABLES);

export interface ClaimRequest {
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Only these types are claimed: a worker takes only work it can run now (e.g. no Instagram task without an account). */
  taskTypes: readonly string[];
}

/** A claim in groups, in order (the runner's claim plan): the later group gets the slots the earlier left. */
export interface GroupedClaimRequest extends ClaimRequest {
  /** Claimed after `taskTypes`, up to its own limit and to `total` for both groups together. */
  then?: { taskTypes: readonly string[]; limit: number };
  /** Slots for both groups together (default: `limit`). */
  total?: number;
}

/** A run that succeeded, identified by its lease token: only the holder of the lease may complete it. */
export interface Completion {
  id: number;
  leaseToken: string;
  result?: Record<string, unknown>;
}

export async function claimTasks(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedTask[]> {
  if (request.limit <= 0 || request.taskTypes.length === 0) return [];
  const rows = await runSql<ClaimedTask>(db, CLAIM, [request.workerId, request.limit, request.leaseMs, request.taskTypes]);
  return byUrgency(rows);
}

/**
 * Completes runs and claims tasks for the freed slots in one statement (`request` omitted: complete only).
 * `completed` holds the ids whose lease was still held; the others' results were discarded (cancelled or recovered).
 */
export async function completeAndClaim(
  db: Kysely<Database>,
  finished: readonly Completion[],
  request?: GroupedClaimRequest,
): Promise<{ completed: Set<number>; claimed: ClaimedTask[] }> {
  const rows = await runSql<ClaimedTask & { completed: number[] | null }>(db, COMPLETE_CLAIM, [
    finished.map((f) => f.id),
    finished.map((f) => f.leaseToken),
    finished.map((f) => (f.result === undefined ? null : JSON.stringify(f.result))),
    request && request.taskTypes.length > 0 ? Math.max(0, request.limit) : 0,
    request?.leaseMs ?? 0,
    request?.taskTypes ?? [],
    request?.workerId ?? '',
    request?.then?.taskTypes ?? [],
    request?.then && request.then.taskTypes.length > 0 ? Math.max(0, request.then.limit) : 0,
    request?.total ?? request?.limit ?? 0,
  ]);
  const claimed = rows.filter((row) => row.id !== null).map(({ completed: _, ...task }) => task as ClaimedTask);
  // The first row carries `completed`. int8[] arrives as strings (only scalar int8 has our number parser).
  return { completed: new Set((rows[0]?.completed ?? []).map(Number)), claimed: byUrgency(claimed) };
}

/** UPDATE … RETURNING does not keep the claim's order; restore it so the most urgent task starts first. */
function byUrgency(tasks: ClaimedTask[]): ClaimedTask[] {
  return tasks.sort((a, b) => a.priority - b.priority || +a.run_at - +b.run_at || a.id - b.id);
}
