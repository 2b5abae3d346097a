import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import type { TaskRunner } from '../../src/queue/runner.js';
import { waitFor } from '../../src/util/wait.js';
import { instagramRegistry } from '../fixtures/instagram-tasks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, startPoolRunner, type PoolFixture } from '../helpers/pool.js';

/** The runner and the pool together: Instagram tasks wait for accounts without spending attempts; others do not wait. */
let testDb: TestDatabase;
let fx: PoolFixture;
let runner: TaskRunner | undefined;
let stopRunner: (() => Promise<void>) | undefined;
const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });

function startRunner(registry: TaskRegistry) {
  const started = startPoolRunner(testDb, fx.pool, registry, {}, silent);
  runner = started.runner;
  stopRunner = started.stop;
}

const task = (id: number) => testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, ig_accounts, proxies, activity_log RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => {
  await stopRunner?.();
  await fx?.close();
});

describe('Instagram tasks and the account pool', () => {
  it('wait while every account cools down, spend no attempt, and start as soon as one is usable', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const cooldownEnds = new Date(Date.now() + 1500);
    await testDb.db.updateTable('ig_accounts').set({ status: 'cooldown', cooldown_until: cooldownEnds }).execute();
    startRunner(instagramRegistry(fx.pool));
    const [enqueued] = await enqueueTasks(
      testDb.db,
      [{ type: 'full_scrape', payload: { lookups: [fx.emulator.world.examples().usernames[0]] } }],
      { maxAttempts: 3 },
    );
    await waitFor(() => runner!.isIdle, { timeoutMs: 5000, what: 'runner idle' });
    expect(await task(enqueued!.task.id)).toMatchObject({ status: 'pending', attempts: 0 });

    await waitFor(async () => (await task(enqueued!.task.id)).status === 'done', { timeoutMs: 10_000, intervalMs: 20, what: 'task done' });
    const done = await task(enqueued!.task.id);
    expect(done.attempts).toBe(1);
    expect(done.started_at!.getTime()).toBeGreaterThanOrEqual(cooldownEnds.getTime() - 50);
    expect(done.started_at!.getTime() - cooldownEnds.getTime()).toBeLessThan(2_000); // not the 30 s poll
  });

  it('waits while the only account is held elsewhere, and starts as soon as it is released', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    const registry = instagramRegistry(fx.pool);
    startRunner(registry);
    // Hold the only account as another process would, after the runner decided to claim.
    const holder = await fx.pool.lease('other-process', []);
    const [enqueued] = await enqueueTasks(
      testDb.db,
      [{ type: 'full_scrape', payload: { lookups: [fx.emulator.world.examples().usernames[0]] } }],
      { maxAttempts: 3 },
    );
    await waitFor(() => runner!.isIdle, { timeoutMs: 5000, what: 'runner idle' });
    expect(await task(enqueued!.task.id)).toMatchObject({ status: 'pending', attempts: 0 });
    await fx.pool.release(holder!);
    await waitFor(async () => (await task(enqueued!.task.id)).status === 'done', {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'task done after release',
    });
  });

  it('tasks that need no account run while no account is usable', async () => {
    fx = await createPoolFixture(testDb, { accounts: 0, proxies: 0 });
    const registry = instagramRegistry(fx.pool).register({ type: 'noop', handler: async () => ({ ran: true }) });
    startRunner(registry);
    const [ig, free] = await enqueueTasks(
      testDb.db,
      [
        { type: 'full_scrape', priority: 1, payload: { lookups: ['x'] } },
        { type: 'noop', priority: 3 },
      ],
      { maxAttempts: 3 },
    );
    await waitFor(async () => (await task(free!.task.id)).status === 'done', { timeoutMs: 10_000, what: 'account-free task done' });
    expect(await task(ig!.task.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
