import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type FaultSpec, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  api,
  busiestWindow,
  busiestWindowEntries,
  Daemons,
  describeEntries,
  daemonEnv,
  duplicatePosts,
  finished,
  okAccounts,
  requestScrapes,
  tasks,
} from './helpers.js';

/**
 * Fault 3 — emulator chaos. Every data request (profiles, feeds, highlights, lists) meets a seeded random fault about
 * a fifth of the time — 429, challenge_required, login_required, 5xx, a connection cut mid-answer or reset — and some
 * CONNECTs to the proxies are refused or answered 502. Instagram's own budget is on as well (the emulator answers a rate limit
 * past it), at the same numbers the daemon is given. Every task must end done or failed with a clear reason, the
 * budget must never be exceeded (no un-injected rate limit, no window over budget in the emulator's log), and no account may
 * serve two tasks at once.
 */
const SCRAPES = 60;
const BUDGET = 15;
const WINDOW_MS = 3_000;
const DATA_ROUTES = ['users/', 'feed/', 'highlights/', 'friendships/'];
/** Per data route; drawn one after the other, so a request meets some fault with probability ≈ 1 − Π(1 − p) ≈ 18 %. */
const CHAOS: FaultSpec[] = [
  { kind: 'rate_limit', probability: 0.04 },
  { kind: 'challenge', probability: 0.03 },
  { kind: 'login_required', probability: 0.04 },
  { kind: 'server_error', status: 502, probability: 0.04 },
  { kind: 'drop', probability: 0.025 },
  { kind: 'reset', probability: 0.025 },
];
/** At CONNECT, for every request, logins included: the proxy itself failing (~3 %). */
const PROXY_CHAOS: FaultSpec[] = [
  { kind: 'refuse', probability: 0.02 },
  { kind: 'connect_error', probability: 0.01 },
];

let testDb: TestDatabase;
let emulator: InstagramEmulator;
const daemons = new Daemons();

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  emulator = await startInstagramEmulator({ seed: 23, proxies: 10, world: { creators: SCRAPES + 5, accounts: 13 } });
  emulator.setRateLimit({ maxRequests: BUDGET, windowMs: WINDOW_MS });
});
afterEach(() => daemons.killAll());
afterAll(async () => {
  await emulator.close();
  await testDb.drop();
});

