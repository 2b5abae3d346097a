import { sql } from 'kysely';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { TaskRunner, type RunnerDeps, type RunnerOptions } from '../../src/queue/runner.js';
import { cancelTask } from '../../src/queue/manage.js';
import { accountAwareClaims } from '../../src/tasks/claim-plan.js';
import { wireAccountAwareRunner } from '../../src/tasks/wiring.js';
import { sleep, waitFor } from '../../src/util/wait.js';
import { EXECUTIONS_TABLE_SQL, listExecutions, sleepyRegistry } from '../fixtures/sleepy-tasks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons } from '../helpers/processes.js';

/**
 * Claim ahead (QUEUE_CLAIM_AHEAD, issue 14): the runner holds a few tasks of account-free types claimed beyond its
 * running ones, so a freed slot starts the next at once. Those tasks are leased like running ones: renewed, handed
 * back on stop with their attempt returned, recovered when their process dies, and never started once this process
 * can no longer be sure it holds them. Every test counts executions from the database (test_executions).
 */
let testDb: TestDatabase;
const stops: (() => Promise<unknown>)[] = [];
const daemons = new Daemons();
const silent = createLogger({ level: 'silent', format: 'json' });

const options = (overrides: Partial<RunnerOptions> = {}): RunnerOptions => ({
  workerId: 'ahead-test',
  concurrency: 1,
  claimAhead: 2,
  pollIntervalMs: 30_000,
  leaseMs: 60_000,
  backoffBaseMs: 300_000,
  backoffFactor: 3,
  ...overrides,
});

function startRunner(overrides: Partial<RunnerOptions> = {}, deps: Partial<RunnerDeps> = {}) {
  const runner = new TaskRunner({
    db: testDb.db,
    registry: sleepyRegistry(overrides.workerId ?? 'ahead-test'),
    logger: silent,
    options: options(overrides),
    ...deps,
  });
  runner.start();
  stops.push(() => runner.stop(0));
  return runner;
}

