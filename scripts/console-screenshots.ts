/**
 * `npm run screenshots` — screenshots of every console page, taken by a real headless Chromium (the browser of the
 * tests) against the real app on a throw-away Postgres with example data, into docs/screenshots/*.png (README's
 * console section shows them). Example data is inserted directly: creators with snapshots and posts, a followers
 * fetch part-way, accounts in several states, log lines through the real logger and its tail.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { openBenchPostgres } from '../bench/lib/postgres.js';
import { SecretBox } from '../src/crypto/secret-box.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createApp } from '../src/http/app.js';
import { startHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/logger.js';
import { LogTail } from '../src/observability/log-tail.js';
import { launchBrowser } from '../test/helpers/browser.js';

const OUT = path.resolve(import.meta.dirname, '..', 'docs', 'screenshots');
const KEY = 'screenshot-key-0123456789abcdef0123';

const postgres = await openBenchPostgres();
const url = await postgres.database('console_screenshots');
const handle = openDatabase(url, { poolMax: 5 });
const quiet = createLogger({ level: 'warn', format: 'json' });
await migrate(handle.pool, quiet);
const { db } = handle;
const box = SecretBox.fromString(SecretBox.generateKey());
const tail = new LogTail(2000);
const logger = createLogger({
  level: 'info',
  format: 'json',
  destination: new Writable({ write: (_c, _e, done) => done() }),
  tap: (line) => tail.push(line),
});

// --- example data ---
const day = 86_400_000;
const now = Date.now();
const names = [
  'almaty_eats',
  'astana_runs',
  'shymkent_style',
  'steppe_travel',
  'tech_qazaq',
  'mama_recipes',
  'bishkek_bikes',
  'caspian_sun',
];
const blogs = await db
  .insertInto('blogs')
  .values(
    names.map((username, i) => ({
      username,
      full_name: username.replace('_', ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
      biography: [
        'Street food of Almaty',
        'Marathons and mountains',
        'Fashion from the south',
        'Travel across the steppe',
        'Gadgets reviewed in Kazakh',
        'Family recipes',
        'Cycling in Bishkek',
        'Aktau beaches',
      ][i],
      follower_count: 12_000 + i * 17_345,
      following_count: 300 + i * 40,
      media_count: 200 + i * 31,
      er: Number((1.2 + (i % 5) * 0.9).toFixed(2)),
      er_reels: Number((2.1 + (i % 3) * 1.1).toFixed(2)),
      er_trend: (['growing', 'stable', 'declining'] as const)[i % 3],
      posts_per_week: 1.5 + (i % 4),
      scrape_status: 'active' as const,
      scraped_at: new Date(now - i * 3_600_000),
      source: i % 2 ? 'discover:food' : 'manual',
      ai_confidence: 0.62 + i * 0.04,
    })),
  )
  .returning(['id', 'username'])
  .execute();
const main = blogs[0]!;
await db
  .updateTable('blogs')
  .set({
    ai_insights: JSON.stringify({
      content: { primary_topic: 'food', secondary_topics: ['travel', 'family'], content_language: ['ru', 'kk'], content_tone: 'humor' },
      commercial: { detected_brand_categories: ['restaurants', 'delivery'], ad_frequency: 'moderate' },
      audience_inference: {
        estimated_audience_gender: 'mixed',
        estimated_audience_age: '25-34',
        estimated_audience_geo: 'kz',
        geo_mentions: ['Almaty'],
      },
      confidence: 0.82,
      notes: 'Reviews street food and family cafes; posts daily in stories.',
    }) as never,
    ai_analyzed_at: new Date(now - 2 * day),
  })
  .where('id', '=', main.id)
  .execute();
await db
  .insertInto('blog_snapshots')
  .values(
    Array.from({ length: 30 }, (_, i) => ({
      blog_id: main.id,
      follower_count: 12_000 + i * 180 + (i > 20 ? 900 : 0),
      following_count: 300,
      er: Number((2.6 + Math.sin(i / 4) * 0.5).toFixed(2)),
      taken_at: new Date(now - (30 - i) * day),
    })),
  )
  .execute();
await db
  .insertInto('blog_posts')
  .values(
    Array.from({ length: 20 }, (_, i) => ({
      blog_id: main.id,
      platform_id: `p${i}`,
      shortcode: `C${i}abc`,
      caption_text: `Post ${i}: plov, samsa and baursaks`,
      like_count: 400 + ((i * 137) % 600),
      comment_count: 12 + ((i * 7) % 40),
      play_count: i % 3 === 0 ? 5000 + i * 300 : null,
      is_pinned: i === 19,
      taken_at: new Date(now - (20 - i) * 1.5 * day),
    })),
  )
  .execute();
await db
  .insertInto('blog_highlights')
  .values([
    {
      blog_id: main.id,
      platform_id: 'h1',
      title: 'Menu',
      media_count: 12,
      story_mentions: ['chef_aru', 'green_bazaar'],
      story_locations: ['Green Bazaar, Almaty'],
      story_links: ['https://example.org/menu'],
    },
    {
      blog_id: main.id,
      platform_id: 'h2',
      title: 'Collabs',
      media_count: 5,
      story_mentions: ['kaspi_food'],
      story_locations: [],
      story_links: [],
    },
  ])
  .execute();

const proxyIds: number[] = [];
for (const i of [1, 2, 3]) {
  const [row] = await db
    .insertInto('proxies')
    .values({
      url_encrypted: box.encrypt(`http://u:p@10.0.0.${i}:8080`),
      label: `http://10.0.0.${i}:8080`,
      type: 'http',
      success_count: 90 + i,
      failure_count: i,
      latency_ms: 180 + i * 20,
      last_check_at: new Date(now - i * 60_000),
    })
    .returning('id')
    .execute();
  proxyIds.push(row!.id);
}
const accounts = [
  { username: 'scout_one', status: 'active' as const, proxy_id: proxyIds[0]! },
  {
    username: 'scout_two',
    status: 'cooldown' as const,
    proxy_id: proxyIds[1]!,
    status_reason: 'rate limited: Please wait a few minutes',
    cooldown_until: new Date(now + 38 * 60_000),
  },
  {
    username: 'scout_three',
    status: 'challenge' as const,
    proxy_id: proxyIds[2]!,
    status_reason: 'challenge_required twice: needs a human',
  },
];
const accountIds: number[] = [];
for (const a of accounts) {
  const [row] = await db
    .insertInto('ig_accounts')
    .values({
      ...a,
      password_encrypted: box.encrypt('pw'),
      device_seed_encrypted: box.encrypt(`seed-${a.username}`),
      warmup_started_at: new Date(now - 30 * day),
    })
    .returning('id')
    .execute();
  accountIds.push(row!.id);
}
await db
  .insertInto('activity_log')
  .values(
    Array.from({ length: 40 }, (_, i) => ({
      account_id: accountIds[i % 2]!,
      kind: 'request' as const,
      action: i % 3 ? 'feed/user' : 'usernameinfo',
      outcome: i === 17 ? 'rate_limited' : 'ok',
      http_status: i === 17 ? 429 : 200,
      duration_ms: 200 + (i % 7) * 30,
      created_at: new Date(now - (40 - i) * 60_000),
    })),
  )
  .execute();

const tasks = await db
  .insertInto('scrape_tasks')
  .values([
    {
      task_type: 'followers',
      status: 'running',
      priority: 4,
      blog_id: main.id,
      payload: { username: main.username, kind: 'followers', max: 10_000 },
      progress: { kind: 'followers', expected: 13_260, fetched: 4_825, pages: 193 },
      attempts: 1,
      started_at: new Date(now - 20 * 60_000),
      locked_by: 'w',
      locked_until: new Date(now + 60_000),
      dedupe_key: 'f1',
    },
    {
      task_type: 'full_scrape',
      status: 'pending',
      priority: 2,
      payload: { username: 'caspian_sun' },
      waiting_reason: 'waiting for an Instagram account to become usable (the next at 07:10)',
      dedupe_key: 'f2',
    },
    {
      task_type: 'discover',
      status: 'done',
      priority: 4,
      payload: { hashtag: 'almatyfood' },
      attempts: 1,
      completed_at: new Date(now - 30 * 60_000),
      started_at: new Date(now - 31 * 60_000),
    },
    {
      task_type: 'full_scrape',
      status: 'failed',
      priority: 2,
      payload: { username: 'deleted_blog' },
      attempts: 3,
      error_message: 'Instagram usernameinfo failed on 3 accounts: 404 user not found',
      completed_at: new Date(now - 10 * 60_000),
    },
    { task_type: 'ai_analysis', status: 'waiting_batch', priority: 3, blog_id: main.id, payload: {}, attempts: 1 },
  ] as never)
  .returning('id')
  .execute();
await sql`UPDATE scrape_tasks SET completed_at = now() - interval '5 minutes' WHERE status IN ('done', 'failed')`.execute(db);

const runner = logger.child({ component: 'runner' });
runner.child({ taskId: tasks[0]!.id, taskType: 'followers' }).info({ attempt: 1 }, 'task started');
for (let i = 0; i < 6; i++)
  runner.child({ taskId: tasks[0]!.id, taskType: 'followers' }).info({ fetched: 4_675 + i * 25, pages: 187 + i }, 'followers page stored');
logger
  .child({ component: 'pool' })
  .warn({ account: 'scout_two', err: 'Please wait a few minutes before you try again.' }, 'rate limited: cooling down 45 min');
logger
  .child({ component: 'alerts' })
  .warn(
    { alert: 'account_challenge', severity: 'warning', subject: { account: 'scout_three' } },
    'scout_three needs a human: challenge_required twice',
  );

// --- the app, a browser, the pictures ---
const app = createApp({
  db,
  logger,
  apiKey: KEY,
  bodyLimitBytes: 1_000_000,
  maxAttempts: 3,
  isReady: () => true,
  version: 'screenshots',
  secretBox: box,
  accountOps: {
    login: async () => ({ ok: true, outcome: 'ok', message: 'logged in', durationMs: 1 }),
    check: async () => ({ ok: true, outcome: 'ok', message: 'session valid', durationMs: 1 }),
    checkProxy: async () => ({ ok: true, outcome: 'ok', message: 'proxy reachable', durationMs: 1 }),
  },
  logTail: tail,
  healthCountsTtlMs: 0,
  healthSettledCountsTtlMs: 0,
});
const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${server.port}`;
const { browser, close } = await launchBrowser();
await mkdir(OUT, { recursive: true });
try {
  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/ui/sign-in`);
  await page.screenshot({ path: path.join(OUT, 'sign-in.png') });
  await page.getByLabel('API key').fill(KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Creators' }).waitFor();
  const shots: [string, string, () => Promise<void>][] = [
    ['overview', '/ui/overview', async () => {}],
    ['creators', '/ui', async () => {}],
    ['creator', `/ui/creators/${main.username}`, async () => void (await page.locator('#chart-posts canvas').waitFor())],
    ['tasks', '/ui/tasks', async () => {}],
    ['accounts', '/ui/accounts', async () => {}],
    ['logs', '/ui/logs', async () => void (await page.locator('#tail-status', { hasText: 'live' }).waitFor())],
  ];
  for (const [name, route, ready] of shots) {
    await page.goto(`${base}${route}`);
    await ready();
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
    process.stdout.write(`docs/screenshots/${name}.png\n`);
  }
  const phone = await browser.newPage({ locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 1 });
  await phone.context().addCookies(await page.context().cookies());
  await phone.goto(`${base}/ui/creators/${main.username}`);
  await phone.locator('#chart-growth canvas').waitFor();
  await phone.screenshot({ path: path.join(OUT, 'creator-phone.png'), fullPage: false });
  process.stdout.write('docs/screenshots/creator-phone.png\n');
} finally {
  await close();
  await server.close(500);
  await handle.close();
  await postgres.stop();
}
