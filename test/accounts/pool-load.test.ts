import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstagramSession } from '../../src/accounts/session.js';
import { createLogger } from '../../src/logger.js';
import { NoAccountUsableError } from '../../src/accounts/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { readLeaseHistory, recordLeaseHistory } from '../helpers/lease-history.js';
import { createPoolFixture, type PoolFixture } from '../helpers/pool.js';

/** Many tasks at once on the pool: exclusivity, one login per account in a storm, and the budget, from the emulator's log. */
let testDb: TestDatabase;
let fx: PoolFixture;
const silent = createLogger({ level: 'silent', format: 'json' });
let taskSeq = 1;

const session = () => new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent);
const usernames = () => fx.emulator.world.examples().usernames;

/** A task that looks up `count` profiles, one request each, on whichever account it gets. */
async function task(count: number): Promise<number> {
  const s = session();
  try {
    for (let i = 0; i < count; i++) {
      const name = usernames()[i % usernames().length]!;
      await s.call('usernameinfo', (ig) => ig.user.usernameinfo(name));
    }
    return count;
  } finally {
    await s.close();
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 20 });
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => fx?.close());

describe('pool under load', () => {
  it('never lets two tasks use one account at the same moment', async () => {
    fx = await createPoolFixture(testDb, { accounts: 3, proxies: 3 });
    await recordLeaseHistory(testDb);
    const results = await Promise.allSettled(Array.from({ length: 9 }, () => task(3)));
    const done = results.filter((r) => r.status === 'fulfilled').length;
    const waited = results.filter((r) => r.status === 'rejected' && r.reason instanceof NoAccountUsableError).length;
    expect(done + waited).toBe(9);
    expect(done).toBeGreaterThanOrEqual(3);
    expect(fx.emulator.overlappingRequests()).toEqual([]);
    // The database's own record: every account was handed on, and never while its holder's lease was running.
    const history = await readLeaseHistory(testDb);
    expect(history.accounts).toBe(3);
    expect(history.grants).toBeGreaterThanOrEqual(3);
    expect(history.stolen).toEqual([]);
  });

  it('after a login_required storm, each account logs in exactly once', async () => {
    fx = await createPoolFixture(testDb, { accounts: 10, proxies: 10 });
    await Promise.all(Array.from({ length: 10 }, () => task(1)));
    const before = Object.fromEntries(fx.accounts.map((a) => [a.username, fx.emulator.loginCount(a.username)]));
    expect(Object.values(before)).toEqual(Array(10).fill(1));

    for (const a of fx.accounts) fx.emulator.expireSessions(a.username);
    await Promise.all(Array.from({ length: 10 }, () => task(2)));
    for (const a of fx.accounts) expect(fx.emulator.loginCount(a.username), a.username).toBe(2);
    expect(fx.emulator.overlappingRequests()).toEqual([]);
  });

  it('keeps every account within its budget, as counted by the emulator, then makes tasks wait', async () => {
    const budget = 6;
    fx = await createPoolFixture(testDb, {
      accounts: 2,
      proxies: 2,
      settings: {
        budget: { windowMs: 60_000, perWindow: budget, warmupPerWindow: budget, warmupDays: 0, dailyCap: 0, delayMinMs: 1, delayMaxMs: 3 },
      },
    });
    const outcome = await task(100).catch((error) => error);
    expect(outcome).toBeInstanceOf(NoAccountUsableError);
    // The wait ends when the oldest request of a spent window leaves it: within the window from now.
    const until = (outcome as NoAccountUsableError).deferUntil.getTime();
    expect(until).toBeGreaterThan(Date.now());
    expect(until).toBeLessThanOrEqual(Date.now() + 60_000 + 1000);
    // Our ledger counts every request of the account, the unauthenticated pre-login sync included, so it reaches
    // the budget exactly; the emulator, which cannot attribute that sync to an account, sees one less.
    const ledger = await testDb.db
      .selectFrom('activity_log')
      .select(['account_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'request')
      .groupBy('account_id')
      .execute();
    expect(ledger.map((r) => Number(r.n))).toEqual([budget, budget]);
    const perAccount = fx.emulator.counters().byAccount;
    for (const a of fx.accounts) expect(perAccount[a.username]?.requests, a.username).toBe(budget - 1);
  });

  it('paces two requests of one account by the configured pause', async () => {
    fx = await createPoolFixture(testDb, {
      accounts: 1,
      proxies: 1,
      settings: {
        budget: { windowMs: 60_000, perWindow: 100, warmupPerWindow: 100, warmupDays: 0, dailyCap: 0, delayMinMs: 150, delayMaxMs: 200 },
      },
    });
    await task(4);
    const starts = fx.emulator.log.filter((e) => e.route.includes('usernameinfo')).map((e) => e.wallStartedAt);
    expect(starts).toHaveLength(4);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(145);
  });
});

describe('budget rules', () => {
  it('gives an account in its warm-up days the reduced budget, and applies the daily cap', async () => {
    fx = await createPoolFixture(testDb, {
      accounts: 2,
      proxies: 2,
      settings: {
        budget: { windowMs: 60_000, perWindow: 20, warmupPerWindow: 3, warmupDays: 3, dailyCap: 5, delayMinMs: 1, delayMaxMs: 2 },
      },
    });
    const [veteran, newcomer] = fx.accounts as [PoolFixture['accounts'][0], PoolFixture['accounts'][0]];
    await testDb.db.updateTable('ig_accounts').set({ warmup_started_at: new Date() }).where('id', '=', newcomer.id).execute();
    await expect(task(100)).rejects.toBeInstanceOf(NoAccountUsableError);
    const ledger = Object.fromEntries(
      (
        await testDb.db
          .selectFrom('activity_log')
          .select(['account_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('kind', '=', 'request')
          .groupBy('account_id')
          .execute()
      ).map((r) => [r.account_id, Number(r.n)]),
    );
    expect(ledger[newcomer.id]).toBe(3); // warm-up budget
    expect(ledger[veteran.id]).toBe(5); // the daily cap, below its hourly budget of 20
    // Neither is usable again before its oldest request of the day (veteran) or window (newcomer) expires.
    const availability = await fx.pool.availability();
    expect(availability.usableNow).toBe(0);
    expect(availability.nextUsableAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});
