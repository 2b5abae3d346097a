import { sql } from 'kysely';
import { classifyInstagramError } from '../instagram/classify.js';
import { changeAccountStatus, recordActivity } from './events.js';
import { recordRequestsSpent } from './ledger.js';
import type { AccountOperations, OperationResult } from './operations.js';
import type { AccountLease, AccountPool } from './pool.js';
import { checkProxy } from './proxy-check.js';
import { recordProxyFailure, recordProxySuccess } from './proxy-health.js';

/**
 * What an admin (or the maintenance loop) does to one account or proxy on purpose: log in now, check the session,
 * check a proxy. These lease the account like a task would — so they never run beside a task on it — but ignore
 * its status and budget: a human asked.
 */
export class PoolOperations implements AccountOperations {
  constructor(private readonly pool: AccountPool) {}

  async login(accountId: number): Promise<OperationResult> {
    return this.withAccount(accountId, 'admin-login', async (lease) => {
      const result = await this.pool.login(lease, null);
      if (!result.ok) return { ok: false, outcome: result.classification.verdict.kind, message: result.classification.message };
      await this.markActiveByHuman(lease.row.id);
      return { ok: true, outcome: 'ok', message: `${lease.row.username} logged in` };
    });
  }

  /** A cheap authenticated call; a dead session is renewed by one login. */
  async check(accountId: number): Promise<OperationResult> {
    return this.withAccount(accountId, 'admin-check', (lease) => this.validate(lease));
  }

  async validate(lease: AccountLease): Promise<OperationResult> {
    const { db } = this.pool.deps;
    if (!lease.client.hasSession) {
      const login = await this.pool.login(lease, null);
      if (!login.ok) return { ok: false, outcome: login.classification.verdict.kind, message: login.classification.message };
    }
    const started = Date.now();
    const before = lease.client.responseCount;
    try {
      await lease.client.validate();
      await this.recordValidation(lease, before, started, 'ok');
      await db.updateTable('ig_accounts').set({ last_validated_at: sql`now()` }).where('id', '=', lease.row.id).execute();
      return { ok: true, outcome: 'ok', message: `${lease.row.username}: session valid`, durationMs: Date.now() - started };
    } catch (error) {
      const classification = classifyInstagramError(error);
      await this.recordValidation(lease, before, started, classification.verdict.kind, classification.message);
      if (classification.verdict.kind === 'login_required') {
        const login = await this.pool.login(lease, null);
        if (login.ok) {
          await db.updateTable('ig_accounts').set({ last_validated_at: sql`now()` }).where('id', '=', lease.row.id).execute();
          return { ok: true, outcome: 'relogged_in', message: `${lease.row.username}: session had expired; logged in again` };
        }
        return { ok: false, outcome: login.classification.verdict.kind, message: login.classification.message };
      }
      await this.pool.applyVerdict(lease, classification, null);
      return { ok: false, outcome: classification.verdict.kind, message: classification.message };
    }
  }

  async checkProxy(proxyId: number): Promise<OperationResult> {
    const { db, box, settings } = this.pool.deps;
    const proxy = await db.selectFrom('proxies').select(['id', 'url_encrypted', 'status']).where('id', '=', proxyId).executeTakeFirst();
    if (!proxy) return { ok: false, outcome: 'not_found', message: `proxy ${proxyId} does not exist` };
    const result = await checkProxy(box.decrypt(proxy.url_encrypted), settings.proxyCheckTimeoutMs);
    await recordActivity(db, [
      {
        accountId: null,
        proxyId,
        kind: 'proxy_check',
        action: 'proxy_check',
        outcome: result.ok ? 'ok' : 'error',
        durationMs: result.latencyMs,
        error: result.error,
      },
    ]);
    if (result.ok) {
      await recordProxySuccess(db, proxyId, result.latencyMs);
      if (proxy.status === 'failed') await this.reviveProxy(proxyId);
      return {
        ok: true,
        outcome: 'ok',
        message: `proxy ${proxyId} reached Instagram in ${result.latencyMs} ms`,
        durationMs: result.latencyMs,
      };
    }
    await recordProxyFailure(db, proxyId, result.error ?? 'check failed', settings.proxyFailuresBeforeFailed, true);
    return { ok: false, outcome: 'proxy_error', message: `proxy ${proxyId}: ${result.error}`, durationMs: result.latencyMs };
  }

  /** A failed proxy that works again is put back, with the account that was waiting on it (and its status row). */
  private async reviveProxy(proxyId: number): Promise<void> {
    const { db } = this.pool.deps;
    await db.updateTable('proxies').set({ status: 'active', updated_at: sql`now()` }).where('id', '=', proxyId).execute();
    const waiting = await db
      .selectFrom('ig_accounts')
      .select('id')
      .where('proxy_id', '=', proxyId)
      .where('status', '=', 'proxy_error')
      .execute();
    await changeAccountStatus(
      db,
      waiting.map((a) => a.id),
      { status: 'active', reason: null, from: ['proxy_error'], action: 'proxy:active' },
    );
    await recordActivity(db, [{ accountId: null, proxyId, kind: 'status', action: 'proxy:active', outcome: 'active' }]);
  }

  private async markActiveByHuman(accountId: number): Promise<void> {
    const { db } = this.pool.deps;
    await changeAccountStatus(db, [accountId], {
      status: 'active',
      reason: null,
      from: ['login_required', 'challenge', 'cooldown', 'active'],
      action: 'admin:activate',
      resetChallenges: true,
    });
  }

  private async recordValidation(lease: AccountLease, before: number, started: number, outcome: string, error?: string) {
    const count = Math.max(1, lease.client.responseCount - before);
    const failure = error === undefined ? undefined : { httpStatus: null, message: error };
    await recordRequestsSpent(this.pool.deps.db, {
      lease,
      taskId: null,
      action: 'validate',
      count,
      outcome,
      startedAt: started,
      failure,
      healthy: false,
      purpose: 'validation',
    });
  }

  private async withAccount(
    accountId: number,
    purpose: string,
    work: (lease: AccountLease) => Promise<OperationResult>,
  ): Promise<OperationResult> {
    const exists = await this.pool.deps.db.selectFrom('ig_accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!exists) return { ok: false, outcome: 'not_found', message: `account ${accountId} does not exist` };
    const lease = await this.pool.leaseForAdmin(accountId, `${this.pool.deps.workerId}:${purpose}`);
    if (!lease) return { ok: false, outcome: 'in_use', message: `account ${accountId} is in use by a task; try again in a moment` };
    try {
      return await work(lease);
    } finally {
      await this.pool.release(lease);
    }
  }
}
