import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';

let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs RESTART IDENTITY CASCADE`.execute(testDb.db);
});

describe('POST /api/tasks/scrape', () => {
  it('creates one task per username and returns the same tasks when asked again', async () => {
    const first = await api.call('POST', '/api/tasks/scrape', { usernames: ['natgeo', '@NASA', 'some.user_1'] });
    expect(first.status).toBe(202);
    expect(first.body.created).toBe(3);
    expect(first.body.tasks.map((t: any) => t.payload.username)).toEqual(['natgeo', 'nasa', 'some.user_1']);
    expect(first.body.tasks.every((t: any) => t.status === 'pending' && t.priority === 2 && t.task_type === 'full_scrape')).toBe(true);

    const again = await api.call('POST', '/api/tasks/scrape', { usernames: ['natgeo', 'nasa', 'some.user_1'] });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ created: 0, existing: 3 });
    expect(again.body.tasks.map((t: any) => t.id)).toEqual(first.body.tasks.map((t: any) => t.id));

    const pending = await api.call('GET', '/api/tasks?status=pending');
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((t: any) => t.id).sort()).toEqual(first.body.tasks.map((t: any) => t.id).sort());

    const blogs = await testDb.db.selectFrom('blogs').select(['username', 'scrape_status', 'source']).orderBy('username').execute();
    expect(blogs).toEqual([
      { username: 'nasa', scrape_status: 'pending', source: 'manual' },
      { username: 'natgeo', scrape_status: 'pending', source: 'manual' },
      { username: 'some.user_1', scrape_status: 'pending', source: 'manual' },
    ]);
  });

  it('accepts 1,000 usernames and refuses 1,001', async () => {
    const names = Array.from({ length: 1001 }, (_, i) => `user_${i}`);
    const tooMany = await api.call('POST', '/api/tasks/scrape', { usernames: names });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/at most 1000 usernames/);
    const ok = await api.call('POST', '/api/tasks/scrape', { usernames: names.slice(0, 1000) });
    expect(ok.status).toBe(202);
    expect(ok.body.created).toBe(1000);
  });

  it.each([
    ['malformed JSON', '{"usernames": [', /not valid JSON/],
    ['an unknown field', { usernames: ['a'], force: true }, /unknown field.*"force"/],
    ['an invalid username', { usernames: ['ok', 'bad..name'] }, /usernames\.1: "bad\.\.name" is not a valid Instagram username/],
    ['a too long username', { usernames: ['a'.repeat(31)] }, /not a valid Instagram username/],
    ['an empty list', { usernames: [] }, /at least one username/],
    ['a missing list', {}, /usernames/],
    ['a priority outside 1–3', { usernames: ['a'], priority: 7 }, /priority/],
    ['a non-object body', '[1,2]', /expected object/i],
  ])('answers 400 with a message for %s', async (_, body, message) => {
    const response = await api.call('POST', '/api/tasks/scrape', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('bad_request');
    expect(response.body.error.message).toMatch(message);
  });

  it('answers 415 with a message when the body is not sent as JSON', async () => {
    const response = await api.call('POST', '/api/tasks/scrape', 'usernames=a', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(response.body.error).toMatchObject({ code: 'unsupported_media_type' });
    expect(response.body.error.message).toMatch(/application\/json/);
  });

  it('refuses an oversized body with 413', async () => {
    const small = createTestApp(testDb, { bodyLimitBytes: 2048 });
    const response = await small.call('POST', '/api/tasks/scrape', { usernames: Array.from({ length: 300 }, (_, i) => `user${i}`) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });
});

describe('GET /api/tasks', () => {
  it.each([
    ['limit=0', /limit/],
    ['limit=501', /limit/],
    ['limit=abc', /limit/],
    ['offset=-1', /offset/],
    ['offset=100001', /offset/],
    ['status=exploded', /status/],
    ['task_type=nope', /task_type/],
    ['colour=red', /unknown field.*colour/],
  ])('answers 400 for %s', async (query, message) => {
    const response = await api.call('GET', `/api/tasks?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('pages through tasks newest first', async () => {
    await api.call('POST', '/api/tasks/scrape', { usernames: ['a1', 'a2', 'a3', 'a4', 'a5'] });
    const page1 = await api.call('GET', '/api/tasks?limit=2');
    const page3 = await api.call('GET', '/api/tasks?limit=2&offset=4');
    expect(page1.body.items.map((t: any) => t.payload.username)).toEqual(['a5', 'a4']);
    expect(page1.body.has_more).toBe(true);
    expect(page3.body.items.map((t: any) => t.payload.username)).toEqual(['a1']);
    expect(page3.body.has_more).toBe(false);
  });
});

