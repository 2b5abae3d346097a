import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { claimTasks, completeAndClaim } from '../../src/queue/claim.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { failTask, renewLease } from '../../src/queue/finish.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * The runner's busy path: complete finished runs and claim tasks for their slots in one statement
 * (sql/queue/complete-claim.sql). Run on the main pool and on the queue's own pool, whose prepared statements are
 * planned once with generic plans (as the daemon runs them).
 */
let testDb: TestDatabase;
let queuePool: DatabaseHandle;
const request = { workerId: 'w1', limit: 1, leaseMs: 60_000, taskTypes: ['full_scrape'] };

beforeAll(async () => {
  testDb = await createTestDatabase();
  queuePool = openDatabase(testDb.url, { poolMax: 1, queuePool: true });
});
afterAll(async () => {
  await queuePool.close();
  await testDb.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks RESTART IDENTITY CASCADE`.execute(testDb.db);
});

const row = (id: number) => testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe.each([
  ['the main pool', () => testDb.db],
  ['the queue pool (generic plans, asynchronous commit)', () => queuePool.db],
])('completeAndClaim on %s', (_, db) => {
  it('completes the held task with its result and claims the most urgent due one', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }, { type: 'full_scrape', priority: 9 }, { type: 'full_scrape', priority: 1 }], {
      maxAttempts: 3,
    });
    const [first] = await claimTasks(db(), request);
    expect(first!.id).toBe(3);
    const { completed, claimed } = await completeAndClaim(
      db(),
      [{ id: first!.id, leaseToken: first!.locked_by!, result: { ok: 1 } }],
      request,
    );
    expect([...completed]).toEqual([3]);
    expect(claimed.map((t) => t.id)).toEqual([1]);
    expect(claimed[0]).toMatchObject({ locked_by: 'w1', attempts: 1 });
    expect(claimed[0]).not.toHaveProperty('completed');
    expect(await row(1)).toMatchObject({ status: 'running', locked_by: 'w1', attempts: 1 });
    expect(await row(3)).toMatchObject({ status: 'done', result: { ok: 1 }, locked_by: null, locked_until: null });
  });

  it('completes a batch, each run with its own result, discards a stale run, and claims one task per freed slot', async () => {
    const tasks = await enqueueTasks(
      testDb.db,
      Array.from({ length: 6 }, (_, i) => ({ type: 'full_scrape', payload: { i } })),
      { maxAttempts: 3 },
    );
    const running = [];
    for (let i = 0; i < 3; i++) running.push(...(await claimTasks(db(), { ...request, workerId: `w#${i}` })));
    const finished = running.map((t, i) => ({ id: t.id, leaseToken: i === 1 ? 'a-stale-run' : t.locked_by!, result: { i } }));
    const { completed, claimed } = await completeAndClaim(db(), finished, { ...request, limit: 3, workerId: 'w#next' });
    expect([...completed].sort()).toEqual([running[0]!.id, running[2]!.id]);
    expect(claimed.map((t) => t.id)).toEqual([4, 5, 6]);
    expect(claimed.every((t) => t.locked_by === 'w#next')).toBe(true);
    for (const t of claimed) expect(await row(t.id)).toMatchObject({ status: 'running', locked_by: 'w#next' });
    expect(await row(running[0]!.id)).toMatchObject({ status: 'done', result: { i: 0 } });
    expect(await row(running[1]!.id)).toMatchObject({ status: 'running', locked_by: 'w#1', result: null });
    expect(await row(running[2]!.id)).toMatchObject({ status: 'done', result: { i: 2 } });
    expect(tasks).toHaveLength(6);
  });

  it('claims on the busy path only what is due: a retry waiting out its backoff stays pending', async () => {
    const inFiveMinutes = new Date(Date.now() + 5 * 60_000);
    const [first, later] = await enqueueTasks(
      testDb.db,
      [{ type: 'full_scrape' }, { type: 'full_scrape', priority: 1, runAt: inFiveMinutes }],
      { maxAttempts: 3 },
    );
    const [task] = await claimTasks(db(), request);
    expect(task!.id).toBe(first!.task.id);
    const { completed, claimed } = await completeAndClaim(db(), [{ id: task!.id, leaseToken: task!.locked_by! }], request);
    expect([...completed]).toEqual([task!.id]);
    expect(claimed).toEqual([]);
    expect(await row(later!.task.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('says when nothing is due, and discards the result of a lease that is gone', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
    const [task] = await claimTasks(db(), request);
    const finished = { id: task!.id, leaseToken: task!.locked_by! };
    expect(await completeAndClaim(db(), [finished], request)).toEqual({ completed: new Set([task!.id]), claimed: [] });
    // Done already: another completion by the same run (or by a run that lost the lease) changes nothing.
    expect(await completeAndClaim(db(), [{ ...finished, result: { late: true } }], { ...request, workerId: 'w2' })).toEqual({
      completed: new Set(),
      claimed: [],
    });
    expect(await completeAndClaim(db(), [{ id: task!.id, leaseToken: 'someone-else', result: { late: true } }])).toEqual({
      completed: new Set(),
      claimed: [],
    });
    expect((await row(task!.id)).result).toBeNull();
  });

  it('takes a lease token as proof of the lease for renewal and failure, and nothing else', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
    const [task] = await claimTasks(db(), request);
    expect(await renewLease(db(), task!.id, 'w-other', 60_000)).toBe(false);
    expect(await renewLease(db(), task!.id, 'w1', 60_000)).toBe(true);
    const options = { message: 'boom', retryable: true, backoffBaseMs: 1000, backoffFactor: 3 };
    expect(await failTask(db(), task!.id, 'w-other', options)).toBeUndefined();
    expect(await failTask(db(), task!.id, 'w1', options)).toMatchObject({ status: 'pending', error_message: 'boom', locked_by: null });
    expect(await failTask(db(), task!.id, 'w1', options)).toBeUndefined();
  });
  it('claims through a two-group plan: the first group up to its limit, the second for the slots left, never more than the slots', async () => {
    // Enqueued most urgent first for the account-free type, so a claim ignoring the groups would take those.
    await enqueueTasks(
      testDb.db,
      [
        ...Array.from({ length: 3 }, () => ({ type: 'noop', priority: 1 })),
        ...Array.from({ length: 3 }, () => ({ type: 'full_scrape', priority: 5 })),
      ],
      { maxAttempts: 3 },
    );
    const [held] = await claimTasks(db(), { ...request, taskTypes: ['noop'] });
    const { claimed } = await completeAndClaim(db(), [{ id: held!.id, leaseToken: held!.locked_by! }], {
      ...request,
      limit: 2,
      taskTypes: ['full_scrape'],
      then: { taskTypes: ['noop'], limit: 4 },
      total: 3,
    });
    expect(claimed.map((t) => t.task_type).sort()).toEqual(['full_scrape', 'full_scrape', 'noop']);
    // No account usable: the first group claims nothing and the second takes every slot it may.
    const none = await completeAndClaim(db(), [], {
      ...request,
      limit: 0,
      taskTypes: ['full_scrape'],
      then: { taskTypes: ['noop'], limit: 5 },
      total: 5,
    });
    expect(none.claimed.map((t) => t.task_type)).toEqual(['noop']);
    expect(await testDb.db.selectFrom('scrape_tasks').select('id').where('status', '=', 'pending').execute()).toHaveLength(1);
  });
});
