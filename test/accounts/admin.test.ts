import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PoolOperations } from '../../src/accounts/admin.js';
import { PoolMaintenance } from '../../src/accounts/maintenance.js';
import { InstagramSession } from '../../src/accounts/session.js';
import { createLogger } from '../../src/logger.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, type PoolFixture } from '../helpers/pool.js';

/** Admin operations and proactive maintenance against the emulator. */
let testDb: TestDatabase;
let fx: PoolFixture;
let ops: PoolOperations;
const silent = createLogger({ level: 'silent', format: 'json' });

const account = (id: number) => testDb.db.selectFrom('ig_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const proxy = (id: number) => testDb.db.selectFrom('proxies').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const first = () => fx.accounts[0]!;

async function useOnce() {
  const s = new InstagramSession(fx.pool, null, new AbortController().signal, silent);
  await s.call('usernameinfo', (ig) => ig.user.usernameinfo(fx.emulator.world.examples().usernames[0]!));
  await s.close();
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => fx?.close());

/** The account's status log, oldest first, as `action → outcome`. */
const statusRows = async (accountId: number) =>
  (
    await testDb.db
      .selectFrom('activity_log')
      .select(['action', 'outcome'])
      .where('account_id', '=', accountId)
      .where('kind', '=', 'status')
      .orderBy('id')
      .execute()
  ).map((r) => `${r.action} → ${r.outcome}`);

describe('admin operations', () => {
  it('login brings back an account parked for a bad password once the password is fixed', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    ops = new PoolOperations(fx.pool);
    fx.emulator.setLoginOutcome(first().username, 'bad_password');
    const failed = await ops.login(first().id);
    expect(failed).toMatchObject({ ok: false, outcome: 'needs_human' });
    expect((await account(first().id)).status).toBe('login_required');

    fx.emulator.setLoginOutcome(first().username, null); // the human fixed it
    expect(await ops.login(first().id)).toMatchObject({ ok: true, outcome: 'ok' });
    expect(await account(first().id)).toMatchObject({ status: 'active', status_reason: null });
    // Every status change has its log row, the human's too (issue 15: this one wrote none).
    expect(await statusRows(first().id)).toEqual(['status:login_required → login_required', 'admin:activate → active']);
  });

  it('check validates the session, and renews one that expired with a single login', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    ops = new PoolOperations(fx.pool);
    await useOnce();
    expect(await ops.check(first().id)).toMatchObject({ ok: true, outcome: 'ok' });
    expect((await account(first().id)).last_validated_at).toBeInstanceOf(Date);
    fx.emulator.expireSessions(first().username);
    expect(await ops.check(first().id)).toMatchObject({ ok: true, outcome: 'relogged_in' });
    expect(fx.emulator.loginCount(first().username)).toBe(2);
  });

  it('refuses to touch an account a task holds, and says so', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    ops = new PoolOperations(fx.pool);
    const held = await fx.pool.lease('a-task', []);
    expect(await ops.check(first().id)).toMatchObject({ ok: false, outcome: 'in_use' });
    await fx.pool.release(held!);
    expect(await ops.check(999)).toMatchObject({ ok: false, outcome: 'not_found' });
  });

  it('checks a proxy: latency on success; failures counted; a failed proxy that works again is put back', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, settings: { proxyFailuresBeforeFailed: 2 } });
    ops = new PoolOperations(fx.pool);
    const id = fx.proxyIds[0]!;
    const ok = await ops.checkProxy(id);
    expect(ok.ok).toBe(true);
    expect((await proxy(id)).latency_ms).toBeGreaterThanOrEqual(0);

    await fx.emulator.takeProxyDown(0);
    expect(await ops.checkProxy(id)).toMatchObject({ ok: false, outcome: 'proxy_error' });
    await ops.checkProxy(id);
    expect(await proxy(id)).toMatchObject({ status: 'failed', consecutive_failures: 2 });
    expect((await account(first().id)).status).toBe('proxy_error');

    await fx.emulator.bringProxyUp(0);
    expect((await ops.checkProxy(id)).ok).toBe(true);
    expect(await proxy(id)).toMatchObject({ status: 'active', consecutive_failures: 0 });
    expect((await account(first().id)).status).toBe('active');
    expect(await statusRows(first().id)).toEqual(['status:proxy_error → proxy_error', 'proxy:active → active']); // issue 15: the revival wrote none
  });
});

describe('through the API, with the real pool behind it', () => {
  it('POST /api/accounts/{id}/login and /check answer with the outcome and no secret', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const api = createTestApp(testDb, { accountOps: new PoolOperations(fx.pool) });
    const login = await api.call('POST', `/api/accounts/${first().id}/login`);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ ok: true, outcome: 'ok' });
    const check = await api.call('POST', `/api/accounts/${first().id}/check`);
    expect(check.body).toMatchObject({ ok: true, outcome: 'ok' });
    const secrets = [first().password, ...fx.emulator.sessions().flatMap((s) => [s.id, s.csrftoken])];
    for (const secret of secrets) expect(login.text + check.text).not.toContain(secret);
    expect((await api.call('POST', '/api/accounts/999/check')).status).toBe(404);
  });
});

describe('proactive maintenance', () => {
  it('finds an expired session before a task does and logs in again', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2, settings: { sessionValidateIntervalMs: 1000 } });
    ops = new PoolOperations(fx.pool);
    const maintenance = new PoolMaintenance(fx.pool, ops, silent);
    await useOnce();
    await testDb.db
      .updateTable('ig_accounts')
      .set({ last_request_at: new Date(Date.now() - 5000) })
      .execute();
    fx.emulator.expireSessions(first().username);

    expect(await maintenance.validateSessions()).toBe(1); // only the account with a session is due
    expect(fx.emulator.loginCount(first().username)).toBe(2);
    const before = fx.emulator.loginCount(first().username);
    await useOnce(); // the task finds a working session: no login on its path
    expect(fx.emulator.loginCount(first().username)).toBe(before);
    expect(await maintenance.validateSessions()).toBe(0); // just used: nothing due
  });
});

describe('socks5 proxies', () => {
  it("carry an account's requests end to end, and pass a proxy check", async () => {
    const { startSocksBridge } = await import('../helpers/socks-bridge.js');
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const bridge = await startSocksBridge(fx.emulator.proxyUrls[0]!, { user: 'sockuser', pass: 'sock-secret' });
    try {
      const socks = await testDb.db
        .insertInto('proxies')
        .values({
          url_encrypted: fx.box.encrypt(`socks5://sockuser:sock-secret@127.0.0.1:${bridge.port}`),
          label: `socks5://127.0.0.1:${bridge.port}`,
          type: 'socks5',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await testDb.db.updateTable('ig_accounts').set({ proxy_id: socks.id }).where('id', '=', first().id).execute();
      await useOnce();
      expect(fx.emulator.log.some((e) => e.username === first().username && e.status === 200)).toBe(true);
      const check = await new PoolOperations(fx.pool).checkProxy(socks.id);
      expect(check).toMatchObject({ ok: true, outcome: 'ok' });
    } finally {
      await bridge.close();
    }
  });
});
