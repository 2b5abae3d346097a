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
  expect(response.status, response.text).toBe(201);
  return response.body as { id: number; [key: string]: unknown };
};

describe('proxies CRUD', () => {
  it('creates, lists, reads, updates and deletes a proxy; the URL is stored encrypted', async () => {
    const created = await addProxy('http://puser:ppass-secret@Proxy.Example.com:8080');
    expect(created).toMatchObject({
      label: 'http://proxy.example.com:8080',
      type: 'http',
      status: 'active',
      consecutive_failures: 0,
      success_count: 0,
      failure_count: 0,
      success_rate: null,
      latency_ms: null,
      last_check_at: null,
      last_error: null,
      account: null,
    });
    const row = await testDb.db.selectFrom('proxies').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.url_encrypted).not.toContain('ppass-secret');
    expect(TEST_SECRET_BOX.decrypt(row.url_encrypted)).toBe('http://puser:ppass-secret@proxy.example.com:8080');

    const socks = await addProxy('socks5://10.2.0.1:1080');
    expect(socks).toMatchObject({ type: 'socks5', label: 'socks5://10.2.0.1:1080' });
    const list = await api.call('GET', '/api/proxies');
    expect(list.body.items.map((p: any) => p.id)).toEqual([created.id, socks.id]);
    expect((await api.call('GET', `/api/proxies/${socks.id}`)).body).toEqual(socks);

    const moved = await api.call('PATCH', `/api/proxies/${created.id}`, { url: 'socks5://u2:p2-secret@10.2.0.2:1081' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ type: 'socks5', label: 'socks5://10.2.0.2:1081' });
    const movedRow = await testDb.db.selectFrom('proxies').select('url_encrypted').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(TEST_SECRET_BOX.decrypt(movedRow.url_encrypted)).toBe('socks5://u2:p2-secret@10.2.0.2:1081');

    const disabled = await api.call('PATCH', `/api/proxies/${socks.id}`, { status: 'disabled' });
    expect(disabled.body.status).toBe('disabled');
    expect((await api.call('GET', '/api/proxies?status=disabled')).body.items.map((p: any) => p.id)).toEqual([socks.id]);

    expect((await api.call('DELETE', `/api/proxies/${socks.id}`)).status).toBe(204);
    expect((await api.call('GET', `/api/proxies/${socks.id}`)).status).toBe(404);
  });

  it('shows success rate, latency and the account using it; active by hand resets the failure streak', async () => {
    const proxy = await addProxy('http://10.2.0.3:3128');
    await api.call('POST', '/api/accounts', { username: 'user_on_proxy', password: 'pw-x', proxy_id: proxy.id });
    await testDb.db
      .updateTable('proxies')
      .set({ status: 'failed', consecutive_failures: 3, success_count: 3, failure_count: 1, latency_ms: 42, last_check_at: new Date() })
      .where('id', '=', proxy.id)
      .execute();
    const shown = await api.call('GET', `/api/proxies/${proxy.id}`);
    expect(shown.body).toMatchObject({ status: 'failed', success_rate: 0.75, latency_ms: 42, account: { username: 'user_on_proxy' } });
    const reactivated = await api.call('PATCH', `/api/proxies/${proxy.id}`, { status: 'active' });
    expect(reactivated.body).toMatchObject({ status: 'active', consecutive_failures: 0, success_count: 3 });
  });

  it('scrubs credentials out of last_error', async () => {
    const proxy = await addProxy('http://alice:wonderland-pw@10.2.0.4:8080');
    const basic = Buffer.from('alice:wonderland-pw').toString('base64');
    await testDb.db
      .updateTable('proxies')
      .set({ last_error: `connect ECONNREFUSED via http://alice:wonderland-pw@10.2.0.4:8080 (user alice, Basic ${basic})` })
      .where('id', '=', proxy.id)
      .execute();
    const response = await api.call('GET', `/api/proxies/${proxy.id}`);
    expect(response.body.last_error).toMatch(/ECONNREFUSED via http:\/\/\*\*\*@10\.2\.0\.4:8080/);
    for (const secret of ['wonderland-pw', 'alice', basic]) expect(response.text).not.toContain(secret);
  });
});

