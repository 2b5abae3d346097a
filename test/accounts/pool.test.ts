import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireAccount, renewAccountLease } from '../../src/accounts/lease.js';
import { InstagramSession } from '../../src/accounts/session.js';
import { TargetNotFoundError, TargetPrivateError } from '../../src/instagram/errors.js';
import { createLogger } from '../../src/logger.js';
// The pool answers in its own errors (src/accounts/errors.ts): the queue reads NoAccountUsableError as a deferral.
import { InstagramRequestError, NoAccountUsableError } from '../../src/accounts/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, fastSettings, type PoolFixture } from '../helpers/pool.js';

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

describe('SPEC §5 error → action, against the emulator', () => {
  it('429: cools the account down 45 min and finishes the request on another account', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2 });
    const [a, b] = fx.accounts as [PoolFixture['accounts'][0], PoolFixture['accounts'][0]];
    fx.emulator.setAccountFault(a.username, { kind: 'rate_limit', route: 'usernameinfo' });
    const s = session();
    expect((await info(s)).username).toBe(target());
    await s.close();
    const limited = await account(a.id);
    expect(limited.status).toBe('cooldown');
    expect(limited.cooldown_until!.getTime() - Date.now()).toBeGreaterThan(44 * 60_000);
    expect(limited.status_reason).toMatch(/rate limited/);
    expect((await account(b.id)).status).toBe('active');
    expect(fx.emulator.log.some((e) => e.username === b.username && e.route.includes('usernameinfo') && e.status === 200)).toBe(true);
  });

  it('challenge: cools down 90 min; a repeated challenge parks the account for a human with an alert', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    fx.emulator.setAccountFault(a.username, { kind: 'challenge', route: 'usernameinfo' });
    // Its only account cooling down, the task waits for it instead of failing.
    const waiting = await info(session()).catch((error) => error);
    expect(waiting).toBeInstanceOf(NoAccountUsableError);
    const first = await account(a.id);
    expect((waiting as NoAccountUsableError).deferUntil.getTime()).toBeGreaterThanOrEqual(first.cooldown_until!.getTime());
    expect(first.status).toBe('cooldown');
    expect(first.cooldown_until!.getTime() - Date.now()).toBeGreaterThan(89 * 60_000);
    expect(fx.alerts.kinds()).not.toContain('account_needs_human');

    await testDb.db
      .updateTable('ig_accounts')
      .set({ cooldown_until: new Date(Date.now() - 1000) })
      .execute(); // time passes
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
    expect(await account(a.id)).toMatchObject({ status: 'challenge', challenge_count: 2 });
    expect(fx.alerts.kinds()).toContain('account_needs_human');
    expect(fx.alerts.kinds()).toContain('no_usable_account');
  });

  it('feedback_required: a long cooldown and an alert', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    fx.emulator.setAccountFault(a.username, { kind: 'feedback', route: 'usernameinfo' });
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
    const row = await account(a.id);
    expect(row.status).toBe('cooldown');
    expect(row.cooldown_until!.getTime() - Date.now()).toBeGreaterThan(5 * 3_600_000);
    expect(fx.alerts.kinds()).toContain('account_cooldown_long');
  });

  it('login_required: logs in again once and retries; the next task needs no login', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    const s = session();
    await info(s);
    await s.close();
    expect(logins(a.username)).toBe(1);
    fx.emulator.expireSessions(a.username);
    const s2 = session();
    expect((await info(s2)).username).toBe(target());
    await s2.close();
    expect(logins(a.username)).toBe(2);
    expect((await account(a.id)).status).toBe('active');
    const s3 = session();
    await info(s3);
    await s3.close();
    expect(logins(a.username)).toBe(2);
  });

  it.each([
    ['bad_password', 'bad_password'],
    ['two_factor', 'two_factor_required'],
    ['invalid_user', 'invalid_user'],
  ] as const)('login failing with %s parks the account for a human, alerts, and never loops', async (outcome, reason) => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    fx.emulator.setLoginOutcome(a.username, outcome);
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError); // its only account is parked: wait for a human
    expect(await account(a.id)).toMatchObject({ status: 'login_required', status_reason: `login failed: ${reason}` });
    expect(fx.alerts.events.find((e) => e.kind === 'account_needs_human')?.subject).toEqual({ account: a.username });
    expect(fx.alerts.kinds()).toContain('no_usable_account');
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
    expect(fx.emulator.counters().byAccount[a.username]?.loginAttempts).toBe(1);
  });

  it.each(['inactive', 'sentry_block'] as const)('%s: the account is banned with an alert', async (how) => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    const s = session();
    await info(s);
    await s.close();
    fx.emulator.setAccountFault(a.username, { kind: how });
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
    expect((await account(a.id)).status).toBe('banned');
    expect(fx.alerts.kinds()).toContain('account_banned');
  });

  it('proxy refusing: counted against the proxy; after 3 failures it is failed and its account moves to the spare', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 2, settings: { triesPerRequest: 1 } });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    const [bound, spare] = fx.proxyIds as [number, number];
    await fx.emulator.takeProxyDown(0);
    // A login that never reaches Instagram is no fault of the request: no try spent, the task waits for an account.
    for (let i = 0; i < 3; i++) await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
    const proxy = await testDb.db.selectFrom('proxies').selectAll().where('id', '=', bound).executeTakeFirstOrThrow();
    expect(proxy).toMatchObject({ status: 'failed', consecutive_failures: 3, failure_count: 3 });
    expect(await account(a.id)).toMatchObject({ proxy_id: spare, status: 'active' });
    expect(fx.alerts.kinds()).toContain('proxy_failed');
    const s = session(); // works again through the spare proxy
    expect((await info(s)).username).toBe(target());
    await s.close();
  });

  it('proxy failed with no spare: the account is proxy_error', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { triesPerRequest: 1 } });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    fx.emulator.setProxyFault(0, { kind: 'connect_error' });
    for (let i = 0; i < 3; i++) await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
    expect((await account(a.id)).status).toBe('proxy_error');
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
  });

  it("user not found and private user are the target's state, not the account's fault", async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [a] = fx.accounts as [PoolFixture['accounts'][0]];
    const s = session();
    const deleted = fx.emulator.world.examples().deletedUsernames[0]!;
    await expect(info(s, deleted)).rejects.toBeInstanceOf(TargetNotFoundError);
    const privateUser = fx.emulator.world.creators.find((c) => c.isPrivate)!;
    await expect(s.call('feed', (ig) => ig.feed.user(privateUser.pk).items())).rejects.toBeInstanceOf(TargetPrivateError);
    await s.close();
    expect(await account(a.id)).toMatchObject({ status: 'active', status_reason: null });
  });

  it('5xx: retried on another account without a cooldown', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2 });
    const [a, b] = fx.accounts as [PoolFixture['accounts'][0], PoolFixture['accounts'][0]];
    fx.emulator.setAccountFault(a.username, { kind: 'server_error', status: 502, route: 'usernameinfo' });
    const s = session();
    expect((await info(s)).username).toBe(target());
    await s.close();
    expect(await account(a.id)).toMatchObject({ status: 'active', cooldown_until: null });
    // The retry went out on the other account, and it is that one's answer the task got.
    const answered = fx.emulator.log.filter((e) => e.route.includes('usernameinfo')).map((e) => [e.username, e.status]);
    expect(answered).toEqual([
      [a.username, 502],
      [b.username, 200],
    ]);
  });
});

