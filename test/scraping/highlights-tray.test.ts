import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIORITY } from '../../src/queue/task.js';
import { requestScrapes } from '../../src/tasks/requests.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startHarness, waitForTasks, type ScrapeHarness } from './harness.js';

/**
 * Issue 13: 2026 highlight trays come in pages (`cursor`, `has_fetched_all_remaining_highlights`; the next page is
 * `?cursor=`). A scrape that read only the first page stored part of the tray and, since the tray is taken as
 * complete, deleted the highlights it had not seen. Here the emulator serves 2 entries a page.
 */
let testDb: TestDatabase;
let h: ScrapeHarness;

beforeAll(async () => {
  testDb = await createTestDatabase();
  h = await startHarness(testDb, { accounts: 2, world: { highlightsTrayPageSize: 2 } });
});
afterAll(async () => {
  await h?.stop();
  await testDb?.drop();
});

describe('highlights tray in pages', () => {
  it('reads every page of the tray, once each, and stores every highlight', async () => {
    const world = h.fx.emulator.world;
    const creators = world.creators.filter((c) => !c.isPrivate && world.highlightsOf(c.pk).length >= 3).slice(0, 4);
    expect(creators.length).toBeGreaterThanOrEqual(2);
    h.fx.emulator.resetLog();
    const enqueued = await requestScrapes(testDb.db, {
      usernames: creators.map((c) => c.username),
      priority: PRIORITY.manualScrape,
      source: 'manual',
      maxAttempts: 3,
    });
    const tasks = await waitForTasks(
      testDb,
      enqueued.map((e) => e.task.id),
      45_000,
    );
    expect(tasks.map((t) => t.status)).toEqual(tasks.map(() => 'done'));

    for (const creator of creators) {
      const blog = await testDb.db.selectFrom('blogs').select('id').where('username', '=', creator.username).executeTakeFirstOrThrow();
      const stored = await testDb.db.selectFrom('blog_highlights').select('platform_id').where('blog_id', '=', blog.id).execute();
      expect(stored.map((s) => s.platform_id).sort()).toEqual(
        world
          .highlightsOf(creator.pk)
          .map((x) => x.pk)
          .sort(),
      );
    }
    const trayRequests = h.fx.emulator.log.filter((e) => e.route === 'highlights/{pk}/highlights_tray').length;
    expect(trayRequests).toBe(creators.reduce((sum, c) => sum + Math.ceil(world.highlightsOf(c.pk).length / 2), 0));
  });
});
