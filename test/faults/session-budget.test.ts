import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InstagramSession } from '../../src/accounts/session.js';
import { createLogger } from '../../src/logger.js';
import { NoAccountUsableError } from '../../src/accounts/errors.js';
import { sleep } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, fastSettings, type PoolFixture } from '../helpers/pool.js';

/**
 * The budget bug the chaos test found, pinned down deterministically: a login_required on the request that used an
 * account's last budgeted request made the session log in again on that account — one request over the budget.
 */
let testDb: TestDatabase;
let fx: PoolFixture | undefined;
const silent = createLogger({ level: 'silent', format: 'json' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  await sql`TRUNCATE ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterAll(async () => testDb.drop());

describe('a re-login is a request like any other', () => {
  it('is not made past the budget: the request goes on another account', async () => {
    const budget = 4; // the daemon counts a login as 2 requests (the pre-login sync and the login)
    fx = await createPoolFixture(testDb, {
      accounts: 2,
      proxies: 2,
      settings: { budget: { ...fastSettings().budget, perWindow: budget, warmupPerWindow: budget } },
    });
    const target = fx.emulator.world.examples().usernames[0]!;
    const session = new InstagramSession(fx.pool, 1, new AbortController().signal, silent);
    const lookup = () => session.call('usernameinfo', (ig) => ig.user.usernameinfo(target));

    await lookup(); // login (2) + lookup: 3 of 4
    const first = fx.emulator.log.find((e) => e.route.includes('usernameinfo'))!.username!;
    fx.emulator.setAccountFault(first, { kind: 'login_required', times: 1 });
    expect((await lookup()).username).toBe(target); // 4 of 4 answered login_required; no login on `first`
    await session.close();

    const byAccount = (username: string) => fx!.emulator.log.filter((e) => e.username === username);
    expect(byAccount(first).map((e) => `${e.route} ${e.status}`)).toEqual([
      'accounts/login 200',
      'users/{username}/usernameinfo 200',
      'users/{username}/usernameinfo 403',
    ]);
    expect(fx.emulator.loginCount(first)).toBe(1);
    const other = fx.accounts.find((a) => a.username !== first)!.username;
    expect(byAccount(other).filter((e) => e.route.includes('usernameinfo') && e.status === 200)).toHaveLength(1);
  });

  it('an expired session found with the budget spent is logged in first next time, not asked again (issue 15)', async () => {
    const budget = 5; // login (2) + 2 lookups + the lookup that finds the session dead
    const windowMs = 1_500;
    fx = await createPoolFixture(testDb, {
      accounts: 1,
      proxies: 1,
      settings: { budget: { ...fastSettings().budget, windowMs, perWindow: budget, warmupPerWindow: budget } },
    });
    const { username } = fx.accounts[0]!;
    const target = fx.emulator.world.examples().usernames[0]!;
    let taskId = 10;
    /** One lookup as a task would make it: deferred while the budget is spent, then tried again by a new run. */
    const lookup = async () => {
      for (;;) {
        const session = new InstagramSession(fx!.pool, taskId++, new AbortController().signal, silent);
        try {
          return await session.call('usernameinfo', (ig) => ig.user.usernameinfo(target));
        } catch (error) {
          if (!(error instanceof NoAccountUsableError)) throw error;
          await sleep(Math.max(0, error.deferUntil.getTime() - Date.now()));
        } finally {
          await session.close();
        }
      }
    };
    await lookup();
    await lookup(); // 4 of 5
    fx.emulator.expireSessions(username);
    await lookup(); // 5 of 5 find the session dead; later windows must log in before asking anything
    await lookup();
    await lookup();
    const answers = fx.emulator.log.filter((e) => e.username === username && e.route.includes('usernameinfo')).map((e) => e.status);
    expect(answers.filter((s) => s === 403)).toEqual([403]); // the dead session was asked once, never again
    expect(answers.filter((s) => s === 200)).toHaveLength(5); // every lookup answered in the end
    expect(fx.emulator.loginCount(username)).toBe(2);
    expect(fx.emulator.log.filter((e) => e.status === 401 || e.status === 429)).toEqual([]); // within budget all along
  });
});
