import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { claimTasks, completeAndClaim } from '../../src/queue/claim.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * The queue's statements are prepared once per connection (src/db/sql-file.ts). A prepared statement whose result
 * type changes fails ("cached plan must not change result type") until its connection is closed: this is what a
 * rolling upgrade does when a newer process adds a column to scrape_tasks under a running one.
 */
let testDb: TestDatabase;
let queuePool: DatabaseHandle;

beforeAll(async () => {
  testDb = await createTestDatabase();
  queuePool = openDatabase(testDb.url, { poolMax: 1, queuePool: true });
});
afterAll(async () => {
  await queuePool.close();
  await testDb.drop();
});

it('keeps claiming, completing and enqueueing on the same connections after a migration adds a column', async () => {
  const request = { workerId: 'w#1', limit: 1, leaseMs: 60_000, taskTypes: ['full_scrape'] };
  await enqueueTasks(queuePool.db, [{ type: 'full_scrape' }, { type: 'full_scrape' }], { maxAttempts: 3 });
  const [first] = await claimTasks(queuePool.db, request);
  const prepared = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'igscout/%'`.execute(
    queuePool.db,
  );
  expect(prepared.rows[0]!.n).toBeGreaterThanOrEqual(2); // enqueue and claim, on the pool's one connection

  await sql`ALTER TABLE scrape_tasks ADD COLUMN added_by_a_newer_version text`.execute(testDb.db);

  await enqueueTasks(queuePool.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
  const { completed, claimed } = await completeAndClaim(queuePool.db, [{ id: first!.id, leaseToken: first!.locked_by! }], {
    ...request,
    workerId: 'w#2',
  });
  expect([...completed]).toEqual([first!.id]);
  expect(claimed.map((t) => t.id)).toEqual([2]);
  expect(await claimTasks(queuePool.db, { ...request, workerId: 'w#3' })).toMatchObject([{ id: 3, locked_by: 'w#3' }]);
});

it('commits asynchronously only on the queue pool: the main pool, where handlers write, keeps the server setting', async () => {
  const setting = async (db: DatabaseHandle['db']) =>
    (await sql<{ setting: string; source: string }>`SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'`.execute(db))
      .rows[0]!;
  expect(await setting(queuePool.db)).toEqual({ setting: 'off', source: 'client' });
  // The test server itself runs without synchronous commit (speed); production servers default to on.
  expect((await setting(testDb.db)).source).not.toBe('client');
});
