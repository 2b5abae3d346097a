import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import type { TaskStatus } from '../../src/db/schema.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { pageLog } from '../helpers/follow-log.js';
import { Daemons } from '../helpers/processes.js';

/**
 * Seed 001 with a process killed (-9) half-way through the list: real daemon processes with the production registry,
 * the emulator's proxies and accounts passed as the operator would (IG_PROXIES / IG_ACCOUNTS). The next process
 * takes the task over once its lease expires and continues from the checkpoint.
 */
const API_KEY = 'followers-process-test-key-0123456789';
let testDb: TestDatabase;
let emulator: InstagramEmulator;
const daemons = new Daemons();

function env(name: string) {
  const account = emulator.world.accounts.find((a) => a.loginBehaviour === 'ok')!;
  return {
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: API_KEY,
    ENCRYPTION_KEY: 'cd'.repeat(32),
    WORKER_NAME: name,
    WORKER_TASKS: 'production',
    WORKER_CONCURRENCY: '2',
    QUEUE_POLL_INTERVAL_MS: '500',
    TASK_LEASE_MS: '1500',
    ACCOUNT_LEASE_MS: '1500',
    IG_PROXIES: emulator.proxyUrls[0]!,
    IG_ACCOUNTS: `${account.username}:${account.password}`,
    ACCOUNT_REQUESTS_PER_HOUR: '1000',
    ACCOUNT_WARMUP_DAYS: '0',
    // Slow enough that the test can kill the process between two pages; 17 pages still take about 2 s.
    ACCOUNT_REQUEST_DELAY_MIN_MS: '80',
    ACCOUNT_REQUEST_DELAY_MAX_MS: '120',
    SCHEDULER_ENABLED: 'false',
  };
}

async function start(name: string) {
  return daemons.start(env(name));
}

const taskRow = (id: number) => testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  emulator = await startInstagramEmulator({ seed: 5, proxies: 1, world: { followPageSize: 100, accounts: 4 } });
});
afterAll(async () => {
  await emulator.close();
  await testDb.drop();
});
afterEach(async () => {
  await daemons.killAll();
});

describe('followers across a killed process', () => {
  it('completes the 1,663 followers after kill -9 half-way: the next process resumes from the checkpoint', async () => {
    const target = emulator.world.followersAccount;
    const account = emulator.world.accounts.find((a) => a.loginBehaviour === 'ok')!.username;
    // After the 7th page (700 followers), the next page hangs in the emulator: the process dies waiting for it.
    let answered = 0;
    const stop = emulator.onRequest((entry) => {
      if (entry.route !== 'friendships/{pk}/followers' || entry.status !== 200 || ++answered !== 7) return;
      stop();
      emulator.setAccountFault(account, { kind: 'slow', delayMs: 1_500, times: 1 });
    });
    const doomed = await start('doomed');
    const created = await fetch(`http://127.0.0.1:${doomed.port}/api/tasks/followers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: target.username, kind: 'followers' }),
    });
    expect(created.status).toBe(202);
    const taskId = ((await created.json()) as { tasks: { id: number }[] }).tasks[0]!.id;

    // Watch the task for the whole test: it must never be seen failed.
    const seen = new Set<TaskStatus>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.add((await taskRow(taskId)).status);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const inFlight = () => pageLog(emulator.log, 'followers', target.pk).requests.find((e) => e.status === null);
    await waitFor(() => inFlight() !== undefined, { timeoutMs: 20_000, intervalMs: 5, what: 'the 8th page in flight' });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const atKill = (await taskRow(taskId)).progress!;
    expect(atKill).toMatchObject({ fetched: 700, pages: 7 });

    await start('survivor');
    await waitFor(async () => ['done', 'failed'].includes((await taskRow(taskId)).status), {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'task finished',
    });
    watching = false;
    await watcher;

    const done = await taskRow(taskId);
    expect([...seen]).not.toContain('failed');
    expect(done).toMatchObject({ status: 'done', attempts: 2 });
    expect(done.result).toMatchObject({ fetched: 1663, stored: 1663, expected: 1663, pages: 17, complete: true, resumed: 1 });
    const stored = await testDb.db.selectFrom('audience_edges').select('platform_id').where('kind', '=', 'followers').execute();
    expect(stored.map((r) => r.platform_id).sort()).toEqual(
      emulator.world
        .followersPage(target, 0, 1663)
        .map((u) => String(u.pk))
        .sort(),
    );

    // Every page asked for once, except the one in flight when the process died, asked again by the survivor.
    const pages = pageLog(emulator.log, 'followers', target.pk);
    const asked = pages.requests.map((e) => e.maxId ?? '');
    expect(asked).toHaveLength(18);
    expect(new Set(asked).size).toBe(17);
    expect(asked.filter((cursor) => cursor === atKill.cursor)).toHaveLength(2);
    expect(pages.repeatedAnswers.every((cursor) => cursor === atKill.cursor)).toBe(true);
    expect(emulator.log.filter((e) => e.route.startsWith('users/')).length).toBe(1); // the user was resolved once
  });
});