describe('emulator chaos at ~20 %', () => {
  it('every task ends done or failed with a reason; no budget violation; no account shared', async () => {
    for (const route of DATA_ROUTES) for (const spec of CHAOS) emulator.setGlobalFault({ ...spec, route });
    for (const spec of PROXY_CHAOS) emulator.setGlobalFault(spec);
    const started = Date.now();
    const daemon = await daemons.start(
      daemonEnv(emulator, testDb.url, {
        WORKER_NAME: 'chaos',
        WORKER_CONCURRENCY: '4',
        TASK_LEASE_MS: '5000',
        ACCOUNT_LEASE_MS: '5000',
        ACCOUNT_REQUESTS_PER_HOUR: String(BUDGET),
        ACCOUNT_BUDGET_WINDOW_MS: String(WINDOW_MS),
        ACCOUNT_REQUEST_DELAY_MIN_MS: '20',
        ACCOUNT_REQUEST_DELAY_MAX_MS: '40',
        // Compressed time: cooldowns and retries in seconds, so the run ends.
        COOLDOWN_RATE_LIMIT_MS: '1500',
        COOLDOWN_CHALLENGE_MS: '2000',
        COOLDOWN_FEEDBACK_MS: '2000',
        TASK_RETRY_BASE_MS: '300',
        TASK_RETRY_FACTOR: '2',
        INSTAGRAM_REQUEST_TIMEOUT_MS: '5000',
        SCHEDULER_ENABLED: 'false',
      }),
    );
    const target = emulator.world.followersAccount;
    const usernames = emulator.world.creators
      .filter((c) => c.pk !== target.pk)
      .slice(0, SCRAPES)
      .map((c) => c.username);
    // One profile Instagram never serves (503 on every try): its task must fail after its attempts, saying why.
    const unlucky = usernames[7]!;
    emulator.setGlobalFault({ kind: 'server_error', status: 503, route: `/users/${unlucky}/` });
    await requestScrapes(daemon, usernames);
    expect((await api(daemon, '/api/tasks/followers', { username: target.username, kind: 'followers' })).status).toBe(202);

    await waitFor(async () => (await tasks(testDb.db, ['full_scrape', 'followers'])).every((t) => finished(t.status)), {
      timeoutMs: 180_000,
      intervalMs: 250,
      what: 'every task done or failed',
    });
    const tookMs = Date.now() - started;

    // Every task ended, done with a result or failed with a reason that says what went wrong.
    const end = await tasks(testDb.db, ['full_scrape', 'followers']);
    expect(end).toHaveLength(SCRAPES + 1);
    for (const t of end) {
      expect(['done', 'failed'], `task ${t.id}`).toContain(t.status);
      if (t.status === 'done') expect(t.result, `task ${t.id}`).not.toBeNull();
      else expect(t.error_message ?? '', `task ${t.id}`).toMatch(/^Instagram .{10,}/);
    }
    const unluckyTask = end.find((t) => t.payload['username'] === unlucky)!;
    expect(unluckyTask).toMatchObject({ status: 'failed', attempts: 3 });
    expect(unluckyTask.error_message).toMatch(/^Instagram usernameinfo failed on 3 accounts: .*HTTP 503/);
    const done = end.filter((t) => t.status === 'done');
    expect(done.length).toBeGreaterThanOrEqual(SCRAPES * 0.8); // chaos costs retries, not most of the work
    expect(await duplicatePosts(testDb.db)).toEqual([]);

    // Chaos really happened, at about the intended rate.
    const data = emulator.log.filter((e) => DATA_ROUTES.some((r) => e.path.includes(r)) && !e.path.includes(`/users/${unlucky}/`));
    const injected = data.filter((e) => e.fault !== null);
    const byKind: Record<string, number> = {};
    for (const e of injected) byKind[e.fault!] = (byKind[e.fault!] ?? 0) + 1;
    for (const spec of CHAOS) expect(byKind[spec.kind] ?? 0, spec.kind).toBeGreaterThan(0);
    expect(injected.length / data.length).toBeGreaterThan(0.1);
    expect(injected.length / data.length).toBeLessThan(0.3);
    const refused = Object.values(emulator.counters().byProxy).reduce((n, p) => n + p.refused, 0);
    expect(refused).toBeGreaterThan(0);

    // Zero budget violations: every 429 in the log was injected, and no account exceeded its window.
    // (A rate limit answers 401 with require_login today, 429 in older captures.)
    const budget429 = emulator.log.filter((e) => (e.status === 401 || e.status === 429) && e.fault === null);
    expect(budget429).toEqual([]);
    const accounts = okAccounts(emulator).slice(0, emulator.proxyUrls.length);
    const busiest = accounts.map((a) => busiestWindow(emulator.log, a.username, WINDOW_MS));
    for (const [i, a] of accounts.entries()) {
      const window = () => describeEntries(busiestWindowEntries(emulator.log, a.username, WINDOW_MS));
      expect(busiest[i], `${a.username}'s busiest ${WINDOW_MS} ms:\n${busiest[i]! > BUDGET ? window() : ''}`).toBeLessThanOrEqual(BUDGET);
    }
    // No account served two requests (hence two tasks) at once.
    expect(emulator.overlappingRequests()).toEqual([]);

    const statuses = await testDb.db.selectFrom('ig_accounts').select(['username', 'status']).execute();
    const failedReasons = end.filter((t) => t.status === 'failed').map((t) => t.error_message!.slice(0, 120));
    console.info(
      `[faults] chaos: ${done.length}/${end.length} done, ${end.length - done.length} failed in ${Math.round(tookMs / 100) / 10} s; ` +
        `${data.length} data requests, ${injected.length} injected faults (${Math.round((injected.length / data.length) * 1000) / 10} %) ` +
        `${JSON.stringify(byKind)}, ${refused} CONNECTs refused/502; 0 budget rate limits; busiest window per account ${Math.max(...busiest)}/${BUDGET}; ` +
        `accounts ${JSON.stringify(statuses.map((s) => s.status))}; attempts ${JSON.stringify(countAttempts(end))}` +
        (failedReasons.length ? `; failed: ${JSON.stringify(failedReasons)}` : ''),
    );
  }, 240_000);
});

function countAttempts(rows: ReadonlyArray<{ attempts: number }>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of rows) out[r.attempts] = (out[r.attempts] ?? 0) + 1;
  return out;
}
