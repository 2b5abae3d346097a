import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoverWeekly, parseHashtags, scheduleUpdates } from '../../src/scheduler/enqueue-jobs.js';
import { pruneOldRows } from '../../src/scheduler/housekeeping.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs, activity_log, scheduler_runs RESTART IDENTITY CASCADE`.execute(testDb.db);
});

describe('schedule_updates', () => {
  it('enqueues a priority-8 full_scrape for blogs scraped more than 60 days ago, once', async () => {
    await testDb.db
      .insertInto('blogs')
      .values([
        { username: 'stale_one', scraped_at: daysAgo(61), scrape_status: 'active' },
        { username: 'stale_private', scraped_at: daysAgo(90), scrape_status: 'private' },
        { username: 'fresh', scraped_at: daysAgo(10), scrape_status: 'active' },
        { username: 'never', scrape_status: 'pending' },
        { username: 'in_progress', scraped_at: daysAgo(70), scrape_status: 'scraping' },
      ])
      .execute();
    expect(await scheduleUpdates(testDb.db, { afterDays: 60, maxAttempts: 3 })).toEqual({ enqueued: 2, already_queued: 0 });
    const tasks = await testDb.db.selectFrom('scrape_tasks').select(['priority', 'payload']).orderBy('id').execute();
    expect(tasks.map((t) => [t.priority, t.payload.username])).toEqual([
      [8, 'stale_one'],
      [8, 'stale_private'],
    ]);
    expect(await scheduleUpdates(testDb.db, { afterDays: 60, maxAttempts: 3 })).toEqual({ enqueued: 0, already_queued: 2 });
  });
});

describe('discover_weekly', () => {
  it('enqueues one priority-10 discover per configured hashtag, deduplicated', async () => {
    const hashtags = parseHashtags('#AlmatyFood, astanamoms  almatyfood');
    expect(hashtags).toEqual(['almatyfood', 'astanamoms']);
    expect(await discoverWeekly(testDb.db, { hashtags, maxAttempts: 3 })).toEqual({ hashtags: 2, enqueued: 2 });
    expect(await discoverWeekly(testDb.db, { hashtags, maxAttempts: 3 })).toEqual({ hashtags: 2, enqueued: 0 });
    const tasks = await testDb.db.selectFrom('scrape_tasks').select(['task_type', 'priority']).execute();
    expect(tasks).toEqual([
      { task_type: 'discover', priority: 10 },
      { task_type: 'discover', priority: 10 },
    ]);
    expect(() => parseHashtags('ok, not-valid')).toThrow(/DISCOVER_HASHTAGS.*not-valid/);
  });
});

describe('housekeeping', () => {
  it('deletes finished tasks and old activity by age, in batches, and keeps everything else', async () => {
    const task = (status: string, completedDaysAgo: number | null) => ({
      task_type: 'full_scrape',
      status,
      payload: '{}',
      completed_at: completedDaysAgo === null ? null : daysAgo(completedDaysAgo),
      ...(status === 'running' ? { locked_by: 'w', locked_until: new Date(Date.now() + 60_000) } : {}),
    });
    await testDb.db
      .insertInto('scrape_tasks')
      .values([
        ...Array.from({ length: 5 }, () => task('done', 40)),
        task('cancelled', 40),
        task('done', 5),
        task('failed', 40), // kept: failed tasks live longer
        task('failed', 100),
        task('pending', null),
        task('running', null),
      ] as never)
      .execute();
    await testDb.db
      .insertInto('activity_log')
      .values([
        ...Array.from({ length: 3 }, () => ({
          kind: 'request' as const,
          action: 'x',
          outcome: 'ok',
          account_id: null,
          created_at: daysAgo(31),
        })),
        { kind: 'request' as const, action: 'x', outcome: 'ok', account_id: null, created_at: daysAgo(1) },
      ])
      .execute();
    const pruned = await pruneOldRows(testDb.db, { tasksAfterDays: 30, failedTasksAfterDays: 90, activityAfterDays: 30, batchSize: 2 });
    expect(pruned).toEqual({ tasks: 7, activity_log: 3, scheduler_runs: 0, webhook_events: 0 });
    const left = await testDb.db.selectFrom('scrape_tasks').select('status').orderBy('id').execute();
    expect(left.map((t) => t.status)).toEqual(['done', 'failed', 'pending', 'running']);
    expect(await testDb.db.selectFrom('activity_log').select('id').execute()).toHaveLength(1);
  });
});
