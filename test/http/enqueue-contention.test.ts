import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleUpdates } from '../../src/scheduler/enqueue-jobs.js';
import { keepDiscovered } from '../../src/scraping/discover-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTestApp } from '../helpers/app.js';

/**
 * Issue 17: overlapping scrape requests that list the same usernames in opposite orders used to lock `blogs` rows in
 * opposite orders and deadlock (589 of 2,000 requests answered 500). Here 16 API clients, discover keeping authors
 * and schedule_updates enqueue over the same 40 usernames at once, half ascending and half descending.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

const NAMES = Array.from({ length: 40 }, (_, i) => `contended.user_${String(i).padStart(2, '0')}`);
const CLIENTS = 16;
const REQUESTS = 2000;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 24 });
  api = createTestApp(testDb);
});
afterAll(async () => testDb.drop());

/** A deterministic window of 10 names for request `n`, ascending or descending. */
function window(n: number, descending: boolean): string[] {
  const start = (n * 7) % NAMES.length;
  const names = Array.from({ length: 10 }, (_, i) => NAMES[(start + i) % NAMES.length]!).sort();
  return descending ? names.reverse() : names;
}

describe('enqueueing under contention', () => {
  it('answers every overlapping, oppositely ordered request without a 5xx, with one live task per username', async () => {
    // Blogs "scraped" long ago, so schedule_updates wants all of them again while the API asks for them too.
    await testDb.db
      .insertInto('blogs')
      .values(
        NAMES.slice(0, 20).map((username) => ({
          username,
          source: 'manual',
          scrape_status: 'active',
          scraped_at: sql<Date>`now() - interval '90 days'`,
        })),
      )
      .execute();

    const statuses: number[] = [];
    let next = 0;
    const client = async (c: number) => {
      for (let n = next++; n < REQUESTS; n = next++) {
        const response = await api.call('POST', '/api/tasks/scrape', { usernames: window(n, c % 2 === 1) });
        statuses.push(response.status);
        if (response.status >= 500) throw new Error(`request ${n}: ${response.status} ${response.text}`);
      }
    };
    const discover = async () => {
      for (let n = 0; n < 60; n++) {
        const username = NAMES[(n * 13) % NAMES.length]!;
        await keepDiscovered(testDb.db, {
          profile: { username, full_name: username } as never,
          raw: {},
          hashtag: 'contended',
          maxAttempts: 3,
        });
      }
    };
    const schedule = async () => {
      for (let n = 0; n < 20; n++) await scheduleUpdates(testDb.db, { afterDays: 30, maxAttempts: 3 });
    };

    await Promise.all([...Array.from({ length: CLIENTS }, (_, c) => client(c)), discover(), schedule()]);

    expect(statuses).toHaveLength(REQUESTS);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([202]));
    const live = await testDb.db
      .selectFrom('scrape_tasks')
      .select(['dedupe_key', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['pending', 'running'])
      .groupBy('dedupe_key')
      .execute();
    expect(live).toHaveLength(NAMES.length);
    expect(live.every((row) => Number(row.n) === 1)).toBe(true);
    expect(await testDb.db.selectFrom('blogs').select('username').execute()).toHaveLength(NAMES.length);
  }, 300_000); // 2,000 requests take 30–90 s on a loaded 2-core machine; the claim is no 5xx, not speed
});
