import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStatus, ActivityKind, ProxyStatus } from '../../src/db/schema.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * /api/logs, /api/stats and the accounts section of /api/health over rows written directly, so every expected
 * number below is computed from what the test inserted, not copied from the implementation.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;
const MIN = 60_000;
/** A 40-minute window (as ACCOUNT_BUDGET_WINDOW_MS compresses it) so the window and the last hour differ. */
const BUDGET = { windowMs: 40 * MIN, perWindow: 40, warmupPerWindow: 7, warmupDays: 2, dailyCap: 0 };
const DAY = 24 * 60 * MIN;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Accounts without a proxy count as usable here (ACCOUNT_DIRECT_CONNECTIONS=allow); the default is tested below.
  api = createTestApp(testDb, { accountBudget: BUDGET, directConnections: 'allow' });
});
afterAll(async () => testDb.drop());

// ---- fixture ----

interface ProxySeed {
  label: string;
  status: ProxyStatus;
  success: number;
  failure: number;
  latency: number | null;
}
interface AccountSeed {
  username: string;
  status: AccountStatus;
  proxy: string | null;
  warmupAgoMs: number;
  cooldownInMs?: number;
  lastUsedAgoMs?: number;
}
interface ActivitySeed {
  id?: number;
  account: string | null;
  kind: ActivityKind;
  outcome: string;
  ageMin: number;
  taskId: number | null;
}

const PROXIES: ProxySeed[] = [
  { label: 'http://10.0.0.1:8080', status: 'active', success: 90, failure: 10, latency: 120 },
  { label: 'socks5://10.0.0.2:1080', status: 'failed', success: 3, failure: 7, latency: null },
  { label: 'http://10.0.0.3:8080', status: 'active', success: 0, failure: 0, latency: 80 },
];
const ACCOUNTS: AccountSeed[] = [
  { username: 'alpha', status: 'active', proxy: PROXIES[0]!.label, warmupAgoMs: 10 * DAY, lastUsedAgoMs: 5 * MIN },
  { username: 'bravo', status: 'active', proxy: PROXIES[1]!.label, warmupAgoMs: 10 * DAY }, // its proxy failed
  { username: 'charlie', status: 'cooldown', proxy: null, warmupAgoMs: 0, cooldownInMs: 30 * MIN }, // still cooling
  { username: 'delta', status: 'cooldown', proxy: null, warmupAgoMs: 1 * DAY, cooldownInMs: -5 * MIN }, // cooldown over
  { username: 'echo', status: 'banned', proxy: null, warmupAgoMs: 5 * DAY },
];
/** Ages far from the 1 h and 24 h edges, so the few ms between insert and query cannot move a row across. */
const AGES = [3000, 1500, 1380, 600, 120, 70, 50, 30, 10, 2];
const OUTCOMES = ['ok', 'ok', 'rate_limited', 'ok', 'challenge', 'server_error', 'ok'];

function activitySeeds(): ActivitySeed[] {
  const rows: ActivitySeed[] = [];
  let i = 0;
  for (const ageMin of AGES) {
    for (const account of ['alpha', 'bravo', 'delta', null]) {
      i++;
      const kind: ActivityKind = i % 5 === 0 ? 'login' : i % 7 === 0 ? 'status' : 'request';
      rows.push({ account, kind, outcome: OUTCOMES[i % OUTCOMES.length]!, ageMin, taskId: i % 3 === 0 ? 100 + (i % 2) : null });
    }
  }
  return rows; // oldest first, so ids follow time as they do in production
}

let t0: number;
let accountIds: Map<string, number>;
let proxyIds: Map<string, number>;
let activity: ActivitySeed[];

