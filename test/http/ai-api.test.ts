import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
let call: ReturnType<typeof createTestApp>['call'];

beforeAll(async () => {
  testDb = await createTestDatabase();
  call = createTestApp(testDb).call;
});
afterAll(async () => {
  await testDb.drop();
});

describe('categories API', () => {
  it('lists the seeded categories with blog counts', async () => {
    const res = await call('GET', '/api/categories');
    expect(res.status).toBe(200);
    const names = res.body.items.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['beauty', 'food', 'travel', 'family & kids', 'fitness']));
    expect(res.body.items[0]).toMatchObject({ id: expect.any(Number), blogs: 0, primary_blogs: 0, created_at: expect.any(String) });
  });

  it('adds a category (normalised), refuses a duplicate and bad names, deletes by id', async () => {
    const created = await call('POST', '/api/categories', { name: '  Street   Food ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'street food', blogs: 0 });
    expect((await call('POST', '/api/categories', { name: 'street food' })).status).toBe(409);
    const bad = await call('POST', '/api/categories', { name: '<script>' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/name/);
    expect((await call('POST', '/api/categories', { name: 'x', extra: 1 })).status).toBe(400);

    expect((await call('DELETE', `/api/categories/${created.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/categories/${created.body.id}`)).status).toBe(404);
    expect((await call('DELETE', '/api/categories/abc')).status).toBe(400);
  });

  it('needs the API key', async () => {
    expect((await call('GET', '/api/categories', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('GET', '/api/batches', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
  });
});

describe('batches API and stats', () => {
  it('lists batches newest first with cost fields; stats sum them', async () => {
    await testDb.db
      .insertInto('ai_batches')
      .values([
        {
          tag: 't1',
          model: 'gpt-5-nano',
          status: 'completed',
          openai_batch_id: 'batch_1',
          request_count: 25,
          input_bytes: 200_000,
          ok_count: 24,
          refused_count: 1,
          input_tokens: 30_000,
          output_tokens: 5_000,
          total_tokens: 35_000,
          submitted_at: new Date(),
          processed_at: new Date(),
        },
        {
          tag: 't2',
          model: 'gpt-5-nano',
          status: 'in_progress',
          openai_batch_id: 'batch_2',
          request_count: 10,
          input_bytes: 80_000,
          submitted_at: new Date(),
        },
      ])
      .execute();
    const list = await call('GET', '/api/batches?limit=1');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ limit: 1, offset: 0, has_more: true });
    expect(list.body.items[0]).toMatchObject({
      openai_batch_id: 'batch_2',
      status: 'in_progress',
      request_count: 10,
      input_bytes: 80_000,
      processed_at: null,
    });
    const closed = await call('GET', '/api/batches?open=false');
    expect(closed.body.items).toHaveLength(1);
    expect(closed.body.items[0]).toMatchObject({
      tokens: { input: 30_000, output: 5_000, total: 35_000 },
      outcomes: { ok: 24, refused: 1, invalid: 0, error: 0, missing: 0 },
    });
    expect((await call('GET', '/api/batches?status=bogus')).status).toBe(400);

    const stats = await call('GET', '/api/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.ai).toMatchObject({
      enabled: false,
      batches: { total: 2, open: 1, by_status: { completed: 1, in_progress: 1 } },
      requests: 35,
      input_bytes: 280_000,
      tokens: { input: 30_000, output: 5_000, total: 35_000 },
      outcomes: { ok: 24, refused: 1 },
      tasks: { pending: 0, waiting_batch: 0, oldest_pending_at: null },
    });
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/batches', '/api/categories', '/api/categories/{id}']));
  });
});
