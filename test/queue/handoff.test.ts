import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimTasks, completeAndClaim } from '../../src/queue/claim.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** The runner's busy path: complete a task and claim the next for its slot in one statement (sql/queue/complete-claim.sql). */
let testDb: TestDatabase;
const request = { workerId: 'w1', limit: 1, leaseMs: 60_000, taskTypes: ['full_scrape'] };

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks RESTART IDENTITY CASCADE`.execute(testDb.db);
});

const row = (id: number) => testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('completeAndClaim', () => {
  it('completes the held task with its result and claims the most urgent due one', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }, { type: 'full_scrape', priority: 9 }, { type: 'full_scrape', priority: 1 }], { maxAttempts: 3 });
    const [first] = await claimTasks(testDb.db, request);
    expect(first!.id).toBe(3);
    const { completed, claimed } = await completeAndClaim(testDb.db, { id: first!.id, leaseToken: first!.locked_by! }, { ok: 1 }, request);
    expect(completed).toBe(true);
    expect(claimed.map((t) => t.id)).toEqual([1]);
    expect(claimed[0]).toMatchObject({ status: 'running', locked_by: 'w1', attempts: 1 });
    expect(claimed[0]).not.toHaveProperty('completed');
    expect(await row(3)).toMatchObject({ status: 'done', result: { ok: 1 }, locked_by: null, locked_until: null });
  });

  it('says when nothing is due, and discards the result of a lease that is gone', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
    const [task] = await claimTasks(testDb.db, request);
    const finished = { id: task!.id, leaseToken: task!.locked_by! };
    expect(await completeAndClaim(testDb.db, finished, undefined, request)).toEqual({ completed: true, claimed: [] });
    // Done already: another completion by the same run (or by a run that lost the lease) changes nothing.
    expect(await completeAndClaim(testDb.db, finished, { late: true }, { ...request, workerId: 'w2' })).toEqual({ completed: false, claimed: [] });
    expect(await completeAndClaim(testDb.db, { id: task!.id, leaseToken: 'someone-else' }, { late: true }, request)).toEqual({ completed: false, claimed: [] });
    expect((await row(task!.id)).result).toBeNull();
  });
});
