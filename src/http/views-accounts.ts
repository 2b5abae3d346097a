import type { z } from '@hono/zod-openapi';
import type { AccountSchema, ProxySchema } from './schemas-accounts.js';
import { scrubSecrets } from '../accounts/credentials.js';
import type { OperationResult } from '../accounts/operations.js';
import type { ProxyRow } from '../accounts/proxy-repository.js';
import type { AccountRow } from '../accounts/repository.js';
import { iso } from '../util/iso.js';

/** Rows → API shapes, field by field: nothing reaches a response unless it is named here. */

export function accountView(row: AccountRow): z.infer<typeof AccountSchema> {
  return {
    id: row.id,
    username: row.username,
    status: row.status,
    status_reason: row.status_reason,
    cooldown_until: iso(row.cooldown_until),
    proxy: row.proxy_id !== null ? { id: row.proxy_id, label: row.proxy_label!, status: row.proxy_status! } : null,
    last_login_at: iso(row.last_login_at),
    last_used_at: iso(row.last_used_at),
    last_validated_at: iso(row.last_validated_at),
    warmup_started_at: row.warmup_started_at.toISOString(),
    requests_total: row.requests_total,
    has_session: row.has_session,
    leased: row.leased,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function proxyView(row: ProxyRow): z.infer<typeof ProxySchema> {
  const uses = row.success_count + row.failure_count;
  return {
    id: row.id,
    label: row.label,
    type: row.type,
    status: row.status,
    consecutive_failures: row.consecutive_failures,
    success_count: row.success_count,
    failure_count: row.failure_count,
    success_rate: uses > 0 ? Math.round((row.success_count / uses) * 1000) / 1000 : null,
    latency_ms: row.latency_ms,
    last_check_at: iso(row.last_check_at),
    last_error: row.last_error,
    account: row.account_id !== null ? { id: row.account_id, username: row.account_username! } : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The pool's answer to login/check, its message scrubbed of any URL credentials it may quote. */
export function operationView(result: OperationResult, secrets: readonly string[] = []) {
  return {
    ok: result.ok,
    outcome: result.outcome,
    message: scrubSecrets(result.message, secrets) ?? '',
    duration_ms: result.durationMs ?? null,
  };
}
