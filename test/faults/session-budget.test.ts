import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InstagramSession } from '../../src/accounts/session.js';
import { createLogger } from '../../src/logger.js';
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
    expect(byAccount(first).map((e) => `${e.route} ${e.status}`)).toEqual(['accounts/login 200', 'users/{username}/usernameinfo 200', 'users/{username}/usernameinfo 403']);
    expect(fx.emulator.loginCount(first)).toBe(1);
    const other = fx.accounts.find((a) => a.username !== first)!.username;
    expect(byAccount(other).filter((e) => e.route.includes('usernameinfo') && e.status === 200)).toHaveLength(1);
  });
});
