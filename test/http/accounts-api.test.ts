import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountOperations } from '../../src/accounts/operations.js';
import { createTestApp, TEST_API_KEY, TEST_SECRET_BOX } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE activity_log, ig_accounts, proxies RESTART IDENTITY CASCADE`.execute(testDb.db);
});

const addProxy = async (url: string) => {
  const response = await api.call('POST', '/api/proxies', { url });
  expect(response.status).toBe(201);
  return response.body.id as number;
};
const addAccount = async (body: Record<string, unknown>) => {
  const response = await api.call('POST', '/api/accounts', body);
  expect(response.status, response.text).toBe(201);
  return response.body as { id: number; [key: string]: unknown };
};

describe('accounts CRUD', () => {
  it('creates, reads, lists, updates and deletes an account', async () => {
    const proxyId = await addProxy('http://pu:ppass@10.1.0.1:8080');
    const created = await addAccount({ username: '@Shop.Owner', password: 'hunter2!', proxy_id: proxyId });
    expect(created).toMatchObject({
      username: 'shop.owner',
      status: 'active',
      status_reason: null,
      cooldown_until: null,
      proxy: { id: proxyId, label: 'http://10.1.0.1:8080', status: 'active' },
      requests_total: 0,
      has_session: false,
      leased: false,
      last_login_at: null,
    });
    expect((await api.call('GET', `/api/accounts/${created.id}`)).body).toEqual(created);

    const second = await addAccount({ username: 'second', password: 'pw-two' });
    expect(second.proxy).toBeNull();
    const list = await api.call('GET', '/api/accounts');
    expect(list.body).toMatchObject({ limit: 100, offset: 0, has_more: false });
    expect(list.body.items.map((a: any) => a.username)).toEqual(['shop.owner', 'second']);
    const page = await api.call('GET', '/api/accounts?limit=1&offset=1');
    expect(page.body.items.map((a: any) => a.username)).toEqual(['second']);
    expect((await api.call('GET', '/api/accounts?limit=1')).body.has_more).toBe(true);

    const unbound = await api.call('PATCH', `/api/accounts/${created.id}`, { proxy_id: null, password: 'new-password' });
    expect(unbound.status).toBe(200);
    expect(unbound.body.proxy).toBeNull();
    const row = await testDb.db
      .selectFrom('ig_accounts')
      .select('password_encrypted')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(TEST_SECRET_BOX.decrypt(row.password_encrypted)).toBe('new-password');

    const disabled = await api.call('PATCH', `/api/accounts/${second.id}`, { status: 'disabled' });
    expect(disabled.body).toMatchObject({ status: 'disabled', status_reason: 'disabled by admin' });
    expect((await api.call('GET', '/api/accounts?status=disabled')).body.items.map((a: any) => a.id)).toEqual([second.id]);

    expect((await api.call('DELETE', `/api/accounts/${second.id}`)).status).toBe(204);
    expect((await api.call('GET', `/api/accounts/${second.id}`)).status).toBe(404);
  });

  it('stores the password and a random device seed sealed, and the seed never changes', async () => {
    const { id } = await addAccount({ username: 'crypto', password: 'plain-text-password' });
    const before = await testDb.db.selectFrom('ig_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(before.password_encrypted).not.toContain('plain-text-password');
    expect(before.password_encrypted).toMatch(/^v1:/);
    expect(TEST_SECRET_BOX.decrypt(before.password_encrypted)).toBe('plain-text-password');
    expect(before.device_seed).toBeNull();
    const seed = TEST_SECRET_BOX.decrypt(before.device_seed_encrypted!);
    expect(seed).toMatch(/^[0-9a-f]{32}$/);
    await api.call('PATCH', `/api/accounts/${id}`, { password: 'another-one', status: 'active' });
    const after = await testDb.db.selectFrom('ig_accounts').select('device_seed_encrypted').where('id', '=', id).executeTakeFirstOrThrow();
    expect(TEST_SECRET_BOX.decrypt(after.device_seed_encrypted!)).toBe(seed);
    const other = await addAccount({ username: 'crypto2', password: 'plain-text-password' });
    const otherRow = await testDb.db.selectFrom('ig_accounts').selectAll().where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(TEST_SECRET_BOX.decrypt(otherRow.device_seed_encrypted!)).not.toBe(seed);
    expect(otherRow.password_encrypted).not.toBe(before.password_encrypted);
  });

  it('setting active by hand clears cooldown, reason and challenge count, and logs the change', async () => {
    const { id } = await addAccount({ username: 'challenged', password: 'pw-x' });
    await testDb.db
      .updateTable('ig_accounts')
      .set({
        status: 'challenge',
        status_reason: 'challenge_required twice',
        cooldown_until: new Date(Date.now() + 3_600_000),
        challenge_count: 2,
      })
      .where('id', '=', id)
      .execute();
    const response = await api.call('PATCH', `/api/accounts/${id}`, { status: 'active' });
    expect(response.body).toMatchObject({ status: 'active', status_reason: null, cooldown_until: null });
    const row = await testDb.db.selectFrom('ig_accounts').select('challenge_count').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.challenge_count).toBe(0);
    const log = await testDb.db.selectFrom('activity_log').selectAll().where('account_id', '=', id).execute();
    expect(log).toMatchObject([{ kind: 'status', action: 'admin:activate', outcome: 'active' }]);
  });

  it('binding a proxy to an account in proxy_error makes it active again', async () => {
    const { id } = await addAccount({ username: 'stranded', password: 'pw-x' });
    await testDb.db.updateTable('ig_accounts').set({ status: 'proxy_error', status_reason: 'proxy failed' }).where('id', '=', id).execute();
    const proxyId = await addProxy('socks5://10.1.0.9:1080');
    const response = await api.call('PATCH', `/api/accounts/${id}`, { proxy_id: proxyId });
    expect(response.body).toMatchObject({ status: 'active', status_reason: null, proxy: { id: proxyId, label: 'socks5://10.1.0.9:1080' } });
  });

  it('shows has_session and leased without showing the session', async () => {
    const { id } = await addAccount({ username: 'busy', password: 'pw-x' });
    await testDb.db
      .updateTable('ig_accounts')
      .set({
        session_encrypted: TEST_SECRET_BOX.encrypt('{"cookies":"sessionid=abc"}'),
        leased_by: 'w1:task 7',
        leased_until: new Date(Date.now() + 60_000),
      })
      .where('id', '=', id)
      .execute();
    const response = await api.call('GET', `/api/accounts/${id}`);
    expect(response.body).toMatchObject({ has_session: true, leased: true });
    expect(response.text).not.toContain('sessionid');
  });
});

describe('accounts: refusals', () => {
  it.each([
    ['a bad username', { username: 'bad..name', password: 'x' }, /username: "bad\.\.name" is not a valid Instagram username/],
    ['a missing password', { username: 'ok' }, /password/],
    ['an empty password', { username: 'ok', password: '' }, /password: the password is empty/],
    ['a password with a line break', { username: 'ok', password: 'a\nb' }, /control character/],
    ['an unknown field', { username: 'ok', password: 'x', session: 'abc' }, /unknown field.*"session"/],
    ['a proxy_id that is not a number', { username: 'ok', password: 'x', proxy_id: 'one' }, /proxy_id must be a number/],
    ['an unknown proxy_id', { username: 'ok', password: 'x', proxy_id: 4242 }, /proxy_id 4242: no such proxy/],
  ])('POST answers 400 for %s', async (_, body, message) => {
    const response = await api.call('POST', '/api/accounts', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('bad_request');
    expect(response.body.error.message).toMatch(message);
  });

  it.each([
    ['a status the pool decides', { status: 'banned' }, /status can only be set to "active" or "disabled"/],
    ['an empty body', {}, /at least one of password, proxy_id, status/],
    ['an unknown field', { device_seed: 'x' }, /unknown field.*"device_seed"/],
  ])('PATCH answers 400 for %s', async (_, body, message) => {
    const { id } = await addAccount({ username: 'patchme', password: 'pw-x' });
    const response = await api.call('PATCH', `/api/accounts/${id}`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('answers 400 for bad list filters and ids', async () => {
    expect((await api.call('GET', '/api/accounts?status=sleeping')).body.error.message).toMatch(/status/);
    expect((await api.call('GET', '/api/accounts?limit=0')).status).toBe(400);
    expect((await api.call('GET', '/api/accounts?colour=red')).body.error.message).toMatch(/unknown field.*colour/);
    expect((await api.call('GET', '/api/accounts/abc')).body.error.message).toMatch(/account id must be a number/);
  });

  it('answers 404 for unknown ids on every account route', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/accounts/999', undefined],
      ['PATCH', '/api/accounts/999', { status: 'active' }],
      ['DELETE', '/api/accounts/999', undefined],
      ['POST', '/api/accounts/999/login', undefined],
      ['POST', '/api/accounts/999/check', undefined],
    ] as const) {
      const response = await api.call(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.message).toMatch(/account 999 does not exist/);
    }
  });

  it('answers 409 for a duplicate username, in any case', async () => {
    await addAccount({ username: 'taken', password: 'pw-x' });
    const response = await api.call('POST', '/api/accounts', { username: '@TAKEN', password: 'pw-y' });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/account 'taken' already exists/);
  });

  it('answers 409 naming the account when the proxy is bound to another one', async () => {
    const proxyId = await addProxy('http://10.1.0.2:8080');
    const holder = await addAccount({ username: 'holder', password: 'pw-x', proxy_id: proxyId });
    const onCreate = await api.call('POST', '/api/accounts', { username: 'newcomer', password: 'pw-y', proxy_id: proxyId });
    expect(onCreate.status).toBe(409);
    expect(onCreate.body.error.message).toMatch(new RegExp(`already bound to account 'holder' \\(id ${holder.id}\\)`));
    const other = await addAccount({ username: 'other', password: 'pw-z' });
    const onPatch = await api.call('PATCH', `/api/accounts/${other.id}`, { proxy_id: proxyId });
    expect(onPatch.status).toBe(409);
    expect(onPatch.body.error.message).toMatch(/already bound to account 'holder'/);
    // re-binding the holder's own proxy is not a conflict
    expect((await api.call('PATCH', `/api/accounts/${holder.id}`, { proxy_id: proxyId })).status).toBe(200);
  });

  it('binds one proxy to only one of two concurrent requests', async () => {
    const proxyId = await addProxy('http://10.1.0.3:8080');
    const [a, b] = await Promise.all([
      addAccount({ username: 'race_a', password: 'x' }),
      addAccount({ username: 'race_b', password: 'x' }),
    ]);
    const results = await Promise.all([a, b].map((acc) => api.call('PATCH', `/api/accounts/${acc.id}`, { proxy_id: proxyId })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('answers 409 when deleting an account a task holds, and deletes it once the lease is over', async () => {
    const { id } = await addAccount({ username: 'leased', password: 'pw-x' });
    await testDb.db
      .updateTable('ig_accounts')
      .set({ leased_by: 'w1', leased_until: new Date(Date.now() + 60_000) })
      .where('id', '=', id)
      .execute();
    const refused = await api.call('DELETE', `/api/accounts/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/account 'leased' is in use by a task/);
    await testDb.db
      .updateTable('ig_accounts')
      .set({ leased_until: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    expect((await api.call('DELETE', `/api/accounts/${id}`)).status).toBe(204);
  });
});

