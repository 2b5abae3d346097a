import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { waitFor } from '../../src/util/wait.js';
import { EXECUTIONS_TABLE_SQL, listExecutions } from '../fixtures/sleepy-tasks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons } from '../helpers/processes.js';

/** Real daemon processes (the production composition root) sharing one database. */
let testDb: TestDatabase;
const daemons = new Daemons();

const env = (name: string, extra: Record<string, string> = {}) => ({
  DATABASE_URL: testDb.url,
  SCRAPER_API_KEY: 'process-test-key-0123456789abcdef',
  ENCRYPTION_KEY: '0'.repeat(64),
  WORKER_NAME: name,
  WORKER_CONCURRENCY: '4',
  QUEUE_POLL_INTERVAL_MS: '30000',
  ...extra,
});

async function start(name: string, extra: Record<string, string> = {}) {
  return daemons.start(env(name, extra));
}

const statuses = async () =>
  Object.fromEntries(
    (
      await testDb.db
        .selectFrom('scrape_tasks')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute()
    ).map((r) => [r.status, Number(r.n)]),
  );

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  await sql.raw(EXECUTIONS_TABLE_SQL).execute(testDb.db);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, test_executions RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => {
  await daemons.killAll();
});

describe('starting several processes', () => {
  it('leaves none running when one of them fails to start', async () => {
    const own = new Daemons();
    const failure = await own.startAll([env('healthy'), env('broken', { WORKER_CONCURRENCY: 'lots' })]).catch((error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure.message)).toMatch(/WORKER_CONCURRENCY/);
    expect(own.running()).toEqual([]);
  });
});

describe('several processes on one database', () => {
  it('run 300 tasks exactly once between two processes', async () => {
    await daemons.startAll([env('alpha'), env('beta')]);
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 300 }, (_, i) => ({ type: 'full_scrape', payload: { ms: i % 7 } })),
      { maxAttempts: 3 },
    );
    await waitFor(async () => (await statuses()).done === 300, { timeoutMs: 60_000, intervalMs: 100, what: '300 tasks done' });
    const executions = await listExecutions(testDb.db);
    expect(executions).toHaveLength(300);
    expect(new Set(executions.map((e) => e.task_id)).size).toBe(300);
    expect([...new Set(executions.map((e) => e.worker))].sort()).toEqual(['alpha', 'beta']);
  });

  it('brings back the task of a process killed with -9 once its lease expires, and another process finishes it', async () => {
    const doomed = await start('doomed', { TASK_LEASE_MS: '1500', WORKER_CONCURRENCY: '1' });
    const [enqueued] = await enqueueTasks(testDb.db, [{ type: 'full_scrape', payload: { ms: 2000 } }], { maxAttempts: 3 });
    await waitFor(async () => (await statuses()).running === 1, { timeoutMs: 10_000, what: 'task running in the doomed process' });
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    await start('survivor', { TASK_LEASE_MS: '1500', QUEUE_POLL_INTERVAL_MS: '200' });
    await waitFor(async () => (await statuses()).done === 1, { timeoutMs: 20_000, intervalMs: 100, what: 'task done by the survivor' });
    const row = await testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', enqueued!.task.id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
    expect(row.result).toEqual({ worker: 'survivor' });
  });

  it('drains on SIGTERM: a short task finishes, a long one goes back to pending with its attempt and checkpoint', async () => {
    const worker = await start('draining', { SHUTDOWN_GRACE_MS: '1500' });
    const [short, long] = await enqueueTasks(
      testDb.db,
      [
        { type: 'full_scrape', payload: { ms: 500 } },
        { type: 'full_scrape', payload: { ms: 120_000, checkpoint: true } },
      ],
      { maxAttempts: 3 },
    );
    await waitFor(async () => (await statuses()).running === 2, { timeoutMs: 10_000, what: 'both running' });
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    const rows = await testDb.db.selectFrom('scrape_tasks').selectAll().orderBy('id').execute();
    expect(rows.find((r) => r.id === short!.task.id)).toMatchObject({ status: 'done' });
    expect(rows.find((r) => r.id === long!.task.id)).toMatchObject({ status: 'pending', attempts: 0, progress: { step: 'half-way' } });
    expect(worker.output()).toContain('shutdown complete');
  });
});
