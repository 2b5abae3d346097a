import { sql, type Kysely } from 'kysely';
import type { Alerter } from '../alerts/alerter.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import { classifyInstagramError, type Classification } from '../instagram/classify.js';
import { InstagramClient } from '../instagram/client.js';
import type { Logger } from '../logger.js';
import { deviceSeedOf } from './device-seed.js';
import { recordRequestsSpent } from './ledger.js';
import { acquireAccount, accountAvailability, releaseAccount, type AccountRow, type Availability } from './lease.js';
import type { PoolSettings } from './settings.js';
import { signalled } from '../util/wait.js';
import { applyVerdict } from './verdicts.js';

/** An account held by one user (a task, a validation, an admin action) until released. */
export interface AccountLease {
  row: AccountRow;
  client: InstagramClient;
  holder: string;
  /** Requests counted in the current budget window, and the window's budget. */
  used: number;
  budget: number;
  lastRequestAt: Date | null;
}

export interface PoolDeps {
  db: Kysely<Database>;
  box: SecretBox;
  logger: Logger;
  alerter: Alerter;
  settings: PoolSettings;
  workerId: string;
}

export type LoginResult = { ok: true } | { ok: false; classification: Classification };

/**
 * The account pool of this process: leases accounts from the database (so no two users anywhere hold one at the
 * same time), builds their clients from the stored device seed, proxy and session, logs them in — once at a time per
 * account — and carries out what errors mean for them.
 */
export class AccountPool {
  private readonly logins = new Map<number, Promise<LoginResult>>();
  private change = signalled();

  constructor(readonly deps: PoolDeps) {}

  /**
   * Settles at the next change of the accounts this process hears of: a release here, or (through LISTEN, see
   * src/tasks/wiring.ts) an ACCOUNTS_CHANGED notice from any process. Runs waiting for an account try again then.
   */
  nextAccountsChange(): Promise<void> {
    return this.change.promise;
  }

  /** An account may have become usable: wakes the runs waiting for one. */
  accountsChanged(): void {
    const { resolve } = this.change;
    this.change = signalled();
    resolve();
  }

  /** Accounts usable now and next; with task types, also how many claimed runs of them are about to take one. */
  availability(accountTaskTypes: readonly string[] = []): Promise<Availability> {
    return accountAvailability(this.deps.db, this.deps.settings.budget, this.deps.settings.directConnections, accountTaskTypes);
  }

  /** Leases a usable account (LRU), or a specific one; undefined when none is usable now. */
  async lease(holder: string, exclude: readonly number[], accountId?: number): Promise<AccountLease | undefined> {
    const row = await acquireAccount(this.deps.db, {
      holder,
      leaseMs: this.deps.settings.leaseMs,
      exclude,
      budget: this.deps.settings.budget,
      accountId,
      directConnections: this.deps.settings.directConnections,
    });
    if (!row) return undefined;
    try {
      const client = await this.clientFor(row, row.session_encrypted);
      return { row, client, holder, used: row.used_in_window, budget: row.budget, lastRequestAt: row.last_request_at };
    } catch (error) {
      await releaseAccount(this.deps.db, row.id, holder);
      throw error;
    }
  }

  /** Leases one account whatever its status or budget (an admin action); undefined when someone else holds it. */
  async leaseForAdmin(accountId: number, holder: string): Promise<AccountLease | undefined> {
    const row = await this.deps.db
      .updateTable('ig_accounts')
      .set({ leased_by: holder, leased_until: sql`now() + ${this.deps.settings.leaseMs} * interval '1 millisecond'` })
      .where('id', '=', accountId)
      .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    try {
      const client = await this.clientFor(row, row.session_encrypted);
      return { row, client, holder, used: 0, budget: Number.MAX_SAFE_INTEGER, lastRequestAt: row.last_request_at };
    } catch (error) {
      await releaseAccount(this.deps.db, row.id, holder);
      throw error;
    }
  }

  /** Ends a lease, saving the session the client holds now, or forgetting one Instagram said is dead. */
  async release(lease: AccountLease): Promise<void> {
    let session: string | null | undefined;
    if (lease.client.hasSession) session = this.deps.box.encrypt(await lease.client.serializeSession());
    else if (lease.client.sessionDead) session = null;
    await releaseAccount(this.deps.db, lease.row.id, lease.holder, session);
    this.accountsChanged();
  }