describe('proxies: refusals', () => {
  it.each([
    ['an https proxy', { url: 'https://u:p@h:443' }, /url: unsupported proxy scheme "https:\/\/"/],
    ['a proxy list line instead of a URL', { url: '10.0.0.1:8080' }, /url: not a proxy URL/],
    ['a port out of range', { url: 'http://h:70000' }, /not a valid http proxy URL/],
    ['a path', { url: 'http://h:8080/x' }, /no path, query or fragment/],
    ['an unknown field', { url: 'http://h:1', label: 'x' }, /unknown field.*"label"/],
    ['a missing url', {}, /url/],
  ])('POST answers 400 for %s', async (_, body, message) => {
    const response = await api.call('POST', '/api/proxies', body);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('answers 400, not 500, for a host past DNS bounds: on create, update and import, where it fails its line alone (issue 17)', async () => {
    const longHost = `${'a'.repeat(60)}.`.repeat(47) + 'com'; // 2,870 characters in labels of 60
    const longLabel = `${'b'.repeat(64)}.example.com`;
    for (const url of [`http://${longHost}:8080`, `http://${longLabel}:8080`]) {
      const created = await api.call('POST', '/api/proxies', { url });
      expect(created.status, url.slice(0, 40)).toBe(400);
      expect(created.body.error.message).toMatch(/host/);
    }
    const { id } = await addProxy('http://10.2.0.9:8080');
    const patched = await api.call('PATCH', `/api/proxies/${id}`, { url: `http://${longHost}:8080` });
    expect(patched.status).toBe(400);
    const imported = await api.call('POST', '/api/proxies/import', { text: `http://10.2.0.10:8080\nhttp://${longHost}:8080\n` });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ created: 1, errors: [{ line: 2, message: expect.stringMatching(/at most 253/) }] });
    const accounts = await api.call('POST', '/api/accounts/import', { text: `someone.new:pw-123456:http://${longHost}:8080\n` });
    expect(accounts.status).toBe(200);
    expect(accounts.body.errors).toEqual([{ line: 1, message: expect.stringMatching(/host/) }]);
  });

  it('answers 400 for a bad status or empty patch, and for bad filters', async () => {
    const { id } = await addProxy('http://10.2.0.5:8080');
    expect((await api.call('PATCH', `/api/proxies/${id}`, { status: 'failed' })).body.error.message).toMatch(/"active" or "disabled"/);
    expect((await api.call('PATCH', `/api/proxies/${id}`, {})).body.error.message).toMatch(/at least one of url, status/);
    expect((await api.call('GET', '/api/proxies?status=broken')).status).toBe(400);
    expect((await api.call('DELETE', `/api/proxies/${id}?force=yes`)).status).toBe(400);
    expect((await api.call('GET', '/api/proxies/x')).body.error.message).toMatch(/proxy id must be a number/);
  });

  it('answers 404 for unknown ids on every proxy route', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/proxies/999', undefined],
      ['PATCH', '/api/proxies/999', { status: 'active' }],
      ['DELETE', '/api/proxies/999', undefined],
      ['POST', '/api/proxies/999/check', undefined],
    ] as const) {
      const response = await api.call(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.message).toMatch(/proxy 999 does not exist/);
    }
  });

  it('answers 409 for a duplicate address, whatever the credentials', async () => {
    const first = await addProxy('http://a:b@10.2.0.6:8080');
    const again = await api.call('POST', '/api/proxies', { url: 'http://c:d@10.2.0.6:8080' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`proxy http://10.2.0.6:8080 already exists (id ${first.id})`);
    const other = await addProxy('http://10.2.0.7:8080');
    const patch = await api.call('PATCH', `/api/proxies/${other.id}`, { url: 'http://10.2.0.6:8080' });
    expect(patch.status).toBe(409);
    expect(patch.body.error.message).toMatch(/another proxy already has the address http:\/\/10\.2\.0\.6:8080/);
  });

  it('refuses to delete a proxy in use (409 naming the account); ?force=true parks the account in proxy_error', async () => {
    const proxy = await addProxy('http://10.2.0.8:8080');
    const account = await api.call('POST', '/api/accounts', { username: 'bound_user', password: 'pw-x', proxy_id: proxy.id });
    const refused = await api.call('DELETE', `/api/proxies/${proxy.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/used by account 'bound_user'/);
    expect((await api.call('DELETE', `/api/proxies/${proxy.id}?force=false`)).status).toBe(409);
    expect((await api.call('DELETE', `/api/proxies/${proxy.id}?force=true`)).status).toBe(204);
    const after = await api.call('GET', `/api/accounts/${account.body.id}`);
    expect(after.body).toMatchObject({
      status: 'proxy_error',
      proxy: null,
      status_reason: expect.stringMatching(/proxy http:\/\/10\.2\.0\.8:8080 was deleted/),
    });
    const log = await testDb.db.selectFrom('activity_log').selectAll().execute();
    expect(log).toMatchObject([{ kind: 'status', action: 'admin:proxy_deleted', outcome: 'proxy_error', account_id: account.body.id }]);
  });
});

describe('POST /api/proxies/{id}/check', () => {
  it('delegates to the pool and scrubs the credentials from its message', async () => {
    const proxy = await addProxy('http://carol:carol-secret@10.2.0.9:8080');
    const ops: AccountOperations = {
      login: async () => ({ ok: true, outcome: 'ok', message: '' }),
      check: async () => ({ ok: true, outcome: 'ok', message: '' }),
      checkProxy: async (id) => {
        await testDb.db
          .updateTable('proxies')
          .set({ failure_count: 1, consecutive_failures: 1, last_error: 'timeout' })
          .where('id', '=', id)
          .execute();
        return {
          ok: false,
          outcome: 'proxy_error',
          message: 'timeout through http://carol:carol-secret@10.2.0.9:8080 (carol-secret)',
          durationMs: 5000,
        };
      },
    };
    const response = await createTestApp(testDb, { accountOps: ops }).call('POST', `/api/proxies/${proxy.id}/check`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      ok: false,
      outcome: 'proxy_error',
      duration_ms: 5000,
      proxy: { id: proxy.id, failure_count: 1, last_error: 'timeout' },
    });
    expect(response.text).not.toContain('carol-secret');
  });
});

describe('authentication', () => {
  const routes: [string, string][] = [
    ['GET', '/api/proxies'],
    ['POST', '/api/proxies'],
    ['POST', '/api/proxies/import'],
    ['GET', '/api/proxies/1'],
    ['PATCH', '/api/proxies/1'],
    ['DELETE', '/api/proxies/1'],
    ['POST', '/api/proxies/1/check'],
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