async function seed(): Promise<void> {
  await sql`TRUNCATE activity_log, ig_accounts, proxies, scrape_tasks RESTART IDENTITY CASCADE`.execute(testDb.db);
  t0 = Date.now();
  const at = (offsetMs: number) => new Date(t0 + offsetMs);
  const proxies = await testDb.db
    .insertInto('proxies')
    .values(
      PROXIES.map((p) => ({
        url_encrypted: `ENC-URL-SECRET-${p.label}`,
        label: p.label,
        type: p.label.startsWith('socks5') ? ('socks5' as const) : ('http' as const),
        status: p.status,
        success_count: p.success,
        failure_count: p.failure,
        latency_ms: p.latency,
      })),
    )
    .returning(['id', 'label'])
    .execute();
  proxyIds = new Map(proxies.map((p) => [p.label, p.id]));
  const accounts = await testDb.db
    .insertInto('ig_accounts')
    .values(
      ACCOUNTS.map((a) => ({
        username: a.username,
        password_encrypted: `ENC-PASSWORD-SECRET-${a.username}`,
        session_encrypted: `ENC-SESSION-SECRET-${a.username}`,
        device_seed: `seed-${a.username}`,
        proxy_id: a.proxy ? proxyIds.get(a.proxy)! : null,
        status: a.status,
        cooldown_until: a.cooldownInMs === undefined ? null : at(a.cooldownInMs),
        warmup_started_at: at(-a.warmupAgoMs),
        last_used_at: a.lastUsedAgoMs === undefined ? null : at(-a.lastUsedAgoMs),
      })),
    )
    .returning(['id', 'username'])
    .execute();
  accountIds = new Map(accounts.map((a) => [a.username, a.id]));
  activity = activitySeeds();
  const inserted = await testDb.db
    .insertInto('activity_log')
    .values(
      activity.map((r) => ({
        account_id: r.account ? accountIds.get(r.account)! : null,
        proxy_id: r.account ? (proxyIds.get(ACCOUNTS.find((a) => a.username === r.account)!.proxy ?? '') ?? null) : null,
        task_id: r.taskId,
        kind: r.kind,
        action: r.kind === 'request' ? 'users/web_profile_info' : r.kind,
        outcome: r.outcome,
        http_status: r.outcome === 'ok' ? 200 : 429,
        duration_ms: 100,
        created_at: at(-r.ageMin * MIN),
      })),
    )
    .returning('id')
    .execute();
  inserted.forEach((row, index) => (activity[index]!.id = row.id));
}

beforeEach(seed);

const newestFirst = (rows: ActivitySeed[]) => rows.map((r) => r.id!).sort((a, b) => b - a);

// ---- /api/logs ----