  async clientFor(row: AccountRow, sessionEncrypted: string | null): Promise<InstagramClient> {
    const proxyUrl = await this.proxyUrlOf(row.proxy_id);
    return InstagramClient.create({
      username: row.username,
      deviceSeed: deviceSeedOf(row, this.deps.box),
      proxyUrl,
      session: sessionEncrypted ? this.deps.box.decrypt(sessionEncrypted) : null,
      timeoutMs: this.deps.settings.requestTimeoutMs,
      appVersion: this.deps.settings.appVersion,
    });
  }

  private async proxyUrlOf(proxyId: number | null): Promise<string | null> {
    if (proxyId === null) return null;
    const proxy = await this.deps.db.selectFrom('proxies').select('url_encrypted').where('id', '=', proxyId).executeTakeFirst();
    return proxy ? this.deps.box.decrypt(proxy.url_encrypted) : null;
  }

  /**
   * Logs the leased account in with a fresh client (the old session is dead). Single-flight per account: callers
   * that ask while a login runs share its result. A failure is carried out (needs a human, banned, …) and alerted.
   */
  login(lease: AccountLease, taskId: number | null): Promise<LoginResult> {
    const running = this.logins.get(lease.row.id);
    if (running) return running;
    const attempt = this.performLogin(lease, taskId).finally(() => this.logins.delete(lease.row.id));
    this.logins.set(lease.row.id, attempt);
    return attempt;
  }

  private async performLogin(lease: AccountLease, taskId: number | null): Promise<LoginResult> {
    const { db, box, logger } = this.deps;
    const fresh = await this.clientFor(lease.row, null);
    const started = Date.now();
    const password = box.decrypt(lease.row.password_encrypted);
    try {
      await fresh.login(password);
      lease.client = fresh;
      await this.recordLoginRequests(lease, fresh.responseCount, 'ok', started, taskId);
      await db
        .updateTable('ig_accounts')
        .set({ session_encrypted: box.encrypt(await fresh.serializeSession()), last_login_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', lease.row.id)
        .execute();
      logger.info({ account: lease.row.username }, 'logged in');
      return { ok: true };
    } catch (error) {
      const classification = classifyInstagramError(error);
      await this.recordLoginRequests(lease, Math.max(1, fresh.responseCount), classification.verdict.kind, started, taskId, classification);
      logger.warn({ account: lease.row.username, err: classification.message }, 'login failed');
      await this.applyVerdict(lease, classification, taskId);
      if (classification.verdict.kind !== 'needs_human') {
        this.deps.alerter.alert({
          kind: 'session_refresh_failed',
          severity: 'warning',
          subject: { account: lease.row.username },
          message: `${lease.row.username}: could not log in again (${classification.message})`,
        });
      }
      return { ok: false, classification };
    }
  }

  private async recordLoginRequests(
    lease: AccountLease,
    count: number,
    outcome: string,
    started: number,
    taskId: number | null,
    classification?: Classification,
  ): Promise<void> {
    await recordRequestsSpent(this.deps.db, {
      lease,
      taskId,
      action: 'login',
      count,
      outcome,
      startedAt: started,
      failure: classification,
      healthy: false, // a login proves the password, not the account's standing: streaks are reset by a real request
      purpose: 'login',
    });
  }

  async applyVerdict(lease: AccountLease, classification: Classification, taskId: number | null): Promise<void> {
    await applyVerdict(
      this.deps,
      { accountId: lease.row.id, username: lease.row.username, proxyId: lease.row.proxy_id, taskId },
      classification,
    );
    if (['needs_human', 'banned', 'challenge'].includes(classification.verdict.kind)) await this.alertIfNoneUsable();
  }

  async alertIfNoneUsable(): Promise<void> {
    const availability = await this.availability();
    if (availability.nextUsableAt === null) {
      this.deps.alerter.alert({
        kind: 'no_usable_account',
        severity: 'critical',
        message: 'no Instagram account can be used without a human: Instagram tasks are waiting',
      });
    }
  }
}
