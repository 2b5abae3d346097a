import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAvailability, ACCOUNTS_CHANGED } from '../../src/accounts/lease.js';
import { accountHolderOf } from '../../src/accounts/session.js';
import { claimTasks } from '../../src/queue/claim.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { leaseTokenOf } from '../../src/queue/runner.js';
import { accountAwareClaims } from '../../src/tasks/claim-plan.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { fastSettings } from '../helpers/pool.js';

/**
 * What a claim plan is built on (issue 17): the accounts usable now, less the runs any process claimed that have not
 * taken an account yet. The lease token and account holder formats are the runner's and the session's own.
 */
let testDb: TestDatabase;
const budget = fastSettings().budget;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb?.drop());

describe('account availability for claim planning', () => {
  it('counts claimed Instagram runs of every process that hold no account yet, and plans only the rest', async () => {
    await testDb.db
      .insertInto('ig_accounts')
      .values(Array.from({ length: 5 }, (_, i) => ({ username: `avail_${i}`, password_encrypted: 'x', device_seed_encrypted: 'x' })))
      .execute();
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 4 }, () => ({ type: 'full_scrape' })),
      { maxAttempts: 3 },
    );
    await enqueueTasks(testDb.db, [{ type: 'noop' }], { maxAttempts: 3 });
    // Process A claims two Instagram tasks, process B one and an account-free task; one of A's runs has leased its account.
    const a = await claimTasks(testDb.db, { workerId: leaseTokenOf('proc-a', 1), limit: 2, leaseMs: 60_000, taskTypes: ['full_scrape'] });
    await claimTasks(testDb.db, { workerId: leaseTokenOf('proc-b', 1), limit: 1, leaseMs: 60_000, taskTypes: ['full_scrape'] });
    await claimTasks(testDb.db, { workerId: leaseTokenOf('proc-b', 2), limit: 1, leaseMs: 60_000, taskTypes: ['noop'] });
    await testDb.db
      .updateTable('ig_accounts')
      .set({ leased_by: accountHolderOf('proc-a', a[0]!.id), leased_until: new Date(Date.now() + 60_000) })
      .where('username', '=', 'avail_0')
      .execute();

    const availability = await accountAvailability(testDb.db, budget, 'auto', ['full_scrape']);
    expect(availability).toMatchObject({ usableNow: 4, claimedWithoutAccount: 2 });
    expect((await accountAvailability(testDb.db, budget, 'auto')).claimedWithoutAccount).toBe(0); // no types, no count

    const registry = new TaskRegistry()
      .register({ type: 'full_scrape', needsAccount: true, handler: async () => ({}) })
      .register({ type: 'noop', needsAccount: false, handler: async () => ({}) });
    const { planClaims } = accountAwareClaims(registry, (types) => accountAvailability(testDb.db, budget, 'auto', types));
    expect(await planClaims(4)).toEqual([
      { types: ['full_scrape'], limit: 2 }, // 4 usable, 2 about to be taken
      { types: ['noop'], limit: 4 },
    ]);
  });

  it('asks again while no account is usable only when an account changes, its own time comes, or the recheck is due', async () => {
    const registry = new TaskRegistry()
      .register({ type: 'full_scrape', needsAccount: true, handler: async () => ({}) })
      .register({ type: 'noop', handler: async () => ({}) });
    let asked = 0;
    let answer = { usableNow: 0, nextUsableAt: null as Date | null, claimedWithoutAccount: 0 };
    const plan = accountAwareClaims(
      registry,
      async () => {
        asked++;
        return answer;
      },
      { noneUsableRecheckMs: 60_000 },
    );
    expect(await plan.planClaims(3)).toEqual([
      { types: ['full_scrape'], limit: 0 },
      { types: ['noop'], limit: 3 },
    ]);
    await plan.planClaims(3);
    plan.heard(''); // new work: the accounts are as they were
    await plan.planClaims(3);
    expect(asked).toBe(1);

    answer = { usableNow: 2, nextUsableAt: new Date(), claimedWithoutAccount: 0 };
    plan.heard(ACCOUNTS_CHANGED); // an account was released, added or activated
    expect((await plan.planClaims(3))[0]).toEqual({ types: ['full_scrape'], limit: 2 });
    await plan.planClaims(3); // with accounts usable, every plan asks: their budgets change with every request
    expect(asked).toBe(3);

    answer = { usableNow: 0, nextUsableAt: new Date(Date.now() + 50), claimedWithoutAccount: 0 };
    await plan.planClaims(3);
    answer = { usableNow: 1, nextUsableAt: new Date(), claimedWithoutAccount: 0 };
    // The earliest account's cooldown, lease or budget window ends: asked again without any NOTIFY.
    await expect.poll(async () => (await plan.planClaims(3))[0]!.limit, { interval: 20 }).toBe(1);
    plan.heard(undefined); // the listener reconnected: anything may have changed
    answer = { usableNow: 0, nextUsableAt: null, claimedWithoutAccount: 0 };
    expect((await plan.planClaims(3))[0]!.limit).toBe(0);
  });
});
