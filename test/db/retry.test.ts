import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { retryOnConflict } from '../../src/db/retry.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * src/db/retry.ts against real deadlocks: two transactions lock two categories rows in opposite orders, Postgres
 * aborts one (40P01), and the configured number of runs (DB_CONFLICT_ATTEMPTS) decides whether the caller sees it.
 */
let testDb: TestDatabase;
const handles: DatabaseHandle[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  await testDb.db
    .insertInto('categories')
    .values([{ name: 'retry a' }, { name: 'retry b' }])
    .execute();
});
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  await testDb?.drop();
});

function open(attempts: number): DatabaseHandle {
  const handle = openDatabase(testDb.url, { poolMax: 4, conflictRetry: { attempts, backoffMs: 5 } });
  handles.push(handle);
  return handle;
}

/** Two transactions that each lock one row, wait until the other has too, then want the other's: a sure deadlock. */
async function deadlockPair(handle: DatabaseHandle) {
  let arrived = 0;
  let release!: () => void;
  const bothHoldOne = new Promise<void>((resolve) => (release = resolve));
  const runs = { first: 0, second: 0 };
  const transaction = (own: string, other: string, counter: keyof typeof runs) =>
    retryOnConflict(handle.db, () =>
      handle.db.transaction().execute(async (trx) => {
        runs[counter]++;
        await sql`UPDATE categories SET name = name WHERE name = ${own}`.execute(trx);
        if (++arrived === 2) release();
        await bothHoldOne;
        await sql`UPDATE categories SET name = name WHERE name = ${other}`.execute(trx);
        return counter;
      }),
    );
  const results = await Promise.allSettled([transaction('retry a', 'retry b', 'first'), transaction('retry b', 'retry a', 'second')]);
  return { results, runs };
}

describe('retryOnConflict', () => {
  it('runs the transaction Postgres aborted for a deadlock again, so both callers succeed', async () => {
    const { results, runs } = await deadlockPair(open(3));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(runs.first + runs.second).toBe(3); // one of the two ran twice
  });

  it('gives the deadlock to the caller when DB_CONFLICT_ATTEMPTS is 1', async () => {
    const { results, runs } = await deadlockPair(open(1));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason.code).toBe('40P01');
    expect(runs).toEqual({ first: 1, second: 1 });
  });

  it('does not run again on an error that is not a conflict', async () => {
    const handle = open(3);
    let runs = 0;
    const insertDuplicate = retryOnConflict(handle.db, () =>
      handle.db.transaction().execute(async (trx) => {
        runs++;
        await trx.insertInto('categories').values({ name: 'retry a' }).execute();
      }),
    );
    await expect(insertDuplicate).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });
});
