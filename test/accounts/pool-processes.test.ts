import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator, type LogEntry } from '../../emulator/instagram/index.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons } from '../helpers/processes.js';

/**
 * Issue 4's acceptance, from the emulator's point of view: 10 accounts on 10 proxies, two daemon processes on one
 * database, each account held to its budget and never used by two tasks at once — asserted from the emulator's
 * request log, not from the daemon's own counters. Then a restart that reuses the saved sessions.
 */
const BUDGET = 8;
const WINDOW_MS = 3_000;
const ACCOUNTS = 10;

let testDb: TestDatabase;
let emulator: InstagramEmulator;
const daemons = new Daemons();

function env(name: string) {
  const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, ACCOUNTS);
  // Credentials in the proxy URLs, so the test can prove they never reach a log line.
  const proxies = emulator.proxyUrls.map((url, i) => url.replace('http://', `http://scout${i}:proxy-secret-${i}@`));
  return {
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: 'pool-process-test-key-0123456789',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    WORKER_NAME: name,
    WORKER_TASKS: 'instagram',
    WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'debug',
    QUEUE_POLL_INTERVAL_MS: '1000',
    IG_PROXIES: proxies.join('\n'),
    IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
    ACCOUNT_REQUESTS_PER_HOUR: String(BUDGET),
    ACCOUNT_BUDGET_WINDOW_MS: String(WINDOW_MS),
    ACCOUNT_WARMUP_DAYS: '0',
    ACCOUNT_REQUEST_DELAY_MIN_MS: '20',
    ACCOUNT_REQUEST_DELAY_MAX_MS: '40',
    SESSION_VALIDATE_INTERVAL_MS: '3600000',
  };
}

async function start(name: string) {
  return daemons.start(env(name));
}

async function enqueueLookups(tasks: number, perTask: number) {
  const names = emulator.world.examples().usernames;
  await enqueueTasks(
    testDb.db,
    Array.from({ length: tasks }, (_, t) => ({
      type: 'full_scrape',
      payload: { lookups: Array.from({ length: perTask }, (_, i) => names[(t + i) % names.length]) },
    })),
    { maxAttempts: 3 },
  );
}

const doneCount = async () =>
  Number((await sql<{ n: number }>`SELECT count(*) AS n FROM scrape_tasks WHERE status = 'done'`.execute(testDb.db)).rows[0]!.n);

/** The most requests one account made inside any window of WINDOW_MS, per the emulator's log. */
function busiestWindow(entries: readonly LogEntry[], username: string): number {
  const times = entries
    .filter((e) => e.username === username)
    .map((e) => e.wallStartedAt)
    .sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= WINDOW_MS) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  emulator = await startInstagramEmulator({ seed: 5, proxies: ACCOUNTS, world: { accounts: ACCOUNTS + 3 } });
  // Instagram itself would answer a rate limit (401 require_login today) past the budget: any in the log is a
  // budget violation.
  emulator.setRateLimit({ maxRequests: BUDGET, windowMs: WINDOW_MS });
});
afterAll(async () => {
  await emulator.close();
  await testDb.drop();
});
afterEach(async () => {
  await daemons.killAll();
});

describe('two daemon processes sharing 10 accounts', () => {
  it('keep every account within budget and exclusive, then reuse the sessions after a restart', async () => {
    const [alpha, beta] = await daemons.startAll([env('alpha'), env('beta')]);
    await enqueueLookups(30, 5);
    await waitFor(async () => (await doneCount()) === 30, { timeoutMs: 90_000, intervalMs: 200, what: '30 tasks done' });

    const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, ACCOUNTS);
    expect(emulator.log.filter((e) => e.status === 401 || e.status === 429)).toEqual([]);
    expect(emulator.overlappingRequests()).toEqual([]);
    const busiest = accounts.map((a) => busiestWindow(emulator.log, a.username));
    for (const [i, a] of accounts.entries()) expect(busiest[i], a.username).toBeLessThanOrEqual(BUDGET);
    expect(Math.max(...busiest)).toBeGreaterThanOrEqual(BUDGET - 1); // the budget was really reached, not just never tested
    const used = accounts.filter((a) => emulator.log.some((e) => e.username === a.username));
    expect(used.length).toBeGreaterThanOrEqual(8); // the work spread over the pool
    for (const a of accounts) expect(emulator.loginCount(a.username), a.username).toBeLessThanOrEqual(1);

    // No secret in any log line of either process.
    const output = alpha.output() + beta.output();
    const secrets = [
      ...accounts.map((a) => a.password),
      ...Array.from({ length: ACCOUNTS }, (_, i) => `proxy-secret-${i}`),
      ...emulator.sessions().map((s) => s.id),
      ...emulator.sessions().map((s) => s.csrftoken),
    ];
    for (const secret of secrets) expect(output.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
    expect(output).toContain('"taskType":"full_scrape"'); // the logs were captured

    alpha.child.kill('SIGTERM');
    beta.child.kill('SIGTERM');
    expect(await alpha.exited).toBe(0);
    expect(await beta.exited).toBe(0);

    const loginsBefore = accounts.map((a) => emulator.loginCount(a.username));
    await start('gamma');
    await enqueueLookups(10, 2);
    await waitFor(async () => (await doneCount()) === 40, { timeoutMs: 60_000, intervalMs: 200, what: '10 more tasks done' });
    expect(accounts.map((a) => emulator.loginCount(a.username))).toEqual(loginsBefore);
    expect(emulator.log.filter((e) => e.status === 401 || e.status === 429)).toEqual([]);
  }, 180_000);
});
