import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createLogger, type Logger } from '../../src/logger.js';
import { LogTail } from '../../src/observability/log-tail.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { enqueueTasks, type Enqueued } from '../../src/queue/enqueue.js';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** The console in a real Chromium over real HTTP: what a planner clicks. */
let testDb: TestDatabase;
let server: HttpServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;
let logger: Logger;
let tail: LogTail;

beforeAll(async () => {
  testDb = await createTestDatabase();
  tail = new LogTail(500);
  logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write: (_c, _e, done) => done() }), tap: (line) => tail.push(line) });
  server = await startHttpServer(createTestApp(testDb, { logger, logTail: tail }).app, { port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
  ({ browser, close: closeBrowser } = await launchBrowser());
  await testDb.db
    .insertInto('blogs')
    .values([
      { username: 'almaty_eats', follower_count: 52_000, er: 3.1, er_trend: 'growing', source: 'manual', scrape_status: 'active' },
      { username: 'astana_runs', follower_count: 9_000, er: 1.2, source: 'discover:run', scrape_status: 'active' },
    ])
    .execute();
}, 120_000);
afterAll(async () => {
  await closeBrowser?.();
  await server?.close(1000);
  await testDb?.drop();
});

it('signs in, filters creators, cancels and retries a task, signs out', async () => {
  const [{ task }] = (await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 })) as [Enqueued];
  const page = await browser.newPage();

  await page.goto(`${base}/ui`);
  expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
  await page.getByLabel('API key').fill(TEST_API_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Creators' }).waitFor();
  expect(await page.locator('tbody tr').count()).toBe(2);

  await page.getByLabel('Search').fill('almaty');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/q=almaty/);
  expect(await page.locator('tbody tr').count()).toBe(1);
  expect(await page.locator('tbody').textContent()).toContain('almaty_eats');
  expect(await page.locator('tbody').textContent()).toContain('↑');

  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: `Cancel #${task.id}` }).click();
  await page.getByRole('button', { name: `Retry #${task.id}` }).waitFor();
  expect(await page.locator(`#task-${task.id} .status`).textContent()).toBe('cancelled');
  await page.getByRole('button', { name: `Retry #${task.id}` }).click();
  await page.getByRole('button', { name: `Cancel #${task.id}` }).waitFor();
  expect(await page.locator(`#task-${task.id} .status`).textContent()).toBe('pending');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/ui\/sign-in$/);
  await page.goto(`${base}/ui/tasks`);
  expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
  await page.close();
});

async function signedInPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/ui/sign-in`);
  await page.getByLabel('API key').fill(TEST_API_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Creators' }).waitFor();
  return page;
}

it('shows a logged line in the live tail within a second, filtered by task', async () => {
  const page = await signedInPage();
  await page.getByRole('link', { name: 'Logs' }).click();
  await page.getByLabel('Task id').fill('4242');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/task=4242/);
  await page.locator('#tail-status', { hasText: 'live' }).waitFor();
  logger.child({ component: 'runner', taskId: 424 }).info('a line of another task');
  logger.child({ component: 'runner', taskId: 4242 }).info({ fetched: 75 }, 'followers page stored');
  // The requirement: on screen within 1 s of being logged.
  await page.locator('#tail li', { hasText: 'followers page stored' }).waitFor({ timeout: 1000 });
  expect(await page.locator('#tail').textContent()).not.toContain('a line of another task');
  expect(await page.locator('#tail li', { hasText: 'followers page stored' }).textContent()).toContain('task #4242');
  await page.close();
});
