import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * GET /api/logs?after_id=…: the cursor a follower of the log (`ig-scout logs -f`) polls with. Rows newer than the
 * cursor come oldest first, filters apply, and an empty answer hands the same cursor back.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
});
afterAll(async () => testDb.drop());

let ids: number[];
let taskIds: (number | null)[];

async function insertRows(count: number, taskOf: (i: number) => number | null): Promise<number[]> {
  const rows = await testDb.db
    .insertInto('activity_log')
    .values(
      Array.from({ length: count }, (_, i) => ({ kind: 'request' as const, action: `action-${i}`, outcome: 'ok', task_id: taskOf(i) })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

beforeEach(async () => {
  await sql`TRUNCATE activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
  taskIds = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 7 : null));
  ids = await insertRows(12, (i) => taskIds[i]!);
});

describe('GET /api/logs?after_id', () => {
  it('answers the rows after the cursor oldest first and follows to the end without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor = 0;
    for (let polls = 0; polls < 10; polls++) {
      const page = await api.call('GET', `/api/logs?after_id=${cursor}&limit=5`);
      expect(page.status).toBe(200);
      const got = page.body.items.map((r: any) => r.id);
      expect(got).toEqual([...got].sort((a, b) => a - b));
      seen.push(...got);
      expect(page.body.next_before_id).toBeNull();
      cursor = page.body.next_after_id;
      if (!page.body.has_more) break;
    }
    expect(seen).toEqual(ids);
    expect(cursor).toBe(ids.at(-1));

    // Nothing newer yet: no rows, the same cursor back, so a follower can keep polling with it.
    const idle = await api.call('GET', `/api/logs?after_id=${cursor}`);
    expect(idle.body).toMatchObject({ items: [], has_more: false, next_after_id: cursor });

    // A row written later is the next answer.
    const [fresh] = await insertRows(1, () => null);
    const next = await api.call('GET', `/api/logs?after_id=${cursor}`);
    expect(next.body.items.map((r: any) => r.id)).toEqual([fresh]);
    expect(next.body.next_after_id).toBe(fresh);
  });

  it('applies the filters to the followed rows', async () => {
    const page = await api.call('GET', `/api/logs?after_id=${ids[2]}&task_id=7`);
    expect(page.body.items.map((r: any) => r.id)).toEqual(ids.filter((id, i) => id > ids[2]! && taskIds[i] === 7));
  });

  it('keeps newest first and next_after_id null without after_id', async () => {
    const page = await api.call('GET', '/api/logs?limit=3');
    expect(page.body.items.map((r: any) => r.id)).toEqual(ids.slice(-3).reverse());
    expect(page.body.next_after_id).toBeNull();
  });

  it.each([
    ['after_id=-1', /after_id must be 0 or more/],
    ['after_id=abc', /after_id must be a number/],
    ['after_id=1.5', /after_id must be a whole number/],
    ['after_id=99999999999999999999', /after_id is too large/],
    ['after_id=3&before_id=9', /not both/],
  ])('answers 400 with a message for %s', async (query, message) => {
    const response = await api.call('GET', `/api/logs?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('is documented in OpenAPI with its bounds', async () => {
    const doc = await api.call('GET', '/openapi.json', undefined, { authorization: '' });
    const param = doc.body.paths['/api/logs'].get.parameters.find((p: any) => p.name === 'after_id');
    expect(param.schema).toMatchObject({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
    expect(param.description).toMatch(/oldest first/i);
    expect(doc.body.components.schemas.LogList.properties.next_after_id).toBeDefined();
  });
});