const rows = () => testDb.db.selectFrom('scrape_tasks').selectAll().orderBy('id').execute();
const sleepy = (ms: number) => ({ type: 'full_scrape', payload: { ms } });
const executionsById = async () => {
  const byId = new Map<number, string[]>();
  for (const e of await listExecutions(testDb.db)) byId.set(e.task_id, [...(byId.get(e.task_id) ?? []), e.worker]);
  return byId;
};

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 6 });
  await sql.raw(EXECUTIONS_TABLE_SQL).execute(testDb.db);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, test_executions RESTART IDENTITY CASCADE`.execute(testDb.db);
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
  await daemons.killAll();
});

describe('claiming ahead', () => {
  it('holds concurrency + claimAhead tasks, renews the leases of those waiting, and runs each once', async () => {
    // Lease 900 ms: without renewal, the waiting tasks' leases would run out while the first runs for 2 s, and the
    // second runner's recovery (every lease period) would take them.
    await enqueueTasks(testDb.db, [sleepy(2_000), sleepy(0), sleepy(0)], { maxAttempts: 3 });
    const runner = startRunner({ leaseMs: 900 });
    await waitFor(() => runner.activeCount === 1 && runner.bufferedCount === 2, {
      timeoutMs: 5000,
      what: 'one running, two claimed ahead',
    });
    const held = await rows();
    expect(held.every((r) => r.status === 'running' && r.attempts === 1 && r.locked_by?.startsWith('ahead-test#'))).toBe(true);

    startRunner({ workerId: 'recoverer', concurrency: 3, claimAhead: 0, leaseMs: 900, pollIntervalMs: 50 });
    await waitFor(async () => (await rows()).every((r) => r.status === 'done'), { timeoutMs: 10_000, what: 'all three done' });
    const end = await rows();
    // Not recovered by the other runner: their leases were renewed while they waited.
    expect(end.map((r) => r.attempts)).toEqual([1, 1, 1]);
    const executions = await executionsById();
    expect([...executions.values()]).toEqual([['ahead-test'], ['ahead-test'], ['ahead-test']]);
  });

  it('never claims ahead a type that needs an Instagram account: those get free slots only', async () => {
    const registry = new TaskRegistry()
      .register({ type: 'full_scrape', needsAccount: true, handler: async () => void (await sleep(150)) })
      .register({ type: 'noop', handler: async () => void (await sleep(150)) });
    const plan = accountAwareClaims(registry, async () => ({ usableNow: 5, nextUsableAt: null, claimedWithoutAccount: 0 }));
    await enqueueTasks(
      testDb.db,
      [...Array.from({ length: 3 }, () => ({ type: 'full_scrape' })), ...Array.from({ length: 3 }, () => ({ type: 'noop' }))],
      {
        maxAttempts: 3,
      },
    );
    const runner = new TaskRunner({
      db: testDb.db,
      registry,
      planClaims: plan.planClaims,
      logger: silent,
      options: options({ claimAhead: 3, pollIntervalMs: 50 }),
    });
    runner.start();
    stops.push(() => runner.stop(0));
    let heldInstagram = 0;
    let heldNoop = 0;
    await waitFor(
      async () => {
        const now = await rows();
        heldInstagram = Math.max(heldInstagram, now.filter((r) => r.task_type === 'full_scrape' && r.status === 'running').length);
        heldNoop = Math.max(heldNoop, now.filter((r) => r.task_type === 'noop' && r.status === 'running').length);
        return now.every((r) => r.status === 'done');
      },
      { timeoutMs: 10_000, intervalMs: 10, what: 'every task done' },
    );
    expect(heldInstagram).toBe(1);
    expect(heldNoop).toBeGreaterThan(1);
  });
});

describe('stopping with tasks claimed ahead', () => {
  it('hands them back at once, attempt returned and place in line kept, so another process runs them during the grace period', async () => {
    const [first, second, third] = await enqueueTasks(testDb.db, [sleepy(1_500), sleepy(0), sleepy(0)], { maxAttempts: 3 });
    const runner = new TaskRunner({ db: testDb.db, registry: sleepyRegistry('stopping'), logger: silent, options: options() });
    runner.start();
    await waitFor(() => runner.activeCount === 1 && runner.bufferedCount === 2, {
      timeoutMs: 5000,
      what: 'one running, two claimed ahead',
    });
    const dueBefore = (await rows()).map((r) => r.run_at.getTime());
    startRunner({ workerId: 'other', concurrency: 2, claimAhead: 0, pollIntervalMs: 50 });

    const outcome = await runner.stop(10_000);
    expect(outcome).toEqual({ finished: 1, handedBack: 2 });
    await waitFor(async () => (await rows()).every((r) => r.status === 'done'), { timeoutMs: 10_000, what: 'all done' });
    const end = await rows();
    expect(end.map((r) => r.attempts)).toEqual([1, 1, 1]); // the hand-back returned the attempt the first claim spent
    expect(end.map((r) => r.run_at.getTime())).toEqual(dueBefore);
    const executions = await sql<{ task_id: number; worker: string; at: Date }>`
      SELECT task_id::int AS task_id, worker, finished_at AS at FROM test_executions ORDER BY task_id`.execute(testDb.db);
    expect(executions.rows.map((e) => [e.task_id, e.worker])).toEqual([
      [first!.task.id, 'stopping'],
      [second!.task.id, 'other'],
      [third!.task.id, 'other'],
    ]);
    // Handed back when the stop began, not after the grace: they ran while the first was still running.
    expect(executions.rows[1]!.at.getTime()).toBeLessThan(executions.rows[0]!.at.getTime());
    expect(executions.rows[2]!.at.getTime()).toBeLessThan(executions.rows[0]!.at.getTime());
  });
});

describe('a task claimed ahead that this process no longer holds', () => {
  it('is not started after a stall longer than its lease, when another process has taken it meanwhile', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      format: 'json',
      destination: new Writable({ write: (c, _, done) => (lines.push(String(c)), done()) }),
    });
    const registry = new TaskRegistry()
      .register({
        type: 'stall',
        handler: async ({ db }) => {
          // Another process recovers the waiting tasks (their leases ran out during the stall below) and runs them.
          const taken = await sql<{ id: number }>`UPDATE scrape_tasks SET locked_by = 'other#1', locked_until = now() + interval '1 minute'
            WHERE task_type = 'noop' RETURNING id::int AS id`.execute(db);
          for (const { id } of taken.rows) await sql`INSERT INTO test_executions (task_id, worker) VALUES (${id}, 'other')`.execute(db);
          // The stall: the event loop blocked past the lease, so no renewal ran.
          const until = Date.now() + 1_200;
          while (Date.now() < until);
        },
      })
      .register({
        type: 'noop',
        handler: async ({ task, db }) =>
          void (await sql`INSERT INTO test_executions (task_id, worker) VALUES (${task.id}, 'stalled')`.execute(db)),
      });
    await enqueueTasks(testDb.db, [{ type: 'stall', priority: 1 }, { type: 'noop' }, { type: 'noop' }], { maxAttempts: 3 });
    const runner = new TaskRunner({ db: testDb.db, registry, logger, options: options({ leaseMs: 600 }) });
    runner.start();
    stops.push(() => runner.stop(0));
    await waitFor(async () => (await rows())[0]!.status === 'done', { timeoutMs: 10_000, what: 'the stalled task done' });
    await waitFor(() => runner.bufferedCount === 0 && runner.activeCount === 0, { timeoutMs: 5000, what: 'nothing held' });
    await waitFor(() => lines.some((l) => l.includes('handed back unstarted')), { timeoutMs: 5000, what: 'the hand-back logged' });
    const executions = await executionsById();
    expect(executions.get(2)).toEqual(['other']);
    expect(executions.get(3)).toEqual(['other']);
  });
});

describe('a task cancelled while this process holds it', () => {
  it('is dropped unstarted from the claim-ahead buffer, or stopped if running, at once rather than at the next lease renewal', async () => {
    // Lease 60 s: renewal, which used to be how a runner learnt of a cancel, comes every 20 s, far past these waits.
    const [running, ahead, next] = await enqueueTasks(testDb.db, [sleepy(60_000), sleepy(0), sleepy(0)], { maxAttempts: 3 });
    const wired = wireAccountAwareRunner({
      db: testDb.db,
      registry: sleepyRegistry('cancel-test'),
      availability: async () => ({ usableNow: 0, nextUsableAt: null, claimedWithoutAccount: 0 }),
      connectionString: testDb.url,
      options: options({ workerId: 'cancel-test' }),
      logger: silent,
    });
    wired.start();
    stops.push(async () => {
      await wired.runner.stop(0);
      await wired.listener.stop();
    });
    const { runner } = wired;
    await waitFor(() => runner.activeCount === 1 && runner.bufferedCount === 2, {
      timeoutMs: 5000,
      what: 'one running, two claimed ahead',
    });

    // A cancel naming another lease (the task cancelled, retried and claimed again since) is not this run's.
    runner.cancelled({ id: ahead!.task.id, leaseToken: 'another-process#1' });
    expect(runner.bufferedCount).toBe(2);

    expect(await cancelTask(testDb.db, ahead!.task.id)).toMatchObject({ ok: true });
    await waitFor(() => runner.bufferedCount === 1, { timeoutMs: 5000, what: 'the cancelled task gone from the buffer' });
    expect(runner.activeCount).toBe(1);

    expect(await cancelTask(testDb.db, running!.task.id)).toMatchObject({ ok: true });
    // The running one stops (its sleep honours the signal), its slot frees and the next claimed ahead runs.
    await waitFor(async () => (await executionsById()).has(next!.task.id), { timeoutMs: 5000, what: 'the next task run' });
    expect([...(await executionsById()).keys()]).toEqual([next!.task.id]);
    expect((await rows()).map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'done']);
  });
});

describe('a process that dies holding tasks claimed ahead', () => {
  it('loses none: their leases run out, another process recovers and runs each exactly once', async () => {
    const env = (name: string, extra: Record<string, string>) => ({
      DATABASE_URL: testDb.url,
      SCRAPER_API_KEY: 'claim-ahead-test-key-0123456789abcdef',
      ENCRYPTION_KEY: '0'.repeat(64),
      WORKER_NAME: name,
      TASK_LEASE_MS: '1500',
      SCHEDULER_ENABLED: 'false',
      ...extra,
    });
    const doomed = await daemons.start(env('doomed', { WORKER_CONCURRENCY: '1', QUEUE_CLAIM_AHEAD: '3', QUEUE_POLL_INTERVAL_MS: '30000' }));
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 4 }, () => sleepy(3_000)),
      { maxAttempts: 3 },
    );
    await waitFor(
      async () => (await rows()).filter((r) => r.status === 'running' && r.locked_by?.startsWith(doomed.workerId)).length === 4,
      {
        timeoutMs: 10_000,
        intervalMs: 10,
        what: 'one running and three claimed ahead by the doomed process',
      },
    );
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    await daemons.start(env('survivor', { WORKER_CONCURRENCY: '4', QUEUE_POLL_INTERVAL_MS: '200' }));
    await waitFor(async () => (await rows()).every((r) => r.status === 'done'), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'all four done',
    });
    const executions = await executionsById();
    expect(executions.size).toBe(4);
    expect([...executions.values()].every((workers) => workers.length === 1)).toBe(true);
    // Each claim by the dead process spent an attempt (it cannot tell from the table which it had started).
    expect((await rows()).map((r) => r.attempts)).toEqual([2, 2, 2, 2]);
  });
});
