import { sql } from 'kysely';
import type { Logger } from '../logger.js';
import type { PoolOperations } from './admin.js';
import type { AccountPool } from './pool.js';

/**
 * Proactive care of the pool (seed 001): sessions are validated by a cheap authenticated call before a task finds
 * them dead, and proxies are health-checked. The scheduler runs both sweeps (validate_sessions, check_proxies). Accounts used successfully since the last interval are skipped — their
 * session is known to work and the budget is better spent on scraping.
 */
export class PoolMaintenance {
  private stopped = false;

  constructor(
    private readonly pool: AccountPool,
    private readonly ops: PoolOperations,
    private readonly logger: Logger,
  ) {}

  /** Returns how many sessions were checked. */
  async validateSessions(): Promise<number> {
    const { db, settings } = this.pool.deps;
    const stale = sql<Date>`now() - ${settings.sessionValidateIntervalMs} * interval '1 millisecond'`;
    const due = await db
      .selectFrom('ig_accounts')
      .select(['id', 'username'])
      .where('status', '=', 'active')
      .where('session_encrypted', 'is not', null)
      .where((eb) => eb.or([eb('last_validated_at', 'is', null), eb('last_validated_at', '<', stale)]))
      .where((eb) => eb.or([eb('last_request_at', 'is', null), eb('last_request_at', '<', stale)]))
      .orderBy('last_validated_at', (ob) => ob.asc().nullsFirst())
      .execute();
    let checked = 0;
    for (const account of due) {
      if (this.stopped) break;
      // Through the normal lease: respects the budget, and skips an account a task holds right now.
      const lease = await this.pool.lease(`${this.pool.deps.workerId}:validate`, [], account.id);
      if (!lease) continue;
      try {
        const result = await this.ops.validate(lease);
        checked++;
        if (!result.ok) this.logger.warn({ account: account.username, outcome: result.outcome }, 'session validation failed');
      } finally {
        await this.pool.release(lease);
      }
    }
    return checked;
  }

  async checkProxies(): Promise<number> {
    const proxies = await this.pool.deps.db
      .selectFrom('proxies')
      .select('id')
      .where('status', 'in', ['active', 'failed'])
      .orderBy('id')
      .execute();
    for (const proxy of proxies) {
      if (this.stopped) break;
      await this.ops.checkProxy(proxy.id);
    }
    return proxies.length;
  }

  /** Ends a sweep in progress at the next account or proxy (on shutdown). */
  stop(): void {
    this.stopped = true;
  }
}