describe('the app version (issue 13)', () => {
  it('is the configured one, in every request', async () => {
    fx = await createPoolFixture(testDb, {
      accounts: 1,
      proxies: 1,
      settings: { appVersion: { version: '301.0.0.11.42', code: '512345678' } },
    });
    const s = session();
    await info(s);
    await s.close();
    const agents = new Set(fx.emulator.log.map((e) => e.userAgent));
    expect([...agents]).toHaveLength(1);
    expect([...agents][0]).toMatch(/^Instagram 301\.0\.0\.11\.42 Android \(.*; 512345678\)$/);
  });

  it('refused as out of date (needs_upgrade): every account parked for a person, a critical alert, the task waits', async () => {
    fx = await createPoolFixture(testDb, { accounts: 3, proxies: 3 });
    fx.emulator.setGlobalFault({ kind: 'needs_upgrade', route: 'usernameinfo' });
    const outcome = await info(session()).catch((error) => error);
    expect(outcome).toBeInstanceOf(NoAccountUsableError); // not failed: nothing is wrong with the task
    const rows = await testDb.db.selectFrom('ig_accounts').select(['status', 'status_reason']).execute();
    expect(rows.map((r) => r.status)).toEqual(['disabled', 'disabled', 'disabled']);
    expect(rows[0]!.status_reason).toMatch(/IG_APP_VERSION/);
    expect(fx.alerts.events.filter((e) => e.kind === 'app_outdated')).toHaveLength(1);
    expect(fx.alerts.events.find((e) => e.kind === 'app_outdated')!.severity).toBe('critical');
    // One request found it out; nobody asked again.
    expect(fx.emulator.log.filter((e) => e.route.includes('usernameinfo'))).toHaveLength(1);
  });
});

describe('account leases', () => {
  it('are renewed by their holder only', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const leased = await acquireAccount(testDb.db, { holder: 'task-1', leaseMs: 1_000, exclude: [], budget: fastSettings().budget });
    expect(leased).toBeDefined();
    expect(await renewAccountLease(testDb.db, leased!.id, 'task-2', 600_000)).toBe(false);
    expect((await account(leased!.id)).leased_until!.getTime()).toBe(leased!.leased_until!.getTime());
    expect(await renewAccountLease(testDb.db, leased!.id, 'task-1', 600_000)).toBe(true);
    expect((await account(leased!.id)).leased_until!.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });
});

