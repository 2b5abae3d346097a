import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { audienceTruth, type WorldUser } from '../../emulator/world/index.js';
import { createLogger } from '../../src/logger.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, type PoolFixture, startPoolRunner } from '../helpers/pool.js';

/**
 * The audience_quality task through the API, the runner, the account pool and the real instagram-private-api
 * against the emulator, whose followers carry a known bot share. Page size 25, as Instagram's follower lists have
 * today: the quick tier's 400 followers must cost 17 requests (1 profile + 16 pages).
 */
const PAGE = 25;
let testDb: TestDatabase;
let fx: PoolFixture;
let stopRunner: (() => Promise<void>) | undefined;
const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, ig_accounts, proxies, activity_log, blogs RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => {
  await stopRunner?.();
  stopRunner = undefined;
  await fx?.close();
});

async function finished(api: ReturnType<typeof createTestApp>, id: number) {
  let task: any;
  await waitFor(
    async () => {
      task = (await api.call('GET', `/api/tasks/${id}`)).body;
      return task.status === 'done' || task.status === 'failed';
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `task ${id} finished` },
  );
  return task;
}

/** A public creator with at least 400 followers and a bot share well inside 0–1, chosen from the world. */
function target(): WorldUser {
  const world = fx.emulator.world;
  const found = world.creators.find((c) => !c.isPrivate && c.followerCount >= 1_000 && world.botShareOf(c) > 0.15);
  if (!found) throw new Error('the world has no creator for this test');
  return found;
}

const requestsTo = (route: string, from: number) => fx.emulator.log.slice(from).filter((e) => e.route === route && e.status === 200).length;

describe('audience_quality against the emulator', () => {
  it('quick tier: 400 followers in 17 requests, each share exact; deep tier: resumed across budget windows, credibility interval holds the truth; filter and detail show it', {
    timeout: 90_000,
  }, async () => {
    // 30 requests per 3-second window: the deep run (77 requests) is deferred twice by the budget and must resume
    // from its checkpoint each time, asking Instagram for nothing twice.
    const budget = { windowMs: 3_000, perWindow: 30, warmupPerWindow: 30, warmupDays: 0, dailyCap: 0, delayMinMs: 5, delayMaxMs: 15 };
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, world: { followPageSize: PAGE }, settings: { budget } });
    stopRunner = startPoolRunner(testDb, fx.pool, createTaskRegistry(fx.pool), {}, silent).stop;
    const api = createTestApp(testDb);
    const creator = target();
    const truth = audienceTruth(fx.emulator.world, creator, 400);

    const logStart = fx.emulator.log.length;
    const quick = await api.call('POST', '/api/tasks/audience-quality', { username: creator.username });
    expect(quick.status).toBe(202);
    const quickTask = await finished(api, quick.body.tasks[0].id);
    expect(quickTask.status).toBe('done');
    expect(quickTask.result).toMatchObject({ tier: 'quick', sample_size: 400, requests: 17, credibility: null });
    // What Instagram saw: one profile and 16 list pages.
    expect(requestsTo('users/{username}/usernameinfo', logStart)).toBe(1);
    expect(requestsTo('friendships/{pk}/followers', logStart)).toBe(16);

    let detail = (await api.call('GET', `/api/blogs/${creator.username}`)).body;
    expect(detail.audience_quality).toMatchObject({ tier: 'quick', sample_size: 400, requests: 17, credibility: null });
    const c = detail.audience_quality.components;
    expect(c.no_picture).toMatchObject({ n: 400, count: truth.anonymousPicture });
    expect(c.private.count).toBe(truth.private);
    expect(c.empty_full_name.count).toBe(truth.emptyFullName);
    expect(c.verified.count).toBe(truth.verified);
    expect(c.no_picture.low).toBeLessThanOrEqual(c.no_picture.share);

    const deepStart = fx.emulator.log.length;
    const deep = await api.call('POST', '/api/tasks/audience-quality', { username: creator.username, deep_budget: 60, seed: 5 });
    expect(deep.status).toBe(202);
    const deepTask = await finished(api, deep.body.tasks[0].id);
    expect(deepTask.result).toMatchObject({ tier: 'deep', sample_size: 400, deep_sample_size: 60, requests: 77 });
    expect(requestsTo('users/{pk}/info', deepStart)).toBe(60);
    expect(requestsTo('users/{username}/usernameinfo', deepStart)).toBe(1);
    expect(requestsTo('friendships/{pk}/followers', deepStart)).toBe(16);

    detail = (await api.call('GET', `/api/blogs/${creator.username}`)).body;
    const q = detail.audience_quality;
    const trueCredibility = 1 - truth.suspicious / truth.frame;
    expect(q.tier).toBe('deep');
    expect(q.credibility_low).toBeLessThanOrEqual(trueCredibility + 1e-6);
    expect(q.credibility_high).toBeGreaterThanOrEqual(trueCredibility - 1e-6);
    expect(q.credibility).toBeCloseTo(1 - q.components.suspicious.share, 5);
    expect(q.components.mass_followers.n).toBe(60);
    expect(q.components.mass_followers.count + q.components.reachable.count).toBeLessThanOrEqual(60);

    // min_credibility: the blog is in below its credibility and out above it.
    const below = await api.call('GET', `/api/blogs?min_credibility=${Math.max(0, q.credibility - 0.01)}`);
    expect(below.body.items.map((b: any) => b.username)).toContain(creator.username);
    const above = await api.call('GET', `/api/blogs?min_credibility=${Math.min(1, q.credibility + 0.01)}`);
    expect(above.body.items.map((b: any) => b.username)).not.toContain(creator.username);
  });

  it('bad input is a 400 with a message, and nothing is queued', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const api = createTestApp(testDb);
    for (const body of [
      { username: 'a', deep_budget: -1 },
      { username: 'a', sample: 0 },
      { username: 'a', deep_budget: 5_000 },
      { username: 'a', extra: 1 },
    ]) {
      const res = await api.call('POST', '/api/tasks/audience-quality', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error ?? res.body.message).toBeTruthy();
    }
    expect((await api.call('GET', '/api/blogs?min_credibility=2')).status).toBe(400);
    expect((await api.call('GET', '/api/blogs?min_credibility=x')).status).toBe(400);
    const tasks = await testDb.db.selectFrom('scrape_tasks').select('id').execute();
    expect(tasks).toEqual([]);
  });
});
