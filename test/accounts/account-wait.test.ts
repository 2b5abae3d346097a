import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NoAccountUsableError } from '../../src/accounts/errors.js';
import { InstagramSession } from '../../src/accounts/session.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, type PoolFixture } from '../helpers/pool.js';

/**
 * ACCOUNT_WAIT_MS: a run that finds every account leased waits for one to be released before it defers. Without the
 * wait, runs of processes woken by the same release all claimed for the one free account and all but one handed the
 * task back (test/accounts/claim-plan-processes.test.ts counts those across three daemons).
 */
let testDb: TestDatabase;
let fx: PoolFixture;
const silent = createLogger({ level: 'silent', format: 'json' });
let taskSeq = 1;

const target = () => fx.emulator.world.examples().usernames[0]!;
const lookUp = (s: InstagramSession) => s.call('usernameinfo', (ig) => ig.user.usernameinfo(target()));

/** Resolves once a run has found no account to lease: the session asks the pool when the next one is due only then. */
function failedToLease(): Promise<void> {
  const pool = fx.pool;
  const availability = pool.availability.bind(pool);
  return new Promise((resolve) => {
    pool.availability = (types) => {
      resolve();
      return availability(types);
    };
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => fx?.close());

describe('a run that finds every account leased', () => {
  it('waits for the release and runs on the account, without deferring', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { accountWaitMs: 60_000 } });
    const holder = new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent);
    await lookUp(holder); // holds the only account
    const waiter = new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent);
    let settled = false;
    const waiting = lookUp(waiter).finally(() => {
      settled = true;
    });
    await failedToLease();
    // It is waiting, not deferred: nothing settled while the account was held.
    expect(settled).toBe(false);
    await holder.close();
    expect((await waiting).username).toBe(target());
    expect(waiter.account).toBe(fx.accounts[0]!.username);
    await waiter.close();
    expect(fx.emulator.overlappingRequests()).toEqual([]);
  });

  it('defers once the wait is over, with the moment the account is due', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { accountWaitMs: 200 } });
    const holder = new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent);
    await lookUp(holder);
    const outcome = await lookUp(new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent)).catch((e) => e);
    expect(outcome).toBeInstanceOf(NoAccountUsableError);
    expect((outcome as NoAccountUsableError).deferUntil.getTime()).toBeGreaterThan(Date.now());
    await holder.close();
  });

  it('with ACCOUNT_WAIT_MS 0 defers at once, as before', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { accountWaitMs: 0 } });
    const holder = new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent);
    await lookUp(holder);
    const requestsBefore = fx.emulator.log.length;
    await expect(lookUp(new InstagramSession(fx.pool, taskSeq++, new AbortController().signal, silent))).rejects.toBeInstanceOf(
      NoAccountUsableError,
    );
    expect(fx.emulator.log.length).toBe(requestsBefore);
    await holder.close();
  });

  it('stops waiting when its run is aborted (shutdown, lease lost)', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { accountWaitMs: 600_000 } });
    // Its only account leaves a cooldown in 5 minutes, within the wait: the run would wait that long unless aborted
    // (the test's own timeout is far shorter).
    await testDb.db
      .updateTable('ig_accounts')
      .set({ status: 'cooldown', cooldown_until: new Date(Date.now() + 5 * 60_000) })
      .execute();
    const run = new AbortController();
    const waiting = lookUp(new InstagramSession(fx.pool, taskSeq++, run.signal, silent)).catch((e) => e);
    await failedToLease();
    run.abort(new Error('shutting down'));
    const outcome = await waiting;
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(NoAccountUsableError);
  });
});
