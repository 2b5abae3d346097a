import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstagramSession } from '../../src/accounts/session.js';
import { TargetNotFoundError, TargetPrivateError } from '../../src/instagram/errors.js';
import { createLogger } from '../../src/logger.js';
import { DeferTaskError, RetryableTaskError } from '../../src/queue/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, type PoolFixture } from '../helpers/pool.js';

/** The account pool against the emulator, through the real instagram-private-api. */
let testDb: TestDatabase;
let fx: PoolFixture;
const silent = createLogger({ level: 'silent', format: 'json' });
let taskSeq = 1;

const session = (pool = fx.pool) => new InstagramSession(pool, taskSeq++, new AbortController().signal, silent);
const target = () => fx.emulator.world.examples().usernames[0]!;
const info = (s: InstagramSession, username = target()) => s.call('usernameinfo', (ig) => ig.user.usernameinfo(username));
const account = (id: number) => testDb.db.selectFrom('ig_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const logins = (username: string) => fx.emulator.loginCount(username);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => fx?.close());

describe('sessions', () => {
  it('logs in once, keeps the session encrypted, and a restarted pool reuses it without logging in', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [{ id, username, password }] = fx.accounts as [PoolFixture['accounts'][0]];
    const first = session();
    expect((await info(first)).username).toBe(target()); // no session yet: logs in first
    await first.close();
    expect(logins(username)).toBe(1);
    const row = await account(id);
    expect(row.session_encrypted).toBeTruthy();
    expect(row.session_encrypted).not.toContain('sessionid');
    expect(fx.box.decrypt(row.session_encrypted!)).toContain('sessionid');
    expect(row.session_encrypted).not.toContain(password);

    const restarted = fx.newPool();
    const second = session(restarted);
    const user = await info(second);
    await second.close();
    expect(user.username).toBe(target());
    expect(logins(username)).toBe(1);
  });
});
