import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scheduleUpdates } from '../../src/scheduler/enqueue-jobs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * schedule_updates' profile refresh (issue 19): the blogs not due for a full scrape but whose newest snapshot is
 * older than PROFILE_REFRESH_AFTER_HOURS get one profile_refresh each (1 request), at priority 9, once; the others
 * nothing. The refresh itself runs end to end in test/scraping/growth-flags.test.ts.
 */
let testDb: TestDatabase;
const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs RESTART IDENTITY CASCADE`.execute(testDb.db);
});

async function blog(
  username: string,
  values: { scraped_at?: Date; scrape_status?: 'active' | 'analyzing' | 'private' | 'pending'; snapshotAt?: Date },
) {
  const { id } = await testDb.db
    .insertInto('blogs')
    .values({ username, scrape_status: values.scrape_status ?? 'active', scraped_at: values.scraped_at ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (values.snapshotAt)
    await testDb.db.insertInto('blog_snapshots').values({ blog_id: id, follower_count: 1, taken_at: values.snapshotAt }).execute();
  return id;
}

describe('schedule_updates: profile refresh for the daily series', () => {
  it('one priority-9 profile_refresh per active blog whose newest snapshot is older than the threshold, once', async () => {
    const stale = await blog('stale.snapshot', { scraped_at: hoursAgo(24 * 5), snapshotAt: hoursAgo(25) });
    const analysing = await blog('analysing', { scraped_at: hoursAgo(30), scrape_status: 'analyzing', snapshotAt: hoursAgo(30) });
    await blog('fresh.snapshot', { scraped_at: hoursAgo(24 * 5), snapshotAt: hoursAgo(2) });
    await blog('due.for.full', { scraped_at: hoursAgo(24 * 61), snapshotAt: hoursAgo(24 * 61) });
    await blog('private.one', { scraped_at: hoursAgo(24 * 3), scrape_status: 'private', snapshotAt: hoursAgo(24 * 3) });
    await blog('never.scraped', { scrape_status: 'pending' });

    expect(await scheduleUpdates(testDb.db, { afterDays: 60, maxAttempts: 3, profileRefreshAfterHours: 20 })).toEqual({
      enqueued: 1,
      already_queued: 0,
      profiles_enqueued: 2,
    });
    const tasks = await testDb.db.selectFrom('scrape_tasks').select(['task_type', 'priority', 'blog_id']).orderBy('id').execute();
    expect(tasks).toEqual([
      { task_type: 'full_scrape', priority: 8, blog_id: expect.any(Number) },
      { task_type: 'profile_refresh', priority: 9, blog_id: stale },
      { task_type: 'profile_refresh', priority: 9, blog_id: analysing },
    ]);
    // Live ones are not queued twice.
    expect(await scheduleUpdates(testDb.db, { afterDays: 60, maxAttempts: 3, profileRefreshAfterHours: 20 })).toEqual({
      enqueued: 0,
      already_queued: 1,
      profiles_enqueued: 0,
    });
  });

  it('0 turns it off: the answer is what it was before', async () => {
    await blog('stale.snapshot', { scraped_at: hoursAgo(24 * 5), snapshotAt: hoursAgo(25) });
    expect(await scheduleUpdates(testDb.db, { afterDays: 60, maxAttempts: 3, profileRefreshAfterHours: 0 })).toEqual({
      enqueued: 0,
      already_queued: 0,
    });
    expect(await testDb.db.selectFrom('scrape_tasks').select('id').execute()).toEqual([]);
  });
});
