import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { markAccountHealthy, noteRequestsMade, recordActivity, type ActivityRow } from './events.js';

/**
 * The request ledger's one writer. Every Instagram request an account makes — a task's call, a login, a session
 * check — is one activity_log row of kind `request`: the budget (sql/accounts/acquire.sql), the stats and a task's
 * `requests` are counted from these rows, so they are written here and nowhere else, together with the account's
 * own counters and the lease's view of its budget (test/lint/table-owners.test.ts holds the rule).
 */
/** What the ledger reads and updates of an account lease (pool.ts's AccountLease). */
export interface LedgerLease {
  row: { id: number; proxy_id: number | null };
  used: number;
  lastRequestAt: Date | null;
}

export interface SpentRequests {
  lease: LedgerLease;
  taskId: number | null;
  action: string;
  /** HTTP requests the call made, from the client's responses (a request that got no answer still counts). */
  count: number;
  /** The last request's outcome (`ok`, or the verdict); the ones before it were answered, so they are `ok`. */
  outcome: string;
  startedAt: number;
  failure?: { httpStatus: number | null; message: string };
  /** A clean answer: the account's challenge and route-failure streaks reset. */
  healthy: boolean;
  /** What the requests were for, when that is a row of its own in the log (a login, a session check). */
  purpose?: 'login' | 'validation';
}

export async function recordRequestsSpent(db: Kysely<Database>, spent: SpentRequests): Promise<void> {
  const { lease, count } = spent;
  lease.used += count;
  lease.lastRequestAt = new Date();
  const base = { accountId: lease.row.id, proxyId: lease.row.proxy_id, taskId: spent.taskId, action: spent.action };
  const last = {
    ...base,
    outcome: spent.outcome,
    durationMs: Date.now() - spent.startedAt,
    httpStatus: spent.failure?.httpStatus,
    error: spent.failure?.message,
  };
  const rows: ActivityRow[] = Array.from({ length: Math.max(0, count - 1) }, () => ({ ...base, kind: 'request' as const, outcome: 'ok' }));
  if (count > 0) rows.push({ ...last, kind: 'request' });
  if (spent.purpose) rows.push({ ...last, kind: spent.purpose });
  await recordActivity(db, rows);
  if (spent.healthy) await markAccountHealthy(db, lease.row.id, count);
  else await noteRequestsMade(db, lease.row.id, count);
}
