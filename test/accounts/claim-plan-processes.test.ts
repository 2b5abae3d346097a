import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons } from '../helpers/processes.js';

/**
 * Issue 17: three processes with 12 workers over 5 accounts made 1,156 claims and 785 "waiting for an account"
 * deferrals for 300 tasks. Each process planned its claims against the accounts not leased at that instant, so
 * together they claimed up to three times as many Instagram tasks as there were accounts, and the extra runs could
 * only defer. Now the plan subtracts the claimed runs of every process that do not hold an account yet.
 * test/accounts/availability.test.ts pins the count itself.
 *
 * What that left (CI, session 9: 21 deferrals for 60 tasks; 11 to 20 in ten runs here): processes woken by the same
 * account release, or starting together, plan against the same free account at the same instant, and all but one of
 * their runs found it gone and deferred at once. A run that finds every account leased now waits for one to be
 * released (ACCOUNT_WAIT_MS) before it defers, so a race costs a short wait, not a claim and a hand-back.
 */
const ACCOUNTS = 5;
const TASKS = 60;

let testDb: TestDatabase;
let emulator: InstagramEmulator;
const daemons = new Daemons();

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  emulator = await startInstagramEmulator({ seed: 17, proxies: ACCOUNTS, world: { accounts: ACCOUNTS + 3 } });
});
afterAll(async () => {
  await emulator.close();
  await testDb.drop();
});
afterEach(async () => {
  await daemons.killAll();
});

function env(name: string) {
  const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, ACCOUNTS);
  return {
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: 'claim-plan-test-key-0123456789abcdef',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    WORKER_NAME: name,
    WORKER_TASKS: 'instagram',
    WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'info',
    QUEUE_POLL_INTERVAL_MS: '1000',
    IG_PROXIES: emulator.proxyUrls.join('\n'),
    IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
    ACCOUNT_REQUESTS_PER_HOUR: '10000',
    ACCOUNT_WARMUP_DAYS: '0',
    ACCOUNT_REQUEST_DELAY_MIN_MS: '20',
    ACCOUNT_REQUEST_DELAY_MAX_MS: '40',
    SESSION_VALIDATE_INTERVAL_MS: '3600000',
  };
}

describe('three processes, 12 workers, 5 accounts', () => {
  it('claim about as many Instagram tasks as there are accounts, so next to none has to defer', async () => {
    const processes = await daemons.startAll([env('one'), env('two'), env('three')]);
    const names = emulator.world.examples().usernames;
    await enqueueTasks(
      testDb.db,
      Array.from({ length: TASKS }, (_, t) => ({
        type: 'full_scrape',
        payload: { lookups: [names[t % names.length], names[(t + 1) % names.length]] },
      })),
      { maxAttempts: 5 },
    );
    await waitFor(
      async () =>
        Number((await sql<{ n: number }>`SELECT count(*) AS n FROM scrape_tasks WHERE status = 'done'`.execute(testDb.db)).rows[0]!.n) ===
        TASKS,
      { timeoutMs: 120_000, intervalMs: 200, what: `${TASKS} tasks done` },
    );
    const deferrals = processes.map(
      (p) =>
        p
          .output()
          .split('\n')
          .filter((line) => line.includes('"task deferred"')).length,
    );
    const total = deferrals.reduce((a, b) => a + b, 0);
    // Issue 17's plan: from 50 to 11–21 for 60 tasks. Waiting for a released account: next to none. A deferral costs a
    // claim and a hand-back, never a request or an attempt.
    expect(total, `deferrals per process: ${deferrals.join(', ')}`).toBeLessThanOrEqual(3);
    expect(emulator.overlappingRequests()).toEqual([]);
  }, 180_000);
});
