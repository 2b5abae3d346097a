import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSeedOf, sealDeviceSeeds } from '../../src/accounts/device-seed.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { InstagramClient } from '../../src/instagram/client.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons } from '../helpers/processes.js';

/**
 * Issue 17: `ig_accounts.device_seed` was stored in plaintext, and with the session it identifies the device. Since
 * migration 0012 it is sealed; the rows that exist are sealed by the daemon at start, keeping each account's device.
 */
const KEY = 'ab'.repeat(32);
const box = SecretBox.fromString(KEY);
let testDb: TestDatabase;
const daemons = new Daemons();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await daemons.killAll();
  await testDb?.drop();
});

const deviceIdOf = async (seed: string) =>
  (await InstagramClient.create({ username: 'legacy_one', deviceSeed: seed, proxyUrl: null, session: null, timeoutMs: 1000 })).ig.state
    .deviceId;

describe('sealed device seeds', () => {
  it('seals the plaintext seeds of existing accounts when the daemon starts, and each account keeps its device', async () => {
    const legacy = [
      { username: 'legacy_one', seed: '0123456789abcdef0123456789abcdef' },
      { username: 'legacy_two', seed: 'fedcba9876543210fedcba9876543210' },
    ];
    await testDb.db
      .insertInto('ig_accounts')
      .values(legacy.map((a) => ({ username: a.username, password_encrypted: box.encrypt('pw'), device_seed: a.seed })))
      .execute();
    const devicesBefore = await Promise.all(legacy.map((a) => deviceIdOf(a.seed)));

    const daemon = await daemons.start({
      DATABASE_URL: testDb.url,
      ENCRYPTION_KEY: KEY,
      SCRAPER_API_KEY: 'device-seed-test-key-0123456789abcdef',
    });
    expect(daemon.output()).toContain('sealed the device seeds stored in plaintext');

    const rows = await testDb.db
      .selectFrom('ig_accounts')
      .select(['username', 'device_seed', 'device_seed_encrypted'])
      .orderBy('username')
      .execute();
    expect(rows.map((r) => r.device_seed)).toEqual([null, null]);
    for (const row of rows) expect(row.device_seed_encrypted).toMatch(/^v1:/);
    expect(rows.map((r) => box.decrypt(r.device_seed_encrypted!))).toEqual(legacy.map((a) => a.seed));
    expect(await Promise.all(rows.map((r) => deviceIdOf(deviceSeedOf(r, box))))).toEqual(devicesBefore);
    // A second pass (another process starting) finds nothing left to seal.
    expect(await sealDeviceSeeds(testDb.db, box, createLogger({ level: 'silent', format: 'json' }))).toBe(0);
  });

  it('refuses a row with neither a plaintext nor a sealed seed', async () => {
    const insert = testDb.db
      .insertInto('ig_accounts')
      .values({ username: 'seedless', password_encrypted: box.encrypt('pw') })
      .execute();
    await expect(insert).rejects.toMatchObject({ code: '23514', constraint: 'ig_accounts_device_seed_present' });
  });
});
