import type { z } from '@hono/zod-openapi';
import type { ActivityRow } from '../observability/activity-query.js';
import type { AccountStats, ProxyStats } from '../observability/stats.js';
import { iso } from '../util/iso.js';
import type { AccountStatsSchema, LogEntrySchema, ProxyStatsSchema } from './observability-schemas.js';

/** Log rows and pool statistics → API shapes (GET /api/logs, /api/stats). */

export function logEntryView(row: ActivityRow): z.infer<typeof LogEntrySchema> {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    kind: row.kind,
    action: row.action,
    outcome: row.outcome,
    http_status: row.http_status,
    duration_ms: row.duration_ms,
    error: row.error,
    task_id: row.task_id,
    account: row.account_id === null ? null : { id: row.account_id, username: row.account_username },
    proxy: row.proxy_id === null ? null : { id: row.proxy_id, label: row.proxy_label },
  };
}

export function accountStatsView(row: AccountStats): z.infer<typeof AccountStatsSchema> {
  return { ...row, cooldown_until: iso(row.cooldown_until), last_used_at: iso(row.last_used_at) };
}

export function proxyStatsView(row: ProxyStats): z.infer<typeof ProxyStatsSchema> {
  return { ...row, last_check_at: iso(row.last_check_at) };
}