describe('cooldown at acquire', () => {
  const coolDown = (id: number, minutes: number) =>
    testDb.db
      .updateTable('ig_accounts')
      .set({ status: 'cooldown', cooldown_until: sql<Date>`now() + ${minutes} * interval '1 minute'` })
      .where('id', '=', id)
      .execute();
  const requestsBy = (username: string) =>
    fx.emulator.log.filter((e) => e.username === username && e.route.includes('usernameinfo')).length;

  it('skips an account inside its cooldown, one task after another', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2 });
    const [cooling, other] = fx.accounts as [PoolFixture['accounts'][0], PoolFixture['accounts'][0]];
    await coolDown(cooling.id, 45);
    for (let i = 0; i < 4; i++) {
      const s = session();
      await info(s);
      await s.close();
    }
    expect(requestsBy(cooling.username)).toBe(0);
    expect(requestsBy(other.username)).toBe(4);
    expect(await account(cooling.id)).toMatchObject({ status: 'cooldown' });
  });

  it('makes a second task wait rather than use the cooling account while the first holds the other', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2 });
    const [cooling, other] = fx.accounts as [PoolFixture['accounts'][0], PoolFixture['accounts'][0]];
    await coolDown(cooling.id, 45);
    const first = session();
    const second = session();
    try {
      await info(first); // holds `other` until closed
      const outcome = await info(second).catch((error) => error);
      expect(outcome).toBeInstanceOf(NoAccountUsableError);
      // It waits until the cooldown ends (or the held account comes back), never less.
      expect(requestsBy(cooling.username)).toBe(0);
      expect(requestsBy(other.username)).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('never leases an account whose proxy has failed', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2 });
    const [behindFailed, other] = fx.accounts as [PoolFixture['accounts'][0], PoolFixture['accounts'][0]];
    await testDb.db.updateTable('proxies').set({ status: 'failed' }).where('id', '=', behindFailed.proxyId!).execute();
    for (let i = 0; i < 3; i++) {
      const s = session();
      await info(s);
      await s.close();
    }
    expect(requestsBy(behindFailed.username)).toBe(0);
    expect(requestsBy(other.username)).toBe(3);
  });

  it('takes the account back once its cooldown has run out', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const [only] = fx.accounts as [PoolFixture['accounts'][0]];
    await coolDown(only.id, -1);
    const s = session();
    expect((await info(s)).username).toBe(target());
    await s.close();
    expect(await account(only.id)).toMatchObject({ status: 'active', cooldown_until: null });
    // The end of the cooldown is a status change like any other: it has its log row (issue 15: it had none).
    const rows = await testDb.db
      .selectFrom('activity_log')
      .select(['action', 'outcome'])
      .where('account_id', '=', only.id)
      .where('kind', '=', 'status')
      .execute();
    expect(rows).toContainEqual({ action: 'status:active', outcome: 'active' });
  });
});

describe('a request tried on several accounts', () => {
  it('gives the task a retryable error after 3 accounts fail, each cooled down', async () => {
    fx = await createPoolFixture(testDb, { accounts: 4, proxies: 4 });
    fx.emulator.setGlobalFault({ kind: 'rate_limit', route: 'usernameinfo' });
    const error = await info(session()).catch((e) => e);
    expect(error).toBeInstanceOf(InstagramRequestError);
    expect(error.message).toMatch(/failed on 3 accounts/);
    const statuses = (await testDb.db.selectFrom('ig_accounts').select('status').orderBy('id').execute()).map((r) => r.status);
    expect(statuses.filter((s) => s === 'cooldown')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'active')).toHaveLength(1);
  });
});

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

/**
 * ACCOUNT_WAIT_MS: a run that finds every account leased waits for one to be released before it defers. Without the
 * wait, runs of processes woken by the same release all claimed for the one free account and all but one handed the
 * task back (test/accounts/claim-plan-processes.test.ts counts those across three daemons).
 */
describe('a run that finds every account leased', () => {
  it('waits for the release and runs on the account, without deferring', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { accountWaitMs: 60_000 } });
    const holder = session();
    await info(holder); // holds the only account
    const waiter = session();
    let settled = false;
    const waiting = info(waiter).finally(() => {
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
    const holder = session();
    await info(holder);
    const outcome = await info(session()).catch((e) => e);
    expect(outcome).toBeInstanceOf(NoAccountUsableError);
    expect((outcome as NoAccountUsableError).deferUntil.getTime()).toBeGreaterThan(Date.now());
    await holder.close();
  });

  it('with ACCOUNT_WAIT_MS 0 defers at once, as before', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { accountWaitMs: 0 } });
    const holder = session();
    await info(holder);
    const requestsBefore = fx.emulator.log.length;
    await expect(info(session())).rejects.toBeInstanceOf(NoAccountUsableError);
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
    const waiting = info(new InstagramSession(fx.pool, taskSeq++, run.signal, silent)).catch((e) => e);
    await failedToLease();
    run.abort(new Error('shutting down'));
    const outcome = await waiting;
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(NoAccountUsableError);
  });
});
