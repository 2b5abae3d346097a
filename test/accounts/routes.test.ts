import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { markAccountHealthy } from '../../src/accounts/events.js';
import { acquireAccount } from '../../src/accounts/lease.js';
import { InstagramSession } from '../../src/accounts/session.js';
import { applyVerdict } from '../../src/accounts/verdicts.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, fastSettings, RecordingAlerter, type PoolFixture } from '../helpers/pool.js';

/**
 * Issue 15, case 3: accounts that cannot reach Instagram poisoned the pool. Accounts without a proxy were leased
 * first (sending the server's own address), their failed logins spent the task's tries (12 of 20 tasks failed while
 * healthy accounts idled), and nothing kept them from being picked again at once.
 */
let testDb: TestDatabase;
let fx: PoolFixture;
const silent = createLogger({ level: 'silent', format: 'json' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => fx?.close());

const budget = fastSettings().budget;

describe('accounts without a proxy', () => {
  it('are not leased while proxies exist (auto), are with allow, and never with deny', async () => {
    fx = await createPoolFixture(testDb, { accounts: 6, proxies: 3 });
    const direct = fx.accounts.filter((a) => a.proxyId === null).map((a) => a.id);
    expect(direct).toHaveLength(3);
    const leaseAll = async (mode?: 'auto' | 'allow' | 'deny') => {
      const leased = [];
      for (let i = 0; i < 6; i++) {
        const row = await acquireAccount(testDb.db, { holder: `h${i}`, leaseMs: 60_000, exclude: [], budget, directConnections: mode });
        if (row) leased.push(row.id);
      }
      await testDb.db.updateTable('ig_accounts').set({ leased_by: null, leased_until: null }).execute();
      return leased;
    };
    expect((await leaseAll()).filter((id) => direct.includes(id))).toEqual([]);
    expect(await leaseAll()).toHaveLength(3);
    expect((await leaseAll('allow')).sort()).toEqual(fx.accounts.map((a) => a.id).sort());
    expect(await leaseAll('deny')).toHaveLength(3);
    expect((await fx.pool.availability()).usableNow).toBe(3);
    // With no proxy configured at all, auto lets them work (a user who runs without proxies on purpose).
    await testDb.db.updateTable('ig_accounts').set({ proxy_id: null }).execute();
    await testDb.db.deleteFrom('proxies').execute();
    expect(await leaseAll()).toHaveLength(6);
  });
});

describe('a login that never reaches Instagram', () => {
  it('moves the request to another account without spending a try', async () => {
    fx = await createPoolFixture(testDb, { accounts: 3, proxies: 3, settings: { triesPerRequest: 2 } });
    await fx.emulator.takeProxyDown(0);
    await fx.emulator.takeProxyDown(1);
    const target = fx.emulator.world.examples().usernames[0]!;
    const session = new InstagramSession(fx.pool, 1, new AbortController().signal, silent);
    try {
      // Two accounts whose way out is refused, then the third: the request is answered, not failed after 2 tries.
      expect((await session.call('usernameinfo', (ig) => ig.user.usernameinfo(target))).username).toBe(target);
    } finally {
      await session.close();
    }
    expect(fx.emulator.log.filter((e) => e.route.includes('usernameinfo')).map((e) => e.username)).toEqual([fx.accounts[2]!.username]);
  });
});

describe("an account's own route failing", () => {
  it('cools it down, twice as long each time in a row, up to the maximum; a success starts over', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 0 });
    const [{ id, username }] = fx.accounts as [PoolFixture['accounts'][0]];
    const settings = fastSettings({ cooldownRouteFailureMs: 60_000, cooldownRouteFailureMaxMs: 200_000 });
    const deps = { db: testDb.db, alerter: new RecordingAlerter(), logger: silent, settings };
    const fail = async () => {
      const before = Date.now();
      await applyVerdict(
        deps,
        { accountId: id, username, proxyId: null, taskId: null },
        {
          verdict: { kind: 'proxy_failure' },
          httpStatus: null,
          message: 'RequestError: getaddrinfo ENOTFOUND i.instagram.com',
        },
      );
      const row = await testDb.db.selectFrom('ig_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.status).toBe('cooldown');
      expect(row.status_reason).toMatch(/no route to Instagram/);
      return Math.round((row.cooldown_until!.getTime() - before) / 1000);
    };
    const seconds = [await fail(), await fail(), await fail(), await fail()];
    expect(seconds.map((s) => Math.round(s / 10) * 10)).toEqual([60, 120, 200, 200]);
    await markAccountHealthy(testDb.db, id, 1);
    expect(Math.round((await fail()) / 10) * 10).toBe(60);
  });
});
