import { sql } from 'kysely';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { NewWorkListener } from '../../src/queue/listener.js';
import { DeferTaskError } from '../../src/queue/errors.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { TaskRunner, type RunnerOptions } from '../../src/queue/runner.js';
import { accountAwareClaims } from '../../src/tasks/claim-plan.js';
import { ACCOUNTS_CHANGED } from '../../src/accounts/lease.js';
import { sleep, waitFor } from '../../src/util/wait.js';
import { EXECUTIONS_TABLE_SQL, listExecutions, sleepyRegistry } from '../fixtures/sleepy-tasks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
const stops: (() => Promise<unknown>)[] = [];
const silent = createLogger({ level: 'silent', format: 'json' });

const options = (overrides: Partial<RunnerOptions> = {}): RunnerOptions => ({
  workerId: 'runner-test',
  concurrency: 2,
  pollIntervalMs: 30_000,
  leaseMs: 60_000,
  backoffBaseMs: 300_000,
  backoffFactor: 3,
  ...overrides,
});

function startRunner(overrides: Partial<RunnerOptions> = {}, db = testDb.db, logger = silent) {
  const runner = new TaskRunner({ db, registry: sleepyRegistry('in-process'), logger, options: options(overrides) });
  runner.start();
  stops.push(() => runner.stop(0));
  return runner;
}

const task = (id: number) => testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  testDb = await createTestDatabase();
  await sql.raw(EXECUTIONS_TABLE_SQL).execute(testDb.db);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, test_executions RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

describe('waking up', () => {
  it('starts a task enqueued while idle in well under a second, though the fallback poll is 30 s', async () => {
    const runner = startRunner({ pollIntervalMs: 30_000 });
    const listener = new NewWorkListener(testDb.url, () => runner.wake(), silent);
    listener.start();
    stops.push(() => listener.stop());
    await waitFor(() => runner.isIdle, { timeoutMs: 5000, what: 'the runner asleep on its 30 s poll' });

    const [enqueued] = await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
    await waitFor(async () => (await task(enqueued!.task.id)).status === 'done', { timeoutMs: 5000, intervalMs: 5, what: 'task done' });
    const done = await task(enqueued!.task.id);
    expect(done.started_at!.getTime() - done.created_at.getTime()).toBeLessThan(500);
  });

  it('finds work by the fallback poll when nobody notifies it', async () => {
    startRunner({ pollIntervalMs: 100 });
    const [enqueued] = await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
    await waitFor(async () => (await task(enqueued!.task.id)).status === 'done', { timeoutMs: 5000, what: 'task done by poll' });
  });

  it('backs off instead of spinning when the database is unreachable', async () => {
    const url = new URL(testDb.url);
    url.pathname = '/no_such_database';
    const broken = openDatabase(url.toString(), { poolMax: 1 });
    const lines: string[] = [];
    const logger = createLogger({
      level: 'error',
      format: 'json',
      destination: new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) }),
    });
    startRunner({ pollIntervalMs: 10 }, broken.db, logger);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    stops.push(() => broken.close());
    const failures = lines.filter((l) => l.includes('claiming tasks failed')).length;
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThanOrEqual(5); // 250 ms doubling: ~4 tries in 2 s, not hundreds
  });
});

describe('running', () => {
  it('runs up to `concurrency` tasks at once and records each outcome', async () => {
    const runner = startRunner({ concurrency: 3, pollIntervalMs: 50 });
    await enqueueTasks(
      testDb.db,
      [
        ...Array.from({ length: 6 }, () => ({ type: 'full_scrape', payload: { ms: 150 } })),
        { type: 'discover', payload: { hashtag: 'x' } },
      ],
      { maxAttempts: 3 },
    );
    let peak = 0;
    await waitFor(
      async () => {
        peak = Math.max(peak, runner.activeCount);
        const open = await testDb.db.selectFrom('scrape_tasks').select('id').where('status', 'in', ['pending', 'running']).execute();
        return open.length === 0;
      },
      { timeoutMs: 10_000, intervalMs: 10, what: 'all tasks finished' },
    );
    expect(peak).toBe(3);
    const rows = await testDb.db
      .selectFrom('scrape_tasks')
      .select(['task_type', 'status', 'error_message', 'result'])
      .orderBy('id')
      .execute();
    expect(rows.filter((r) => r.status === 'done')).toHaveLength(6);
    expect(rows.at(-1)).toMatchObject({ task_type: 'discover', status: 'failed', error_message: 'refusing x' });
    expect(rows[0]!.result).toEqual({ worker: 'in-process' });
  });

  it('aborts a running task when it is cancelled, and does not mark it done', async () => {
    const runner = startRunner({ leaseMs: 300, pollIntervalMs: 50 });
    const [enqueued] = await enqueueTasks(testDb.db, [{ type: 'full_scrape', payload: { ms: 60_000 } }], { maxAttempts: 3 });
    await waitFor(async () => (await task(enqueued!.task.id)).status === 'running', { timeoutMs: 5000, what: 'running' });
    await sql`UPDATE scrape_tasks SET status = 'cancelled', locked_by = NULL, locked_until = NULL`.execute(testDb.db);
    // The next lease renewal (every 100 ms) finds the lease gone and aborts the handler.
    await waitFor(() => runner.activeCount === 0, { timeoutMs: 5000, what: 'the run to be aborted' });
    expect((await task(enqueued!.task.id)).status).toBe('cancelled');
    expect(await listExecutions(testDb.db)).toHaveLength(0);
  });
});