describe('GET /api/tasks/{id}, cancel and retry', () => {
  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await api.call('GET', '/api/tasks/999999')).status).toBe(404);
    const bad = await api.call('GET', '/api/tasks/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/task id must be a number/);
    expect((await api.call('POST', '/api/tasks/999999/cancel')).status).toBe(404);
    expect((await api.call('POST', '/api/tasks/999999/retry')).status).toBe(404);
  });

  it('cancels a pending task, refuses to cancel it twice, and retries it', async () => {
    const created = await api.call('POST', '/api/tasks/scrape', { usernames: ['zed'] });
    const id = created.body.tasks[0].id;
    const cancelled = await api.call('POST', `/api/tasks/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const twice = await api.call('POST', `/api/tasks/${id}/cancel`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/is cancelled/);
    const retried = await api.call('POST', `/api/tasks/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id, status: 'pending', attempts: 0 });
    const fetched = await api.call('GET', `/api/tasks/${id}`);
    expect(fetched.body.status).toBe('pending');
  });
});

describe('discover', () => {
  it('creates one discover task per hashtag and normalises the #', async () => {
    const first = await api.call('POST', '/api/tasks/discover', { hashtag: '#AlmatyFood' });
    expect(first.status).toBe(202);
    expect(first.body.tasks[0]).toMatchObject({ task_type: 'discover', payload: { hashtag: 'almatyfood' } });
    const again = await api.call('POST', '/api/tasks/discover', { hashtag: 'almatyfood' });
    expect(again.body.tasks[0].id).toBe(first.body.tasks[0].id);
    expect((await api.call('POST', '/api/tasks/discover', { hashtag: 'no spaces' })).status).toBe(400);
  });
});

describe('authentication', () => {
  const protectedRoutes: [string, string][] = [
    ['GET', '/api/tasks'],
    ['GET', '/api/tasks/1'],
    ['POST', '/api/tasks/scrape'],
    ['POST', '/api/tasks/discover'],
    ['POST', '/api/tasks/1/cancel'],
    ['POST', '/api/tasks/1/retry'],
  ];

  it.each(protectedRoutes)('%s %s answers 401 without the key or with a wrong one', async (method, path) => {
    for (const authorization of ['', 'Bearer wrong', `Basic ${TEST_API_KEY}`, `Bearer ${TEST_API_KEY}x`]) {
      const response = await api.call(method, path, method === 'POST' ? { usernames: ['a'] } : undefined, { authorization });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
    }
  });

  it('leaves health open, and the OpenAPI document lists every route', async () => {
    const health = await api.call('GET', '/api/health', undefined, { authorization: '' });
    expect(health.status).toBe(200);
    // No Instagram account yet: serving and queueing (200), but degraded.
    expect(health.body).toMatchObject({ status: 'degraded', database: { ok: true }, tasks: { pending: 0 }, accounts: { usable: 0 } });
    const doc = await api.call('GET', '/openapi.json', undefined, { authorization: '' });
    expect(doc.body.openapi).toBe('3.1.0');
    for (const [method, path] of protectedRoutes) {
      const templated = path.replace('/1', '/{id}');
      expect(doc.body.paths[templated]?.[method.toLowerCase()], `${method} ${templated}`).toBeDefined();
    }
    expect((await api.call('GET', '/docs', undefined, { authorization: '' })).text).toContain('/openapi.json');
  });

  it('counts every task by status, pending ones of every type, refreshed behind the probe', async () => {
    await sql`INSERT INTO scrape_tasks (task_type, status, priority, payload, completed_at)
      SELECT t, s, 5, '{}', CASE WHEN s IN ('done', 'failed') THEN now() END
      FROM (VALUES ('ai_analysis', 'pending'), ('ai_analysis', 'pending'), ('full_scrape', 'pending'), ('full_scrape', 'done'), ('full_scrape', 'failed')) AS v(t, s)`.execute(
      testDb.db,
    );
    // TTLs 0: live counts are taken again by every probe; settled ones are recounted behind it, never waited for.
    const probe = createTestApp(testDb, { healthSettledCountsTtlMs: 0, healthCountsTtlMs: 0 });
    const first = await probe.call('GET', '/api/health');
    expect(first.body.tasks).toEqual({ pending: 3, running: 0, waiting_batch: 0, done: 1, failed: 1, cancelled: 0 });

    await sql`INSERT INTO scrape_tasks (task_type, status, priority, payload, completed_at) VALUES ('full_scrape', 'done', 5, '{}', now()), ('ai_analysis', 'pending', 5, '{}', null)`.execute(
      testDb.db,
    );
    const next = await probe.call('GET', '/api/health');
    expect(next.body.tasks).toMatchObject({ pending: 4, done: 1 });
    // The settled counts catch up with the recount that probe started.
    await expect.poll(async () => (await probe.call('GET', '/api/health')).body.tasks.done).toBe(2);

    // The daemon's caching: a probe reuses counts taken less than a TTL ago, one count for every probe of that time.
    const cached = createTestApp(testDb, { healthCountsTtlMs: 60_000, healthSettledCountsTtlMs: 60_000 });
    const before = (await cached.call('GET', '/api/health')).body.tasks;
    await sql`INSERT INTO scrape_tasks (task_type, status, priority, payload) VALUES ('full_scrape', 'pending', 5, '{}')`.execute(
      testDb.db,
    );
    expect((await cached.call('GET', '/api/health')).body.tasks).toEqual(before);
  });

  it('reports not ready with 503 while draining', async () => {
    const draining = createTestApp(testDb, { ready: () => false });
    const health = await draining.call('GET', '/api/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('not_ready');
  });
});
