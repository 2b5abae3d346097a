import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { createTestApp, TEST_SECRET_BOX } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { signedInPage } from '../helpers/console.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** Accounts and proxies, and the overview, in a real Chromium over real HTTP. */
let testDb: TestDatabase;
let server: HttpServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let base: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startHttpServer(createTestApp(testDb, { deps: { consoleRefreshMs: 500 } }).app, { port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
  ({ browser, close: closeBrowser } = await launchBrowser());
}, 120_000);
afterAll(async () => {
  await closeBrowser?.();
  await server?.close(1000);
  await testDb?.drop();
});

it('shows accounts with cooldown, budget and proxy; imports, disables, activates and logs in', async () => {
  const [proxy] = await testDb.db
    .insertInto('proxies')
    .values({ url_encrypted: TEST_SECRET_BOX.encrypt('http://user:pw-secret@10.0.0.1:8080'), label: 'http://10.0.0.1:8080', type: 'http' })
    .returning('id')
    .execute();
  const [cooling] = await testDb.db
    .insertInto('ig_accounts')
    .values({
      username: 'scout_cooling',
      password_encrypted: TEST_SECRET_BOX.encrypt('pw'),
      device_seed_encrypted: TEST_SECRET_BOX.encrypt('seed'),
      proxy_id: proxy!.id,
      status: 'cooldown',
      status_reason: 'rate limited (429)',
      cooldown_until: new Date(Date.now() + 40 * 60_000),
      warmup_started_at: new Date(Date.now() - 30 * 86_400_000),
    })
    .returning('id')
    .execute();
  await testDb.db
    .insertInto('activity_log')
    .values(
      Array.from({ length: 4 }, (_, i) => ({
        account_id: cooling!.id,
        kind: 'request' as const,
        action: 'usernameinfo',
        outcome: i === 3 ? 'rate_limited' : 'ok',
      })),
    )
    .execute();

  const page = await signedInPage(browser, base);
  await page.getByRole('link', { name: 'Accounts' }).click();
  const row = page.locator(`#account-${cooling!.id}`);
  await row.waitFor();
  const text = (await row.textContent())!;
  expect(text).toContain('cooldown');
  expect(text).toContain('rate limited (429)');
  expect(text).toContain('http://10.0.0.1:8080');
  expect(text).toMatch(/4 used, 26 left/); // 30 per window in the test budget
  expect(text).toMatch(/75 % of 4/);
  // The bar is drawn: its filled part is about 4/30 of the whole (the stylesheet reaches the page intact).
  const [filled, whole] = await Promise.all(
    [row.locator('.bar span'), row.locator('.bar')].map((l) =>
      l.evaluate((el) => (el as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width),
    ),
  );
  expect(filled! / whole!).toBeGreaterThan(0.1);
  expect(filled! / whole!).toBeLessThan(0.2);
  // The countdown ticks in the browser: its text changes without a reload.
  const countdown = row.locator('[data-until]');
  await countdown.filter({ hasText: /^\d+m \d+s$/ }).waitFor();
  const first = await countdown.textContent();
  await page.waitForFunction((before) => {
    const { document } = globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } };
    const now = document.querySelector('[data-until]')?.textContent;
    return now !== undefined && now !== before;
  }, first);
  expect(await page.content()).not.toContain('pw-secret');

  await page.getByRole('button', { name: 'Disable scout_cooling' }).click();
  await page.getByRole('status').filter({ hasText: 'is disabled now' }).waitFor();
  expect(await row.locator('.status').textContent()).toMatch(/^disabled/);
  await page.getByRole('button', { name: 'Activate scout_cooling' }).click();
  await page.getByRole('status').filter({ hasText: 'is active now' }).waitFor();
  expect(await row.locator('.status').textContent()).toMatch(/^active/);
  await page.getByRole('button', { name: 'Log in now scout_cooling' }).click();
  await page.getByRole('status').filter({ hasText: 'scout_cooling: log in ok' }).waitFor();

  await page.getByLabel(/Proxies, one a line/).fill('http://u2:p2@10.0.0.2:8080');
  await page.getByLabel(/Accounts, one a line/).fill('scout_new:secret-password-1\nnot a valid line');
  await page.getByRole('button', { name: 'Import' }).click();
  const flash = page.getByRole('status').filter({ hasText: 'Imported proxies: 1 new' });
  await flash.waitFor();
  const message = (await flash.textContent())!;
  expect(message).toContain('Imported accounts: 1 new');
  expect(message).toMatch(/line 2:/);
  expect(message).not.toContain('secret-password-1');
  await page.getByRole('rowheader', { name: 'scout_new' }).waitFor();
  await page.close();
});

it('overview: queue depth by type, usable accounts, open batches and alerts', async () => {
  await enqueueTasks(
    testDb.db,
    [
      { type: 'full_scrape', payload: { username: 'a1' }, dedupeKey: 'ov:1' },
      { type: 'full_scrape', payload: { username: 'a2' }, dedupeKey: 'ov:2' },
    ],
    { maxAttempts: 3 },
  );
  await testDb.db.updateTable('ig_accounts').set({ status: 'disabled' }).execute();
  const page = await signedInPage(browser, base);
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Queue depth by type' }).waitFor();
  const depth = page
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'full_scrape' }) })
    .first();
  expect((await depth.textContent())!).toMatch(/full_scrape\s*2\s*2\s*0\s*0/);
  expect(await page.locator('main').textContent()).toContain('No Instagram account is usable now');
  await page.close();
});
