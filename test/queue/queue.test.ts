import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimTasks, completeAndClaim } from '../../src/queue/claim.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { failTask, releaseTask, renewLease } from '../../src/queue/finish.js';
import { cancelTask, retryTask } from '../../src/queue/manage.js';
import { recoverExpiredLeases } from '../../src/queue/recover.js';
import { leaseTokenOf } from '../../src/queue/runner.js';
import { accountHolderOf } from '../../src/accounts/session.js';
import { openDatabase } from '../../src/db/database.js';
import { loadSql } from '../../src/db/sql-file.js';
import { TASK_SQL_VARIABLES } from '../../src/queue/task.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
const defaults = { maxAttempts: 3 };
const claimOpts = (workerId: string, limit = 1) => ({ workerId, limit, leaseMs: 60_000, taskTypes: ['full_scrape', 'discover'] });
const backoff = { backoffBaseMs: 300_000, backoffFactor: 3 };

/** Completes a run as the runner does; the task as it ended, or undefined when the lease was not held. */
async function complete(id: number, leaseToken: string, result?: Record<string, unknown>) {
  const { completed } = await completeAndClaim(testDb.db, [{ id, leaseToken, result }]);
  if (!completed.has(id)) return undefined;
  return testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks RESTART IDENTITY CASCADE`.execute(testDb.db);
});

describe('enqueue', () => {
  it('returns the live task instead of a duplicate, and allows a new one once it is finished', async () => {
    const first = await enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'full_scrape:alice' }], defaults);
    const again = await enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'full_scrape:alice' }], defaults);
    expect(first[0]!.created).toBe(true);
    expect(again[0]).toMatchObject({ created: false, task: { id: first[0]!.task.id } });

    const [claimed] = await claimTasks(testDb.db, claimOpts('w1'));
    expect(claimed!.id).toBe(first[0]!.task.id);
    const whileRunning = await enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'full_scrape:alice' }], defaults);
    expect(whileRunning[0]!.task.id).toBe(first[0]!.task.id);

    await complete(claimed!.id, 'w1');
    const afterDone = await enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'full_scrape:alice' }], defaults);
    expect(afterDone[0]!.created).toBe(true);
    expect(afterDone[0]!.task.id).not.toBe(first[0]!.task.id);
  });

  it('keeps input order and maps a key repeated within one call to one task', async () => {
    const result = await enqueueTasks(
      testDb.db,
      ['a', 'b', 'a', 'c'].map((u) => ({ type: 'full_scrape', dedupeKey: `full_scrape:${u}`, payload: { username: u } })),
      defaults,
    );
    expect(result.map((r) => r.task.payload.username)).toEqual(['a', 'b', 'a', 'c']);
    expect(result.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(result[2]!.task.id).toBe(result[0]!.task.id);
    const { count } = await testDb.db
      .selectFrom('scrape_tasks')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(count).toBe(3);
  });

  it('returns each task as the database stores it, though the INSERT returns only its id and timestamp', async () => {
    const blog = await testDb.db
      .insertInto('blogs')
      .values({ username: 'enqueued_blog', platform_id: '17841400000000001' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const runAt = new Date(Date.now() + 3_600_000);
    const [live] = await enqueueTasks(testDb.db, [{ type: 'discover', dedupeKey: 'discover:live' }], defaults);
    const result = await enqueueTasks(
      testDb.db,
      [
        { type: 'full_scrape', dedupeKey: 'full_scrape:one', payload: { username: 'one', nested: { b: [1, 'x'], a: null } } },
        { type: 'discover', payload: { hashtag: 'tea', when: new Date(0), dropped: undefined } },
        { type: 'discover', dedupeKey: 'discover:live', payload: { hashtag: 'ignored' } },
        { type: 'full_scrape', priority: 2, blogId: blog.id, maxAttempts: 7, runAt, dedupeKey: 'full_scrape:two' },
        { type: 'followers' },
      ],
      defaults,
    );
    expect(result.map((r) => r.created)).toEqual([true, true, false, true, true]);
    expect(result[2]!.task).toEqual(live!.task);
    const stored = await testDb.db
      .selectFrom('scrape_tasks')
      .selectAll()
      .where(
        'id',
        'in',
        result.map((r) => r.task.id),
      )
      .execute();
    const byId = new Map(stored.map((t) => [t.id, t]));
    for (const { task } of result) expect(task).toEqual(byId.get(task.id));
    expect(result[1]!.task.payload).toEqual({ hashtag: 'tea', when: '1970-01-01T00:00:00.000Z' });
  });

  it('creates exactly one task when many connections enqueue the same key at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'full_scrape:race' }], defaults)),
    );
    const ids = new Set(results.map((r) => r[0]!.task.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r[0]!.created)).toHaveLength(1);
  });
});

describe('claim', () => {
  it('takes the most urgent priority first, then the earliest due, then the oldest', async () => {
    const past = (s: number) => new Date(Date.now() - s * 1000);
    await enqueueTasks(
      testDb.db,
      [
        { type: 'full_scrape', priority: 5, payload: { n: 'p5' } },
        { type: 'full_scrape', priority: 2, runAt: past(10), payload: { n: 'p2-late' } },
        { type: 'full_scrape', priority: 2, runAt: past(60), payload: { n: 'p2-early' } },
        { type: 'full_scrape', priority: 2, runAt: past(60), payload: { n: 'p2-early-newer' } },
        { type: 'full_scrape', priority: 1, runAt: new Date(Date.now() + 60_000), payload: { n: 'p1-future' } },
        { type: 'ai_analysis', priority: 1, payload: { n: 'other-type' } },
      ],
      defaults,
    );
    const claimed = await claimTasks(testDb.db, claimOpts('w1', 10));
    expect(claimed.map((t) => t.payload.n)).toEqual(['p2-early', 'p2-early-newer', 'p2-late', 'p5']);
    expect(claimed.every((t) => t.attempts === 1 && t.locked_by === 'w1')).toBe(true);
    // A claim returns only what a run reads (CLAIMED_COLUMNS); the status it set is in the table.
    const stored = await testDb.db
      .selectFrom('scrape_tasks')
      .select('status')
      .where(
        'id',
        'in',
        claimed.map((t) => t.id),
      )
      .execute();
    expect(stored.map((r) => r.status)).toEqual(claimed.map(() => 'running'));
  });

  it('never hands one task to two workers claiming at once on separate connections', async () => {
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 300 }, (_, i) => ({ type: 'full_scrape', payload: { i } })),
      defaults,
    );
    const workers = Array.from({ length: 8 }, () => openDatabase(testDb.url, { poolMax: 1 }));
    try {
      const claimedByWorker = await Promise.all(
        workers.map(async (worker, w) => {
          const ids: number[] = [];
          for (;;) {
            const batch = await claimTasks(worker.db, claimOpts(`w${w}`, 3));
            if (batch.length === 0) return ids;
            ids.push(...batch.map((t) => t.id));
          }
        }),
      );
      const all = claimedByWorker.flat();
      expect(all).toHaveLength(300);
      expect(new Set(all).size).toBe(300);
      expect(claimedByWorker.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  /**
   * EXPLAIN (ANALYZE, BUFFERS) of the runner's two claiming statements, rolled back: what each reads. `generic`: as
   * the queue pool runs them, prepared and planned once without their parameters' values (src/db/database.ts).
   */
  async function explainClaims(
    claimTypes: string[],
    groups: { first: string[]; firstLimit: number; then: string[] },
    { generic = false } = {},
  ) {
    const client = new pg.Client({
      connectionString: testDb.url,
      ...(generic ? { options: '-c plan_cache_mode=force_generic_plan' } : {}),
    });
    await client.connect();
    try {
      const explain = async (file: string, params: unknown[]) => {
        await client.query('BEGIN');
        try {
          const text = loadSql(file, TASK_SQL_VARIABLES);
          // EXPLAIN EXECUTE takes no bound parameters: the values go in as literals, typed by the prepared statement.
          const literal = (v: unknown) =>
            client.escapeLiteral(Array.isArray(v) ? `{${v.map((e) => JSON.stringify(String(e))).join(',')}}` : String(v));
          if (generic) await client.query(`PREPARE claim_probe AS ${text}`);
          const rows = generic
            ? (
                await client.query<{ 'QUERY PLAN': string }>(
                  `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE claim_probe (${params.map(literal).join(', ')})`,
                )
              ).rows
            : (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params)).rows;
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        } finally {
          await client.query('ROLLBACK');
          if (generic) await client.query('DEALLOCATE ALL'); // a prepared statement outlives the rollback
        }
      };
      return [
        await explain('queue/claim.sql', ['w#1', 8, 60_000, claimTypes]),
        await explain('queue/complete-claim.sql', [[], [], [], groups.firstLimit, 60_000, groups.first, 'w#2', groups.then, 8, 8]),
      ];
    } finally {
      await client.end();
    }
  }

  /** Rows the plan passed over, and the buffers the whole statement read (its first Buffers line). */
  function cost(plan: string) {
    const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1]));
    return {
      removed: Math.max(0, ...removed),
      buffers: Number(/Buffers: shared hit=(\d+)/.exec(plan.split('Planning:')[0]!)?.[1]),
    };
  }

  it('claims through the partial index', async () => {
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 2000 }, () => ({ type: 'full_scrape' })),
      defaults,
    );
    await sql`ANALYZE scrape_tasks`.execute(testDb.db);
    for (const plan of await explainClaims(['full_scrape'], { first: ['full_scrape'], firstLimit: 4, then: ['discover'] })) {
      expect(plan).toContain('scrape_tasks_claimable');
    }
  });

  // Issue 14: a bulk enqueue no longer refreshes the statistics (its ANALYZE cost the server 36–39 ms per 20,000-task
  // enqueue, on the API's path). Planned while they still say nothing is pending, as the queue pool plans (generic), the claims must still
  // read one range of the claim index, not every pending row.
  it('claims through the partial index with stale statistics right after a bulk enqueue', async () => {
    await sql`INSERT INTO scrape_tasks (task_type, status, payload, completed_at)
      SELECT 'full_scrape', 'done', '{}', now() FROM generate_series(1, 20000)`.execute(testDb.db);
    await sql`ANALYZE scrape_tasks`.execute(testDb.db);
    await enqueueTasks(
      testDb.db,
      Array.from({ length: 6000 }, () => ({ type: 'full_scrape' })),
      defaults,
    );
    const groups = { first: ['full_scrape'], firstLimit: 4, then: ['discover'] };
    for (const plan of await explainClaims(['full_scrape', 'discover'], groups, { generic: true })) {
      expect(plan).toContain('Index Scan using scrape_tasks_claimable');
      // Neither a scan of the table nor a sort of every pending row: the due rows come from the index, in order.
      expect(plan).not.toMatch(/Seq Scan|Bitmap Heap Scan on scrape_tasks s/);
      expect(cost(plan).removed).toBe(0);
    }
  });

  // Issue 14: 100,000 pending ai_analysis (claimed in bulk by the batch builder, never by the runner) made every
  // claim walk them through the index and the heap, ×0.11 throughput. The runner's claims must not see them.
  it('claims without walking pending ai_analysis tasks, which the runner never takes', async () => {
    await sql`INSERT INTO scrape_tasks (task_type, status, priority, payload)
      SELECT 'ai_analysis', 'pending', 3, '{}' FROM generate_series(1, 3000)`.execute(testDb.db);
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], defaults);
    await sql`ANALYZE scrape_tasks`.execute(testDb.db);
    for (const plan of await explainClaims(['full_scrape', 'discover'], { first: ['full_scrape'], firstLimit: 4, then: ['discover'] })) {
      expect(plan).toContain('scrape_tasks_claimable');
      expect(cost(plan).removed).toBe(0);
      expect(cost(plan).buffers).toBeLessThan(100);
    }
  });

  // Issue 14, the other half: while no account is usable the runner claims only the account-free types, and 100,000
  // pending full_scrape tasks ahead of them in the index made each such claim walk them all, heap included (1,850
  // buffers, 15 ms), at every NOTIFY and poll. Each type now has its own range of the index (migration 0029).
  it('claims the account-free types without walking pending Instagram tasks it cannot take', async () => {
    await sql`INSERT INTO scrape_tasks (task_type, status, priority, payload)
      SELECT 'full_scrape', 'pending', 2, '{}' FROM generate_series(1, 3000)`.execute(testDb.db);
    await enqueueTasks(testDb.db, [{ type: 'graph_media_sync', priority: 8 }], defaults);
    await sql`ANALYZE scrape_tasks`.execute(testDb.db);
    const accountFree = ['graph_discovery', 'graph_media_sync'];
    // The claim plan's shape with no account usable: the Instagram group gets 0, the account-free group the room.
    const plans = await explainClaims(accountFree, { first: ['full_scrape', 'discover'], firstLimit: 0, then: accountFree });
    for (const plan of plans) {
      expect(cost(plan).removed).toBe(0);
      expect(cost(plan).buffers).toBeLessThan(100);
    }
    // And it takes what it asked for, behind the more urgent tasks of other types.
    const claimed = await claimTasks(testDb.db, { ...claimOpts('w#3'), taskTypes: accountFree });
    expect(claimed.map((t) => t.task_type)).toEqual(['graph_media_sync']);
  });
});

describe('outcomes', () => {
  it('accepts complete and fail only from the lease holder', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], defaults);
    const [task] = await claimTasks(testDb.db, claimOpts('owner'));
    expect(await complete(task!.id, 'intruder')).toBeUndefined();
    expect(await failTask(testDb.db, task!.id, 'intruder', { message: 'x', retryable: false, ...backoff })).toBeUndefined();
    expect(await renewLease(testDb.db, task!.id, 'intruder', 60_000)).toBe(false);
    expect(await complete(task!.id, 'owner', { ok: 1 })).toMatchObject({ status: 'done', result: { ok: 1 } });
  });

  it('retries after 5, 15 and 45 minutes, then fails keeping the last error', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape', maxAttempts: 4 }], defaults);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await sql`UPDATE scrape_tasks SET run_at = now()`.execute(testDb.db); // skip the wait
      const [task] = await claimTasks(testDb.db, claimOpts('w'));
      expect(task!.attempts).toBe(attempt);
      const failed = await failTask(testDb.db, task!.id, 'w', { message: `boom ${attempt}`, retryable: true, ...backoff });
      if (attempt < 4) {
        expect(failed!.status).toBe('pending');
        const { delay } = await sql<{ delay: number }>`SELECT extract(epoch FROM run_at - now())::float8 AS delay FROM scrape_tasks`
          .execute(testDb.db)
          .then((r) => r.rows[0]!);
        delays.push(Math.round(delay / 60));
      } else {
        expect(failed).toMatchObject({ status: 'failed', error_message: 'boom 4', attempts: 4 });
        expect(failed!.completed_at).toBeInstanceOf(Date);
      }
    }
    expect(delays).toEqual([5, 15, 45]);
  });

  it('fails at once on a permanent error', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], defaults);
    const [task] = await claimTasks(testDb.db, claimOpts('w'));
    const failed = await failTask(testDb.db, task!.id, 'w', { message: 'not implemented', retryable: false, ...backoff });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error_message: 'not implemented' });
  });

  it('releases without spending an attempt and keeps the checkpoint', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], defaults);
    const [task] = await claimTasks(testDb.db, claimOpts('w'));
    await sql`UPDATE scrape_tasks SET progress = '{"cursor":"abc"}'`.execute(testDb.db);
    const released = await releaseTask(testDb.db, task!.id, 'w');
    expect(released).toMatchObject({ status: 'pending', attempts: 0, progress: { cursor: 'abc' }, locked_by: null });
  });
});

describe('recovery', () => {
  it('brings back a task whose lease expired, and fails it once out of attempts', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape', maxAttempts: 2 }], defaults);
    for (const expected of ['pending', 'failed']) {
      const [task] = await claimTasks(testDb.db, { ...claimOpts('dead-worker'), leaseMs: 1 });
      expect(task).toBeDefined();
      await sql`UPDATE scrape_tasks SET locked_until = now() - interval '1 second'`.execute(testDb.db);
      const recovered = await recoverExpiredLeases(testDb.db);
      expect(recovered).toEqual(expected === 'pending' ? { requeued: 1, failed: 0 } : { requeued: 0, failed: 1 });
      const row = await testDb.db.selectFrom('scrape_tasks').selectAll().executeTakeFirstOrThrow();
      expect(row.status).toBe(expected);
      expect(row.error_message).toContain('dead-worker');
    }
  });

  it('frees the Instagram account its dead holder leased, with the task, not a lease period later (issue 17)', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], defaults);
    // The lease token and the account holder exactly as the runner and the session write them.
    const [task] = await claimTasks(testDb.db, claimOpts(leaseTokenOf('dead-worker', 7)));
    // The account lease outlives the task lease (ACCOUNT_LEASE_MS); another holder's lease must stay as it is.
    await sql`DELETE FROM ig_accounts`.execute(testDb.db);
    await sql`
      INSERT INTO ig_accounts (username, password_encrypted, device_seed, leased_by, leased_until) VALUES
        ('held_by_dead', 'x', 's1', ${accountHolderOf('dead-worker', task!.id)}, now() + interval '10 minutes'),
        ('held_by_other', 'x', 's2', ${accountHolderOf('alive-worker', 999_999)}, now() + interval '10 minutes')`.execute(testDb.db);
    await sql`UPDATE scrape_tasks SET locked_until = now() - interval '1 second'`.execute(testDb.db);

    expect(await recoverExpiredLeases(testDb.db)).toEqual({ requeued: 1, failed: 0 });
    const accounts = await testDb.db
      .selectFrom('ig_accounts')
      .select(['username', 'leased_by', 'leased_until'])
      .orderBy('username')
      .execute();
    expect(accounts).toEqual([
      { username: 'held_by_dead', leased_by: null, leased_until: null },
      expect.objectContaining({ username: 'held_by_other', leased_by: accountHolderOf('alive-worker', 999_999) }),
    ]);
  });

  it('leaves live leases alone', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], defaults);
    await claimTasks(testDb.db, claimOpts('alive'));
    expect(await recoverExpiredLeases(testDb.db)).toEqual({ requeued: 0, failed: 0 });
  });
});

describe('cancel and retry by hand', () => {
  it('cancels pending and running tasks; a cancelled running task can no longer complete', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }, { type: 'full_scrape' }], defaults);
    const [running] = await claimTasks(testDb.db, claimOpts('w'));
    const pending = (await testDb.db.selectFrom('scrape_tasks').select('id').where('status', '=', 'pending').executeTakeFirstOrThrow()).id;
    expect(await cancelTask(testDb.db, pending)).toMatchObject({ ok: true, task: { status: 'cancelled' } });
    expect(await cancelTask(testDb.db, running!.id)).toMatchObject({ ok: true, task: { status: 'cancelled' } });
    expect(await complete(running!.id, 'w')).toBeUndefined();
    expect(await renewLease(testDb.db, running!.id, 'w', 1000)).toBe(false);
    expect(await cancelTask(testDb.db, pending)).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await cancelTask(testDb.db, 999_999)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('retries a failed task with fresh attempts, unless the same work is live again', async () => {
    await enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'k' }], defaults);
    const [task] = await claimTasks(testDb.db, claimOpts('w'));
    await failTask(testDb.db, task!.id, 'w', { message: 'broken', retryable: false, ...backoff });
    expect(await retryTask(testDb.db, task!.id)).toMatchObject({ ok: true, task: { status: 'pending', attempts: 0 } });

    const [again] = await claimTasks(testDb.db, claimOpts('w'));
    await failTask(testDb.db, again!.id, 'w', { message: 'broken', retryable: false, ...backoff });
    const newer = await enqueueTasks(testDb.db, [{ type: 'full_scrape', dedupeKey: 'k' }], defaults);
    expect(newer[0]!.created).toBe(true);
    expect(await retryTask(testDb.db, task!.id)).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await retryTask(testDb.db, newer[0]!.task.id)).toMatchObject({ ok: false, reason: 'conflict' });
  });
});