describe('a backlog', () => {
  it('drains through batched completions on the queue pool: each task once, with its own result, never over concurrency', async () => {
    const queuePool = openDatabase(testDb.url, { poolMax: 2, queuePool: true });
    stops.push(() => queuePool.close());
    let running = 0;
    let mostAtOnce = 0;
    const registry = new TaskRegistry().register({
      type: 'full_scrape',
      handler: async ({ task }) => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await sleep(Number(task.payload.ms));
        running--;
        return { n: task.payload.n };
      },
    });
    const concurrency = 16;
    const runner = new TaskRunner({ db: testDb.db, queueDb: queuePool.db, registry, logger: silent, options: options({ concurrency }) });
    const total = 400;
    // Uneven run times, so runs finish while a completion is in flight and batches of every size form.
    await enqueueTasks(
      testDb.db,
      Array.from({ length: total }, (_, n) => ({ type: 'full_scrape', payload: { n, ms: n % 7 } })),
      { maxAttempts: 1 },
    );
    runner.start();
    stops.push(() => runner.stop(0));

    const finished = () =>
      testDb.db
        .selectFrom('scrape_tasks')
        .select(['id', 'status', 'attempts', 'payload', 'result'])
        .where('status', '<>', 'pending')
        .where('status', '<>', 'running')
        .execute();
    await waitFor(async () => (await finished()).length === total, { timeoutMs: 30_000, what: `${total} tasks finished` });
    const rows = await finished();
    expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
    expect(rows.every((r) => r.result?.n === r.payload.n)).toBe(true);
    expect(mostAtOnce).toBeLessThanOrEqual(concurrency);
    expect(mostAtOnce).toBeGreaterThan(1);
  });
  it('as the daemon wires it (account-aware claim plan), claims each next task in the statement that completes the last', async () => {
    const queuePool = openDatabase(testDb.url, { poolMax: 2, queuePool: true });
    stops.push(() => queuePool.close());
    const registry = new TaskRegistry()
      .register({ type: 'full_scrape', needsAccount: true, handler: async () => ({ ok: true }) })
      .register({ type: 'hashtag_discovery', handler: async () => ({ ok: true }) });
    let usableNow = 0;
    const plan = accountAwareClaims(registry, async () => ({ usableNow, nextUsableAt: null, claimedWithoutAccount: 0 }));
    const runner = new TaskRunner({
      db: testDb.db,
      queueDb: queuePool.db,
      registry,
      planClaims: plan.planClaims,
      nextWakeAt: plan.nextWakeAt,
      logger: silent,
      options: options({ concurrency: 1 }),
    });
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 6 }, (_, i) => ({ type: i % 2 ? 'full_scrape' : 'hashtag_discovery' })),
      { maxAttempts: 1 },
    );
    runner.start();
    stops.push(() => runner.stop(0));
    const rows = () => testDb.db.selectFrom('scrape_tasks').selectAll().orderBy('started_at').execute();
    await waitFor(async () => (await rows()).filter((r) => r.status === 'done').length === 3, {
      timeoutMs: 10_000,
      what: 'the account-free tasks done',
    });
    // No account usable: the Instagram tasks wait, unclaimed, with their attempts unspent.
    expect((await rows()).filter((r) => r.task_type === 'full_scrape').every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);
    usableNow = 1;
    // As the daemon's listener does on the NOTIFY of an account change (src/accounts/lease.ts notifyAccountsChanged).
    plan.heard(ACCOUNTS_CHANGED);
    runner.wake();
    await waitFor(async () => (await rows()).every((r) => r.status === 'done'), { timeoutMs: 10_000, what: 'every task done' });
    // now() is the transaction's clock (to the microsecond): a task started in the statement that completed its
    // predecessor has a started_at equal to that completed_at. Apart from the first claim of each wake (two here),
    // every start is such a hand-off.
    const {
      rows: [handOffs],
    } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM scrape_tasks b WHERE EXISTS (SELECT 1 FROM scrape_tasks a WHERE a.completed_at = b.started_at)`.execute(
      testDb.db,
    );
    expect(handOffs!.n).toBe(4);
  });
});

describe('graceful stop', () => {
  it('lets short tasks finish and hands long ones back without spending an attempt', async () => {
    const runner = new TaskRunner({
      db: testDb.db,
      registry: sleepyRegistry('in-process'),
      logger: silent,
      options: options({ pollIntervalMs: 50 }),
    });
    runner.start();
    const [short, long] = await enqueueTasks(
      testDb.db,
      [
        { type: 'full_scrape', payload: { ms: 200 } },
        { type: 'full_scrape', payload: { ms: 60_000, checkpoint: true } },
      ],
      { maxAttempts: 3 },
    );
    await waitFor(() => runner.activeCount === 2, { timeoutMs: 5000, what: 'both running' });
    const outcome = await runner.stop(1000);
    expect(outcome).toEqual({ finished: 1, handedBack: 1 });
    expect(await task(short!.task.id)).toMatchObject({ status: 'done' });
    expect(await task(long!.task.id)).toMatchObject({ status: 'pending', attempts: 0, locked_by: null, progress: { step: 'half-way' } });
  });
});

describe('graceful stop budget', () => {
  it('is the whole budget: a handler deaf to the abort does not stretch the stop past graceMs', async () => {
    const runner = new TaskRunner({
      db: testDb.db,
      registry: sleepyRegistry('in-process'),
      logger: silent,
      options: options({ pollIntervalMs: 50 }),
    });
    runner.start();
    const [deaf] = await enqueueTasks(testDb.db, [{ type: 'full_scrape', payload: { ms: 6_000, ignoreAbort: true } }], { maxAttempts: 3 });
    await waitFor(() => runner.activeCount === 1, { timeoutMs: 5000, what: 'running' });
    const began = Date.now();
    const outcome = await runner.stop(1000);
    // The old stop waited graceMs and then 2 s more for aborted handlers (3 s here): past a container's stop period.
    expect(Date.now() - began).toBeLessThan(2_500);
    expect(outcome).toEqual({ finished: 0, handedBack: 1 });
    expect(await task(deaf!.task.id)).toMatchObject({ status: 'pending', attempts: 0, locked_by: null });
  });
});

describe('deferrals', () => {
  it("does not count a deferral for a task whose lease is gone (issue 15: releaseTask's answer was ignored)", async () => {
    const outcomes: string[] = [];
    const registry = new TaskRegistry().register({
      type: 'full_scrape',
      handler: async ({ task: running }) => {
        await sql`UPDATE scrape_tasks SET status = 'cancelled', locked_by = NULL, locked_until = NULL WHERE id = ${running.id}`.execute(
          testDb.db,
        );
        throw new DeferTaskError('waiting for an Instagram account to become usable', new Date(Date.now() + 60_000));
      },
    });
    const runner = new TaskRunner({
      db: testDb.db,
      registry,
      logger: silent,
      observer: { claimed: () => {}, finished: (_task, outcome) => outcomes.push(outcome) },
      options: options(),
    });
    runner.start();
    stops.push(() => runner.stop(0));
    const [enqueued] = await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 });
    runner.wake();
    await waitFor(() => outcomes.length === 1, { timeoutMs: 5000, what: 'the run to finish' });
    expect(outcomes).toEqual(['lost']);
    expect(await task(enqueued!.task.id)).toMatchObject({ status: 'cancelled', waiting_reason: null });
  });
});

describe('lease tokens', () => {
  it('give each claim its own token, so a stale run of the same process cannot complete a task claimed again', async () => {
    const runner = startRunner({ leaseMs: 1000, pollIntervalMs: 50 });
    const [enqueued] = await enqueueTasks(testDb.db, [{ type: 'full_scrape', payload: { ms: 60_000 } }], { maxAttempts: 3 });
    await waitFor(async () => (await task(enqueued!.task.id)).status === 'running', { timeoutMs: 5000, what: 'running' });
    const firstToken = (await task(enqueued!.task.id)).locked_by!;
    expect(firstToken).toMatch(/^runner-test#\d+$/);
    // As if the lease had expired during a stall and the task were recovered and claimed again by this same process.
    await sql`UPDATE scrape_tasks SET locked_by = 'runner-test#999999'`.execute(testDb.db);
    await waitFor(() => runner.activeCount === 0, { timeoutMs: 5000, what: 'the stale run to notice it lost the lease' });
    expect(await task(enqueued!.task.id)).toMatchObject({ status: 'running', locked_by: 'runner-test#999999' });
  });
});
