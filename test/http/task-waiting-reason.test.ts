import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimTasks } from '../../src/queue/claim.js';
import { failTask, releaseTask } from '../../src/queue/finish.js';
import { leaseTokenOf } from '../../src/queue/runner.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Issue 15: a deferral wrote "waiting for an Instagram account" into error_message, so a task that later succeeded
 * showed it as its last error; and with zero accounts a scrape sat pending with no reason at all. Now the waiting
 * reason is a field of its own, shown while the task is pending.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
});
afterAll(async () => testDb?.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs, ig_accounts RESTART IDENTITY CASCADE`.execute(testDb.db);
});

const claimOne = async (token: string) =>
  (await claimTasks(testDb.db, { workerId: token, limit: 1, leaseMs: 60_000, taskTypes: ['full_scrape'] }))[0]!;

describe('why a pending task has not run', () => {
  it('says so when no Instagram account is configured, and stops saying it once one is', async () => {
    const { body } = await api.call('POST', '/api/tasks/scrape', { usernames: ['nobody_to_scrape_with'] });
    const id = body.tasks[0].id;
    const waiting = await api.call('GET', `/api/tasks/${id}`);
    expect(waiting.body).toMatchObject({
      status: 'pending',
      error_message: null,
      waiting_reason: expect.stringMatching(/no Instagram account is configured/),
    });
    const listed = await api.call('GET', '/api/tasks?status=pending');
    expect(listed.body.items[0].waiting_reason).toMatch(/no Instagram account is configured/);

    await testDb.db
      .insertInto('ig_accounts')
      .values({ username: 'scout_ready', password_encrypted: 'x', device_seed_encrypted: 'x' })
      .execute();
    expect((await api.call('GET', `/api/tasks/${id}`)).body.waiting_reason).toBeNull();
    await sql`UPDATE ig_accounts SET status = 'challenge'`.execute(testDb.db);
    expect((await api.call('GET', `/api/tasks/${id}`)).body.waiting_reason).toMatch(/usable without a human/);
  });

  it('keeps the last real error in error_message when a run is deferred, and the wait in waiting_reason', async () => {
    const { body } = await api.call('POST', '/api/tasks/scrape', { usernames: ['deferred_one'] });
    const id = body.tasks[0].id;
    // A first run fails for real and is retried; the second is deferred for want of an account.
    await failTask(testDb.db, id, (await claimOne(leaseTokenOf('w', 1))).locked_by!, {
      message: 'HTTP 503 from Instagram',
      retryable: true,
      backoffBaseMs: 0,
      backoffFactor: 1,
    });
    await releaseTask(
      testDb.db,
      id,
      (await claimOne(leaseTokenOf('w', 2))).locked_by!,
      new Date(Date.now() - 1),
      'waiting for an Instagram account to become usable',
    );
    await testDb.db
      .insertInto('ig_accounts')
      .values({ username: 'scout_ready', password_encrypted: 'x', device_seed_encrypted: 'x' })
      .execute();

    const deferred = await api.call('GET', `/api/tasks/${id}`);
    expect(deferred.body).toMatchObject({
      status: 'pending',
      error_message: 'HTTP 503 from Instagram',
      waiting_reason: 'waiting for an Instagram account to become usable',
    });
    await claimOne(leaseTokenOf('w', 3));
    const running = await api.call('GET', `/api/tasks/${id}`);
    expect(running.body).toMatchObject({ status: 'running', error_message: 'HTTP 503 from Instagram', waiting_reason: null });
  });
});
