import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordProxyFailure } from '../../src/accounts/proxy-health.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Issue 15: the failure count and the step to `failed` were two statements, so two failures racing past the
 * threshold both "failed" the proxy: two alerts, two account moves. Now one statement does both, and only the
 * failure that flipped the status acts on it.
 */
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 12 });
});
afterAll(async () => testDb?.drop());

describe('a proxy failing past its threshold', () => {
  it('is failed once, by exactly one of many failures racing past the threshold', async () => {
    for (let round = 0; round < 5; round++) {
      const proxy = await testDb.db
        .insertInto('proxies')
        .values({ label: `http://10.9.${round}.1:8080`, type: 'http', url_encrypted: 'x', consecutive_failures: 2 })
        .returning('id')
        .executeTakeFirstOrThrow();
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => recordProxyFailure(testDb.db, proxy.id, 'ECONNREFUSED', 3)));
      expect(
        outcomes.filter((o) => o.failedNow),
        `round ${round}`,
      ).toHaveLength(1);
      const failedRows = await testDb.db
        .selectFrom('activity_log')
        .select('id')
        .where('proxy_id', '=', proxy.id)
        .where('action', '=', 'proxy:failed')
        .execute();
      expect(failedRows).toHaveLength(1);
      const row = await testDb.db
        .selectFrom('proxies')
        .select(['status', 'consecutive_failures'])
        .where('id', '=', proxy.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'failed', consecutive_failures: 10 });
    }
  });
});