describe('GET /api/logs', () => {
  it('lists rows newest first with the account username and proxy label, never a secret', async () => {
    const response = await api.call('GET', '/api/logs?limit=500');
    expect(response.status).toBe(200);
    expect(response.body.items.map((r: any) => r.id)).toEqual(newestFirst(activity));
    expect(response.body).toMatchObject({ limit: 500, offset: 0, has_more: false, next_before_id: null });
    const alphaRow = response.body.items.find((r: any) => r.account?.username === 'alpha');
    expect(alphaRow).toMatchObject({
      account: { id: accountIds.get('alpha'), username: 'alpha' },
      proxy: { id: proxyIds.get(PROXIES[0]!.label), label: PROXIES[0]!.label },
      action: expect.any(String),
      duration_ms: 100,
    });
    expect(response.body.items.find((r: any) => r.account === null).proxy).toBeNull();
    expect(response.text).not.toMatch(/SECRET/);
  });

  it('filters by account (id or username), outcome, kind, task and time', async () => {
    const ids = async (query: string) => {
      const response = await api.call('GET', `/api/logs?limit=500&${query}`);
      expect(response.status, `${query}: ${response.text}`).toBe(200);
      return response.body.items.map((r: any) => r.id);
    };
    const ageOf = (r: ActivitySeed) => r.ageMin;
    const iso = (minutesAgo: number) => new Date(t0 - minutesAgo * MIN).toISOString();

    const bravo = activity.filter((r) => r.account === 'bravo');
    expect(await ids('account=bravo')).toEqual(newestFirst(bravo));
    expect(await ids('account=%40BRAVO')).toEqual(newestFirst(bravo));
    expect(await ids(`account=${accountIds.get('bravo')}`)).toEqual(newestFirst(bravo));
    expect(await ids('outcome=rate_limited')).toEqual(newestFirst(activity.filter((r) => r.outcome === 'rate_limited')));
    expect(await ids('kind=login')).toEqual(newestFirst(activity.filter((r) => r.kind === 'login')));
    expect(await ids('task_id=101')).toEqual(newestFirst(activity.filter((r) => r.taskId === 101)));
    expect(await ids(`since=${iso(90)}`)).toEqual(newestFirst(activity.filter((r) => ageOf(r) < 90)));
    expect(await ids(`until=${iso(1400)}`)).toEqual(newestFirst(activity.filter((r) => ageOf(r) > 1400)));
    expect(await ids(`since=${iso(700)}&until=${iso(40)}&account=alpha&kind=request`)).toEqual(
      newestFirst(activity.filter((r) => r.ageMin < 700 && r.ageMin > 40 && r.account === 'alpha' && r.kind === 'request')),
    );
    // A date alone is midnight UTC; an offset is honoured.
    const midnight = new Date(t0).toISOString().slice(0, 10);
    expect(await ids(`since=${midnight}`)).toEqual(newestFirst(activity.filter((r) => t0 - r.ageMin * MIN >= Date.parse(midnight))));
    const plus5 = new Date(t0 - 90 * MIN + 5 * 60 * MIN).toISOString().replace('Z', '+05:00').replace(/\.\d+/, '');
    expect(await ids(`since=${encodeURIComponent(plus5)}`)).toEqual(newestFirst(activity.filter((r) => ageOf(r) < 90)));
  });

  it('pages with before_id to the end without gaps or repeats, and with a bounded offset', async () => {
    const seen: number[] = [];
    let path = '/api/logs?limit=7';
    for (let pages = 0; pages < 20; pages++) {
      const page = await api.call('GET', path);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((r: any) => r.id));
      if (!page.body.has_more) {
        expect(page.body.next_before_id).toBeNull();
        break;
      }
      expect(page.body.next_before_id).toBe(page.body.items.at(-1).id);
      path = `/api/logs?limit=7&before_id=${page.body.next_before_id}`;
    }
    expect(seen).toEqual(newestFirst(activity));

    const byOffset = await api.call('GET', '/api/logs?limit=5&offset=10&kind=request');
    expect(byOffset.body.items.map((r: any) => r.id)).toEqual(newestFirst(activity.filter((r) => r.kind === 'request')).slice(10, 15));
    expect((await api.call('GET', '/api/logs')).body.limit).toBe(100);
  });

  it.each([
    ['since=yesterday', /since: "yesterday" is not an ISO 8601 date/],
    ['until=2024-13-45', /until: "2024-13-45" is not an ISO 8601 date/],
    ['since=2024-05-01T12:00:00', /since: .* with a zone/],
    ['since=2024-05-02&until=2024-05-01', /until: must be later than since/],
    ['limit=0', /limit/],
    ['limit=501', /limit/],
    ['offset=10001', /offset/],
    ['kind=bogus', /kind/],
    ['outcome=OK!', /outcome: is a lower-case word/],
    ['task_id=abc', /task_id must be a number/],
    ['before_id=-3', /before_id must be positive/],
    ['colour=red', /unknown field.*"colour"/],
  ])('answers 400 with a message for %s', async (query, message) => {
    const response = await api.call('GET', `/api/logs?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('bad_request');
    expect(response.body.error.message).toMatch(message);
  });

  it('answers 404 for an account that does not exist', async () => {
    for (const account of ['nobody', '99999']) {
      const response = await api.call('GET', `/api/logs?account=${account}`);
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain(`account "${account}" does not exist`);
    }
  });
});

// ---- /api/stats ----

async function seedTasks(): Promise<{ type: string; status: string }[]> {
  const tasks = [
    ...Array.from({ length: 3 }, () => ({ type: 'full_scrape', status: 'pending' })),
    ...Array.from({ length: 2 }, () => ({ type: 'full_scrape', status: 'done' })),
    { type: 'full_scrape', status: 'running' },
    { type: 'discover', status: 'failed' },
    { type: 'discover', status: 'cancelled' },
    { type: 'followers', status: 'pending' },
  ];
  await testDb.db
    .insertInto('scrape_tasks')
    .values(
      tasks.map((t) => ({
        task_type: t.type,
        status: t.status as never,
        payload: '{}',
        run_at: new Date(),
        locked_by: t.status === 'running' ? 'w1' : null,
        locked_until: t.status === 'running' ? new Date(Date.now() + MIN) : null,
      })),
    )
    .execute();
  return tasks;
}

describe('GET /api/stats', () => {
  it('counts requests per account over the last hour and day, with budgets, warm-up and success rates', async () => {
    const response = await api.call('GET', '/api/stats');
    expect(response.status).toBe(200);
    expect(response.body.budget).toEqual({ window_ms: 40 * MIN, per_window: 40, warmup_per_window: 7, warmup_days: 2, daily_cap: 0 });
    expect(response.text).not.toMatch(/SECRET/);

    expect(response.body.accounts.total).toBe(ACCOUNTS.length);
    for (const status of ['active', 'cooldown', 'banned', 'login_required']) {
      expect(response.body.accounts.by_status[status]).toBe(ACCOUNTS.filter((a) => a.status === status).length);
    }
    for (const seedAccount of ACCOUNTS) {
      const requests = activity.filter((r) => r.account === seedAccount.username && r.kind === 'request');
      const inWindow = requests.filter((r) => r.ageMin < 40).length;
      const lastHour = requests.filter((r) => r.ageMin < 60).length;
      const lastDay = requests.filter((r) => r.ageMin < 24 * 60);
      const ok = lastDay.filter((r) => r.outcome === 'ok').length;
      const inWarmup = seedAccount.warmupAgoMs < BUDGET.warmupDays * DAY;
      const budget = inWarmup ? BUDGET.warmupPerWindow : BUDGET.perWindow;
      const row = response.body.accounts.items.find((a: any) => a.username === seedAccount.username);
      expect(row, seedAccount.username).toMatchObject({
        id: accountIds.get(seedAccount.username),
        status: seedAccount.status,
        proxy: seedAccount.proxy,
        in_warmup: inWarmup,
        budget_per_window: budget,
        budget_left: Math.max(0, budget - inWindow),
        requests_in_window: inWindow,
        requests_last_hour: lastHour,
        requests_last_24h: lastDay.length,
        ok_last_24h: ok,
      });
      if (lastDay.length === 0) expect(row.success_rate_24h).toBeNull();
      else expect(row.success_rate_24h).toBeCloseTo(ok / lastDay.length, 3);
    }
    // The fixture must exercise what it claims: some warm-up, some requests in both windows.
    expect(response.body.accounts.items.filter((a: any) => a.in_warmup).length).toBeGreaterThan(0);
    const alpha = response.body.accounts.items.find((a: any) => a.username === 'alpha');
    expect(alpha.requests_in_window).toBeGreaterThan(0);
    expect(response.body.accounts.items.some((a: any) => a.requests_last_hour > a.requests_in_window)).toBe(true);
  });

  it('caps what is left by the daily cap when one is set', async () => {
    const dailyCap = 4;
    const capped = createTestApp(testDb, { accountBudget: { ...BUDGET, dailyCap } });
    const response = await capped.call('GET', '/api/stats');
    for (const row of response.body.accounts.items) {
      const requests = activity.filter((r) => r.account === row.username && r.kind === 'request');
      const inWindow = requests.filter((r) => r.ageMin < 40).length;
      const lastDay = requests.filter((r) => r.ageMin < 24 * 60).length;
      expect(row.budget_left, row.username).toBe(Math.max(0, Math.min(row.budget_per_window - inWindow, dailyCap - lastDay)));
    }
    expect(response.body.accounts.items.find((a: any) => a.username === 'alpha').budget_left).toBe(0);
  });

  it('uses the SPEC budget defaults when the daemon passes none', async () => {
    const plain = createTestApp(testDb);
    const response = await plain.call('GET', '/api/stats');
    expect(response.body.budget).toEqual({ window_ms: 60 * MIN, per_window: 30, warmup_per_window: 10, warmup_days: 3, daily_cap: 0 });
    const budgets = Object.fromEntries(response.body.accounts.items.map((a: any) => [a.username, a.budget_per_window]));
    expect(budgets).toEqual(Object.fromEntries(ACCOUNTS.map((a) => [a.username, a.warmupAgoMs < 3 * DAY ? 10 : 30])));
  });

  it('reports proxies, requests by outcome and tasks by status and type', async () => {
    const tasks = await seedTasks();
    const response = await api.call('GET', '/api/stats');
    expect(response.status).toBe(200);

    expect(response.body.proxies.total).toBe(PROXIES.length);
    expect(response.body.proxies.by_status).toEqual({
      active: PROXIES.filter((p) => p.status === 'active').length,
      failed: PROXIES.filter((p) => p.status === 'failed').length,
      disabled: 0,
    });
    for (const p of PROXIES) {
      const row = response.body.proxies.items.find((x: any) => x.label === p.label);
      const user = ACCOUNTS.find((a) => a.proxy === p.label)?.username ?? null;
      expect(row).toMatchObject({
        status: p.status,
        success_count: p.success,
        failure_count: p.failure,
        latency_ms: p.latency,
        account: user,
      });
      const total = p.success + p.failure;
      expect(row.success_rate).toEqual(total === 0 ? null : p.success / total);
    }

    const requests = activity.filter((r) => r.kind === 'request');
    const byOutcome = (rows: ActivitySeed[]) => {
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      return counts;
    };
    const hour = requests.filter((r) => r.ageMin < 60);
    const day = requests.filter((r) => r.ageMin < 24 * 60);
    expect(response.body.requests.last_hour).toEqual({ total: hour.length, by_outcome: byOutcome(hour) });
    expect(response.body.requests.last_24h).toEqual({ total: day.length, by_outcome: byOutcome(day) });

    for (const status of ['pending', 'running', 'waiting_batch', 'done', 'failed', 'cancelled']) {
      expect(response.body.tasks.by_status[status], status).toBe(tasks.filter((t) => t.status === status).length);
    }
    const byType: Record<string, Record<string, number>> = {};
    for (const t of tasks) (byType[t.type] ??= {})[t.status] = (byType[t.type]![t.status] ?? 0) + 1;
    expect(response.body.tasks.by_type).toEqual(byType);
  });
});

// ---- /api/health accounts, auth, OpenAPI ----

describe('GET /api/health accounts', () => {
  it('is ok and lists usable accounts: active with a working proxy, or a cooldown that is over', async () => {
    const response = await api.call('GET', '/api/health', undefined, { authorization: '' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    // delta (never used) before alpha: least recently used first. bravo's proxy failed; charlie still cools down.
    expect(response.body.accounts).toMatchObject({ total: ACCOUNTS.length, usable: 2, usable_usernames: ['delta', 'alpha'] });
    expect(response.body.accounts.by_status).toMatchObject({ active: 2, cooldown: 2, banned: 1, challenge: 0 });
    // And why the other three cannot take work (issue 15).
    expect(response.body.accounts.unusable).toEqual({ banned: 1, cooldown: 1, proxy_failed: 1 });
  });

  it('is degraded (still 200) when no account is usable, and ok again once one is', async () => {
    await testDb.db.updateTable('ig_accounts').set({ status: 'login_required' }).where('username', '=', 'delta').execute();
    await testDb.db.updateTable('proxies').set({ status: 'disabled' }).where('label', '=', PROXIES[0]!.label).execute();
    const degraded = await api.call('GET', '/api/health');
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', database: { ok: true }, accounts: { usable: 0, usable_usernames: [] } });

    await testDb.db.updateTable('proxies').set({ status: 'active' }).where('label', '=', PROXIES[1]!.label).execute();
    const ok = await api.call('GET', '/api/health');
    expect(ok.body).toMatchObject({ status: 'ok', accounts: { usable: 1, usable_usernames: ['bravo'] } });
  });

  it('does not count an account without a proxy as usable while proxies exist, by default (issue 15)', async () => {
    const auto = createTestApp(testDb, { accountBudget: BUDGET });
    const response = await auto.call('GET', '/api/health');
    // delta (no proxy, cooldown over) is left out; alpha (active proxy) stays.
    expect(response.body.accounts).toMatchObject({ usable: 1, usable_usernames: ['alpha'] });
    expect(response.body.accounts.unusable).toMatchObject({ no_route: 1 });
    const stats = await auto.call('GET', '/api/stats');
    const reasons = Object.fromEntries(stats.body.accounts.items.map((a: any) => [a.username, a.unusable_reason]));
    expect(reasons).toEqual({ alpha: null, bravo: 'proxy_failed', charlie: 'cooldown', delta: 'no_route', echo: 'banned' });
    await testDb.db
      .updateTable('ig_accounts')
      .set({ leased_by: 'w:task:1', leased_until: new Date(Date.now() + 60_000) })
      .where('username', '=', 'alpha')
      .execute();
    const leased = await auto.call('GET', '/api/stats');
    expect(leased.body.accounts.items.find((a: any) => a.username === 'alpha').unusable_reason).toBe('in_use');
  });

  it('keeps not_ready (503) for draining over degraded', async () => {
    await sql`UPDATE ig_accounts SET status = 'banned'`.execute(testDb.db);
    const draining = createTestApp(testDb, { ready: () => false });
    const response = await draining.call('GET', '/api/health');
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('not_ready');
  });

  it('names at most 50 usable accounts but counts them all', async () => {
    await testDb.db
      .insertInto('ig_accounts')
      .values(Array.from({ length: 60 }, (_, i) => ({ username: `bulk_${i}`, password_encrypted: 'x', device_seed: `s${i}` })))
      .execute();
    const response = await api.call('GET', '/api/health');
    expect(response.body.accounts.usable).toBe(62);
    expect(response.body.accounts.usable_usernames).toHaveLength(50);
  });
});

describe('auth and documentation', () => {
  it('refuses /api/logs and /api/stats without the key, and documents them', async () => {
    for (const path of ['/api/logs', '/api/stats']) {
      const response = await api.call('GET', path, undefined, { authorization: '' });
      expect(response.status, path).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
    }
    const doc = await api.call('GET', '/openapi.json', undefined, { authorization: '' });
    expect(doc.body.paths['/api/logs'].get).toBeDefined();
    expect(doc.body.paths['/api/stats'].get).toBeDefined();
    expect(doc.body.components.schemas.Health.properties.status.enum).toEqual(['ok', 'degraded', 'not_ready']);
  });
});
