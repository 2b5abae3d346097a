import type { Kysely } from 'kysely';
import type { AccountStatus, Database } from '../db/schema.js';

/**
 * SPEC §5: status changes are logged. Changes made through the admin API get an `activity_log` row of kind
 * `status`, the action naming what the admin did (`admin:…`) and the outcome the new status.
 */
export async function logAccountStatus(
  db: Kysely<Database>,
  change: { accountId: number; proxyId?: number | null; action: string; status: AccountStatus; reason?: string | null },
): Promise<void> {
  await db
    .insertInto('activity_log')
    .values({
      account_id: change.accountId,
      proxy_id: change.proxyId ?? null,
      kind: 'status',
      action: change.action,
      outcome: change.status,
      error: change.reason ?? null,
    })
    .execute();
}
