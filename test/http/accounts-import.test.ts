import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importFromConfig } from '../../src/accounts/import.js';
import { createLogger } from '../../src/logger.js';
import { createTestApp, TEST_SECRET_BOX } from '../helpers/app.js';
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

const accounts = () =>
  testDb.db
    .selectFrom('ig_accounts as a')
    .leftJoin('proxies as p', 'p.id', 'a.proxy_id')
    .select(['a.username', 'a.password_encrypted', 'a.device_seed_encrypted', 'p.label'])
    .orderBy('a.username')
    .execute()
    .then((rows) => rows.map((row) => ({ ...row, device_seed: TEST_SECRET_BOX.decrypt(row.device_seed_encrypted!) })));

describe('POST /api/proxies/import', () => {
  it('imports every list format, reports bad lines by number, and skips existing proxies on re-import', async () => {
    const text =
      '# list\r\nhttp://u1:p1-secret@10.3.0.1:8000\r\n10.3.0.2:8000\r\n10.3.0.3:8000:u3:p3-secret\r\nu4:p4-secret@10.3.0.4:8000\r\nsocks5://10.3.0.5:1080\r\nnot a proxy\r\n';
    const first = await api.call('POST', '/api/proxies/import', { text });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      created: 5,
      updated: 0,
      skipped: 0,
      errors: [{ line: 7, message: expect.stringMatching(/not a proxy/) }],
    });
    const again = await api.call('POST', '/api/proxies/import', { text });
    expect(again.body).toMatchObject({ created: 0, skipped: 5 });
    const labels = await testDb.db.selectFrom('proxies').select(['label', 'url_encrypted']).orderBy('id').execute();
    expect(labels.map((p) => p.label)).toEqual([
      'http://10.3.0.1:8000',
      'http://10.3.0.2:8000',
      'http://10.3.0.3:8000',
      'http://10.3.0.4:8000',
      'socks5://10.3.0.5:1080',
    ]);
    expect(TEST_SECRET_BOX.decrypt(labels[2]!.url_encrypted)).toBe('http://u3:p3-secret@10.3.0.3:8000');
  });

  it('answers 400 for a missing text or an unknown field', async () => {
    expect((await api.call('POST', '/api/proxies/import', {})).body.error.message).toMatch(/text/);
    expect((await api.call('POST', '/api/proxies/import', { text: '', lines: [] })).body.error.message).toMatch(/unknown field.*lines/);
  });
});

