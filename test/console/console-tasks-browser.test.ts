import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { requestFollowers } from '../../src/tasks/requests.js';
import { createTestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { signedInPage } from '../helpers/console.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, fastSettings, startPoolRunner, type PoolFixture } from '../helpers/pool.js';

/**
 * The console's Tasks page in a real Chromium, with a real followers fetch: the emulator, the real
 * instagram-private-api through the pool, the production registry and runner.
 */
let testDb: TestDatabase;
let server: HttpServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let fx: PoolFixture;
let stopRunner: (() => Promise<void>) | undefined;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Pauses of 120-180 ms between requests: 17 pages take a few seconds, long enough to watch the bar move.
  const settings = { budget: { ...fastSettings().budget, delayMinMs: 120, delayMaxMs: 180 } };
  fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, world: { followPageSize: 100 }, settings });
  const { app } = createTestApp(testDb, { accountBudget: settings.budget, deps: { consoleRefreshMs: 250 } });
  server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
  ({ browser, close: closeBrowser } = await launchBrowser());
}, 120_000);
afterAll(async () => {
  await stopRunner?.();
  await closeBrowser?.();
  await server?.close(1000);
  await fx?.close();
  await testDb?.drop();
});

it("shows a followers fetch's bar move from part-way to done, live", async () => {
  const page = await signedInPage(browser, base);
  const target = fx.emulator.world.followersAccount;
  const { task } = await requestFollowers(testDb.db, {
    username: target.username,
    kind: 'followers',
    max: 10_000,
    priority: 4,
    maxAttempts: 3,
  });
  await page.goto(`${base}/ui/tasks?type=followers`);
  const row = page.locator(`#task-${task.id}`);
  await row.waitFor();
  stopRunner = startPoolRunner(testDb, fx.pool, createTaskRegistry(fx.pool)).stop;

  // Part-way: the bar shows some but not all of the 1,663 followers, with an ETA from the account budget.
  await page.waitForFunction(
    (id) => {
      const { document } = globalThis as unknown as { document: { querySelector(selector: string): unknown } };
      const bar = document.querySelector(`#task-${id} progress`) as { value: number; max: number } | null;
      return bar !== null && bar.value > 0 && bar.value < bar.max;
    },
    task.id,
    { polling: 50 },
  );
  expect(await row.locator('.fetched').textContent()).toMatch(/^[\d,]+ \/ 1,663$/);
  expect(await row.locator('.eta').textContent()).toMatch(/left \(\d+ requests; \d+ left in the budget now, 30 per 1 min\)/);
  // Then done, the bar full, without a reload.
  await row.locator('.status', { hasText: 'done' }).waitFor();
  const bar = await row.locator('progress').evaluate((el) => {
    const p = el as unknown as { value: number; max: number };
    return { value: p.value, max: p.max };
  });
  expect(bar).toEqual({ value: 1663, max: 1663 });
  expect(await row.locator('.fetched').textContent()).toBe('1,663 / 1,663');
  await page.close();
});

it('cancels and retries every task of a filter at once, and refuses the bulk form without its CSRF token', async () => {
  await stopRunner?.();
  stopRunner = undefined;
  const enqueued = await enqueueTasks(
    testDb.db,
    ['a', 'b', 'c'].map((n) => ({ type: 'discover', payload: { hashtag: `bulk_${n}` }, dedupeKey: `bulk:${n}` })),
    { maxAttempts: 3 },
  );
  const [other] = await enqueueTasks(testDb.db, [{ type: 'full_scrape', payload: { username: 'untouched' }, dedupeKey: 'bulk:other' }], {
    maxAttempts: 3,
  });
  const ids = enqueued.map((e) => e.task.id);
  const page = await signedInPage(browser, base);
  await page.goto(`${base}/ui/tasks?type=discover&status=pending`);

  // A forged bulk post (no token) from the signed-in browser is refused and changes nothing.
  const forged = await page.evaluate(async () => {
    const response = await fetch('/ui/tasks/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=cancel&type=discover',
    });
    return response.status;
  });
  expect(forged).toBe(403);

  await page.getByRole('button', { name: 'Cancel all matching' }).click();
  await page.getByRole('status').filter({ hasText: 'Cancelled 3 tasks.' }).waitFor();
  const statuses = async () =>
    (
      await testDb.db
        .selectFrom('scrape_tasks')
        .select(['id', 'status'])
        .where('id', 'in', [...ids, other!.task.id])
        .orderBy('id')
        .execute()
    ).map((r) => r.status);
  expect(await statuses()).toEqual(['cancelled', 'cancelled', 'cancelled', 'pending']);

  await page.getByLabel('Status').selectOption('cancelled');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/status=cancelled/);
  await page.getByRole('button', { name: 'Retry all matching' }).click();
  await page.getByRole('status').filter({ hasText: 'Retried 3 tasks.' }).waitFor();
  expect(await statuses()).toEqual(['pending', 'pending', 'pending', 'pending']);
  await page.close();
});
