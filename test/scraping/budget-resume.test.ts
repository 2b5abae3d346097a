import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCRAPING_SETTINGS } from '../../src/scraping/settings.js';
import { PRIORITY } from '../../src/queue/task.js';
import { requestScrapes } from '../../src/tasks/requests.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, startPoolRunner, type PoolFixture } from '../helpers/pool.js';
import { scrapingRegistry, silent, waitForTasks } from './harness.js';

/**
 * Issue 15, case 1: with a budget that runs out between the two feed pages of a profile, the task waits (no attempt
 * spent) and resumes — at the second page. On the old code both feed pages were one step: every resume asked for
 * page 1 again, and `result.requests` counted 5 while the ledger held 12.
 */
let testDb: TestDatabase;
let fx: PoolFixture;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
afterEach(async () => {
  await stop?.();
  await fx?.close();
});

describe('a scrape under a budget that runs out mid-feed', () => {
  it('resumes at the next feed page, asks for no page twice, and reports the requests the ledger and Instagram saw', async () => {
    // 4 requests a 2 s window: pre-login sync + login + profile + feed page 1, then the task must wait.
    fx = await createPoolFixture(testDb, {
      accounts: 1,
      proxies: 1,
      settings: { budget: { windowMs: 2_000, perWindow: 4, warmupPerWindow: 4, warmupDays: 0, dailyCap: 0, delayMinMs: 1, delayMaxMs: 2 } },
    });
    const creator = fx.emulator.world
      .qualifyingCreators()
      .find((c) => c.mediaCount > 24 && fx.emulator.world.highlightsOf(c.pk).length > 0)!;
    ({ stop } = startPoolRunner(
      testDb,
      fx.pool,
      scrapingRegistry(fx.pool, DEFAULT_SCRAPING_SETTINGS, ['full_scrape']),
      { concurrency: 1, pollIntervalMs: 200 },
      silent,
    ));

    const [enqueued] = await requestScrapes(testDb.db, {
      usernames: [creator.username],
      priority: PRIORITY.manualScrape,
      source: 'manual',
      maxAttempts: 3,
    });
    const [task] = await waitForTasks(testDb, [enqueued!.task.id], 30_000);
    expect(task).toMatchObject({ status: 'done', attempts: 1 });

    const feed = fx.emulator.log.filter((e) => e.route === 'feed/user/{pk}');
    expect(feed.map((e) => e.status)).toEqual([200, 200]);
    expect(new Set(feed.map((e) => e.maxId)).size).toBe(2); // page 1 (no cursor), then page 2: never page 1 again
    const ledger = await testDb.db
      .selectFrom('activity_log')
      .select('id')
      .where('task_id', '=', task!.id)
      .where('kind', '=', 'request')
      .execute();
    expect(task!.result!['requests']).toBe(ledger.length);
    expect(task!.result!['requests']).toBe(fx.emulator.log.length);
    // It did wait for the budget: the second page came in a later window than the first.
    expect(feed[1]!.wallStartedAt - feed[0]!.wallStartedAt).toBeGreaterThan(1_000);
  });
});