describe('login and check', () => {
  it('delegate to the pool and return its result with the account after it', async () => {
    const calls: string[] = [];
    const ops: AccountOperations = {
      login: async (id) => {
        calls.push(`login ${id}`);
        await testDb.db
          .updateTable('ig_accounts')
          .set({ status: 'login_required', status_reason: 'bad password' })
          .where('id', '=', id)
          .execute();
        return { ok: false, outcome: 'bad_password', message: 'Instagram refused the password', durationMs: 120 };
      },
      check: async (id) => {
        calls.push(`check ${id}`);
        return { ok: true, outcome: 'ok', message: 'session valid' };
      },
      checkProxy: async () => ({ ok: true, outcome: 'ok', message: '' }),
    };
    const custom = createTestApp(testDb, { accountOps: ops });
    const { id } = await addAccount({ username: 'opsuser', password: 'pw-x' });
    const login = await custom.call('POST', `/api/accounts/${id}/login`);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ ok: false, outcome: 'bad_password', duration_ms: 120, account: { id, status: 'login_required' } });
    const check = await custom.call('POST', `/api/accounts/${id}/check`);
    expect(check.body).toMatchObject({ ok: true, outcome: 'ok', message: 'session valid', duration_ms: null });
    expect(calls).toEqual([`login ${id}`, `check ${id}`]);
  });
});

describe('authentication', () => {
  const routes: [string, string][] = [
    ['GET', '/api/accounts'],
    ['POST', '/api/accounts'],
    ['POST', '/api/accounts/import'],
    ['GET', '/api/accounts/1'],
    ['PATCH', '/api/accounts/1'],
    ['DELETE', '/api/accounts/1'],
    ['POST', '/api/accounts/1/login'],
    ['POST', '/api/accounts/1/check'],
  ];

  it.each(routes)('%s %s answers 401 without the key and is in the OpenAPI document', async (method, path) => {
    for (const authorization of ['', 'Bearer wrong', `Bearer ${TEST_API_KEY}x`]) {
      const response = await api.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, { authorization });
      expect(response.status).toBe(401);
    }
    const doc = await api.call('GET', '/openapi.json', undefined, { authorization: '' });
    const operation = doc.body.paths[path.replace('/1', '/{id}')]?.[method.toLowerCase()];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
  });
});
