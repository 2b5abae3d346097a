import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountOperations } from '../../src/accounts/operations.js';
import { createTestApp, TEST_SECRET_BOX } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * The promise of issue 4: no response ever includes a password, a cookie, a session, a device seed or a proxy
 * credential. Every account and proxy route is called with secret-laden data, and each body is searched.
 */
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());

const SECRETS = {
  passwords: ['Acc0unt-Pass-One', 'Acc0unt-Pass-Two', 'Imp0rted-Pass-Three', 'Patched-Pass-Four'],
  proxyUsers: ['proxyuser-alpha', 'proxyuser-beta', 'proxyuser-gamma', 'proxyuser-delta'],
  proxyPasswords: ['Pr0xy-Pass-Alpha', 'Pr0xy-Pass-Beta', 'Pr0xy-Pass-Gamma', 'Pr0xy-Pass-Delta'],
  cookie: 'sessionid=Cookie-Value-9f8e7d',
};

// The pool's answers quote what a careless implementation might: URLs with credentials, passwords.
const leakyOps: AccountOperations = {
  login: async () => ({ ok: false, outcome: 'bad_password', message: `login as x with ${SECRETS.passwords[0]} failed` }),
  check: async () => ({
    ok: false,
    outcome: 'proxy_error',
    message: `via http://${SECRETS.proxyUsers[0]}:${SECRETS.proxyPasswords[0]}@10.9.0.1:8000`,
  }),
  checkProxy: async () => ({ ok: false, outcome: 'proxy_error', message: `407 for ${SECRETS.proxyUsers[0]}:${SECRETS.proxyPasswords[0]}` }),
};

it('no account or proxy route answers with a password, cookie, session, device seed or proxy credential', async () => {
  const api = createTestApp(testDb, { accountOps: leakyOps });
  const bodies: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api.call(method, path, body);
    expect(response.status, `${method} ${path}: ${response.text}`).toBeLessThan(500);
    bodies.push(`${method} ${path} → ${response.text}`);
    return response;
  };
  const [u, p] = [SECRETS.proxyUsers, SECRETS.proxyPasswords];

  const proxy1 = (await call('POST', '/api/proxies', { url: `http://${u[0]}:${p[0]}@10.9.0.1:8000` })).body.id;
  const proxy2 = (await call('POST', '/api/proxies', { url: `socks5://${u[1]}:${p[1]}@10.9.0.2:1080` })).body.id;
  await call('POST', '/api/proxies/import', {
    text: `10.9.0.3:8000:${u[2]}:${p[2]}\n${u[3]}:${p[3]}@10.9.0.4:8000\nftp://${u[3]}:${p[3]}@h:1`,
  });
  await call('POST', '/api/proxies', { url: `https://${u[0]}:${p[0]}@10.9.0.1:8000` }); // 400
  await call('POST', '/api/proxies', { url: `http://${u[0]}:${p[0]}@10.9.0.1:8000` }); // 409

  const account1 = (await call('POST', '/api/accounts', { username: 'secret_one', password: SECRETS.passwords[0], proxy_id: proxy1 })).body
    .id;
  const account2 = (await call('POST', '/api/accounts', { username: 'secret_two', password: SECRETS.passwords[1] })).body.id;
  await call('POST', '/api/accounts', { username: 'secret_one', password: SECRETS.passwords[1] }); // 409
  await call('POST', '/api/accounts', { username: 'bad..name', password: SECRETS.passwords[1] }); // 400
  await call('POST', '/api/accounts', { username: 'x', password: `${SECRETS.passwords[1]}\n` }); // 400
  await call('POST', '/api/accounts/import', {
    text: `secret_three:${SECRETS.passwords[2]}\nsecret_two:${SECRETS.passwords[1]}:http://${u[2]}:${p[2]}@10.9.0.3:8000\nbad..x:${SECRETS.passwords[2]}\nnocolon${SECRETS.passwords[2]}`,
    assign_proxies: true,
  });

  // What the pool stores, and what it might write into reasons and errors.
  const session = TEST_SECRET_BOX.encrypt(JSON.stringify({ cookies: SECRETS.cookie }));
  await testDb.db
    .updateTable('ig_accounts')
    .set({ session_encrypted: session, status_reason: `proxy http://${u[0]}:${p[0]}@10.9.0.1:8000 refused` })
    .where('id', '=', account1)
    .execute();
  await testDb.db
    .updateTable('proxies')
    .set({ last_error: `auth failed for ${u[0]} / ${p[0]} (Basic ${Buffer.from(`${u[0]}:${p[0]}`).toString('base64')})` })
    .where('id', '=', proxy1)
    .execute();

  await call('PATCH', `/api/accounts/${account2}`, { password: SECRETS.passwords[3], status: 'active' });
  await call('PATCH', `/api/accounts/${account2}`, { proxy_id: proxy1 }); // 409
  await call('PATCH', `/api/proxies/${proxy2}`, { url: `socks5://${u[1]}:${p[1]}@10.9.0.22:1080` });
  await call('PATCH', `/api/proxies/${proxy2}`, { url: `socks5://${u[1]}:${p[1]}@10.9.0.22:1080/path` }); // 400
  for (const path of [
    '/api/accounts',
    '/api/accounts?status=active',
    `/api/accounts/${account1}`,
    `/api/accounts/${account2}`,
    '/api/proxies',
    `/api/proxies/${proxy1}`,
  ]) {
    await call('GET', path);
  }
  await call('POST', `/api/accounts/${account1}/login`);
  await call('POST', `/api/accounts/${account1}/check`);
  await call('POST', `/api/proxies/${proxy1}/check`);
  await call('DELETE', `/api/proxies/${proxy1}`); // 409 naming the account
  await call('DELETE', `/api/proxies/${proxy1}?force=true`);
  await call('DELETE', `/api/accounts/${account2}`);
  await call('GET', '/api/accounts');

  const rows = await testDb.db
    .selectFrom('ig_accounts')
    .select(['device_seed_encrypted', 'session_encrypted', 'password_encrypted'])
    .execute();
  const stored = rows.flatMap((r) => [
    r.device_seed_encrypted!,
    TEST_SECRET_BOX.decrypt(r.device_seed_encrypted!),
    r.password_encrypted,
    ...(r.session_encrypted ? [r.session_encrypted] : []),
  ]);
  const urls = await testDb.db.selectFrom('proxies').select('url_encrypted').execute();
  const forbidden = [
    ...SECRETS.passwords,
    ...SECRETS.proxyUsers,
    ...SECRETS.proxyPasswords,
    SECRETS.cookie,
    'Cookie-Value',
    session,
    ...stored,
    ...urls.map((r) => r.url_encrypted),
    Buffer.from(`${u[0]}:${p[0]}`).toString('base64'),
  ];
  expect(bodies.length).toBeGreaterThan(25);
  for (const body of bodies) {
    for (const secret of forbidden) expect(body, `leaked ${secret}`).not.toContain(secret);
  }
});