describe('POST /api/accounts/import', () => {
  it('creates accounts with their line proxies, updates changed passwords, and is idempotent', async () => {
    const text = ['alice:pw-alice', 'bob:pw:bob:http://pu:pp@10.4.0.1:8000', '', '# comment', 'bad..name:pw-x', 'carol:'].join('\n');
    const first = await api.call('POST', '/api/accounts/import', { text });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      created: 2,
      updated: 0,
      skipped: 0,
      errors: [
        { line: 5, message: expect.stringMatching(/not a valid Instagram username/) },
        { line: 6, message: 'the password is empty' },
      ],
    });
    const seeds = (await accounts()).map((a) => a.device_seed);

    const same = await api.call('POST', '/api/accounts/import', { text });
    expect(same.body).toMatchObject({ created: 0, updated: 0, skipped: 2 });

    const changed = await api.call('POST', '/api/accounts/import', { text: 'alice:new-pw-alice\nbob:pw:bob:http://pu:pp@10.4.0.1:8000' });
    expect(changed.body).toMatchObject({ created: 0, updated: 1, skipped: 1 });
    const rows = await accounts();
    expect(rows.map((r) => [r.username, TEST_SECRET_BOX.decrypt(r.password_encrypted), r.label])).toEqual([
      ['alice', 'new-pw-alice', null],
      ['bob', 'pw:bob', 'http://10.4.0.1:8000'],
    ]);
    expect(rows.map((r) => r.device_seed)).toEqual(seeds);
  });

  it('reports a line whose proxy is bound to another account, and imports the rest', async () => {
    await api.call('POST', '/api/accounts/import', { text: 'first:pw-1:http://10.4.0.2:8000' });
    const response = await api.call('POST', '/api/accounts/import', { text: 'second:pw-2:http://10.4.0.2:8000\nthird:pw-3' });
    expect(response.body).toMatchObject({
      created: 1,
      errors: [{ line: 1, message: expect.stringMatching(/already bound to account 'first'/) }],
    });
    expect((await accounts()).map((a) => a.username)).toEqual(['first', 'third']);
  });

  it('assign_proxies binds accounts without a proxy to free active proxies, and says how many are left without', async () => {
    await api.call('POST', '/api/proxies/import', { text: '10.4.1.1:8000\n10.4.1.2:8000\n10.4.1.3:8000' });
    await api.call('PATCH', '/api/proxies/3', { status: 'disabled' });
    await api.call('POST', '/api/accounts', { username: 'already', password: 'pw-x', proxy_id: 1 });
    const response = await api.call('POST', '/api/accounts/import', { text: 'n1:pw-1\nn2:pw-2\nalready:pw-x', assign_proxies: true });
    expect(response.body).toMatchObject({ created: 2, skipped: 1, proxies_assigned: 1, without_proxy: 1 });
    const rows = await accounts();
    expect(rows.map((r) => [r.username, r.label])).toEqual([
      ['already', 'http://10.4.1.1:8000'],
      ['n1', 'http://10.4.1.2:8000'],
      ['n2', null],
    ]);
  });
});

describe('importFromConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'igscout-import-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const capture = () => {
    let output = '';
    const stream = new Writable({ write: (chunk, _enc, done) => ((output += chunk), done()) });
    return { logger: createLogger({ level: 'info', format: 'json', destination: stream }), output: () => output };
  };

  it('imports IG_PROXIES (inline, comma separated) and IG_ACCOUNTS (@file), binds free proxies, is idempotent, and logs no secret', async () => {
    const file = path.join(dir, 'accounts.txt');
    await writeFile(file, 'cfg_one:cfg-secret-1\ncfg_two:cfg-secret-2\nbroken\n');
    const config = { IG_PROXIES: 'http://px:px-secret@10.5.0.1:8000, 10.5.0.2:8000', IG_ACCOUNTS: `@${file}` };
    const log = capture();
    const first = await importFromConfig(testDb.db, TEST_SECRET_BOX, config, log.logger);
    expect(first.proxies).toMatchObject({ created: 2, errors: [] });
    expect(first.accounts).toMatchObject({ created: 2, proxies_assigned: 2, without_proxy: 0, errors: [{ line: 3 }] });
    const second = await importFromConfig(testDb.db, TEST_SECRET_BOX, config, log.logger);
    expect(second.proxies).toMatchObject({ created: 0, skipped: 2 });
    expect(second.accounts).toMatchObject({ created: 0, updated: 0, skipped: 2, proxies_assigned: 0 });
    expect((await accounts()).map((a) => a.label)).toEqual(['http://10.5.0.1:8000', 'http://10.5.0.2:8000']);
    expect(log.output()).toContain('imported IG_ACCOUNTS');
    expect(log.output()).toContain('line 3 skipped');
    for (const secret of ['cfg-secret', 'px-secret']) expect(log.output()).not.toContain(secret);
  });

  it('does nothing without the variables and names an unreadable file', async () => {
    expect(await importFromConfig(testDb.db, TEST_SECRET_BOX, {}, capture().logger)).toEqual({});
    await expect(importFromConfig(testDb.db, TEST_SECRET_BOX, { IG_ACCOUNTS: '@/nonexistent/file' }, capture().logger)).rejects.toThrow(
      /IG_ACCOUNTS: cannot read \/nonexistent\/file: ENOENT/,
    );
  });
});
