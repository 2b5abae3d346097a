import { sql, type Kysely } from 'kysely';
import type { InstagramEmulator, LogEntry } from '../../emulator/instagram/index.js';
import type { ScrapingAccount } from '../../emulator/world/index.js';
import type { Database, TaskStatus } from '../../src/db/schema.js';
import type { WorkerProcess } from '../helpers/processes.js';

export { Daemons } from '../helpers/processes.js';

/**
 * Shared pieces of the fault tests (test/faults/*.test.ts): real daemon processes (test/fixtures/worker-process.ts
 * with WORKER_TASKS=production, i.e. the daemon's own registry) configured like an operator would, against the
 * Instagram emulator, and the checks that read the outcome from Postgres and from the emulator's request log.
 */
export const API_KEY = 'faults-test-api-key-0123456789abcdef';

export function okAccounts(emulator: InstagramEmulator): ScrapingAccount[] {
  return emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok');
}

/** The environment of a daemon on `databaseUrl` with the emulator's proxies and the accounts that can log in. */
export function daemonEnv(emulator: InstagramEmulator, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const accounts = okAccounts(emulator).slice(0, emulator.proxyUrls.length);
  return {
    DATABASE_URL: databaseUrl,
    SCRAPER_API_KEY: API_KEY,
    ENCRYPTION_KEY: 'fa'.repeat(32),
    WORKER_TASKS: 'production',
    IG_PROXIES: emulator.proxyUrls.join('\n'),
    IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
    ACCOUNT_WARMUP_DAYS: '0',
    QUEUE_POLL_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export async function api(worker: WorkerProcess, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${worker.port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

/** POST /api/tasks/scrape in one request (the API takes up to 1,000 usernames); returns the task ids. */
export async function requestScrapes(worker: WorkerProcess, usernames: readonly string[]): Promise<number[]> {
  const response = await api(worker, '/api/tasks/scrape', { usernames });
  if (response.status !== 202) throw new Error(`scrape request answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { tasks: { id: number }[] }).tasks.map((t) => t.id);
}

export interface TaskRow {
  id: number;
  task_type: string;
  status: TaskStatus;
  attempts: number;
  error_message: string | null;
  result: Record<string, unknown> | null;
  progress: Record<string, unknown> | null;
  payload: Record<string, unknown>;
}

export async function tasks(db: Kysely<Database>, types: readonly string[]): Promise<TaskRow[]> {
  return (await db
    .selectFrom('scrape_tasks')
    .select(['id', 'task_type', 'status', 'attempts', 'error_message', 'result', 'progress', 'payload'])
    .where('task_type', 'in', [...types])
    .orderBy('id')
    .execute()) as TaskRow[];
}

export async function countByStatus(db: Kysely<Database>, type: string): Promise<Partial<Record<TaskStatus, number>>> {
  const rows = await sql<{ status: TaskStatus; n: number }>`
    SELECT status, count(*)::int AS n FROM scrape_tasks WHERE task_type = ${type} GROUP BY status`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.status, r.n]));
}

export const finished = (status: TaskStatus) => status === 'done' || status === 'failed' || status === 'cancelled';

/** Posts stored twice for one blog (the table's unique key should make this impossible): [] when clean. */
export async function duplicatePosts(db: Kysely<Database>): Promise<Array<{ blog_id: number; platform_id: string; n: number }>> {
  const rows = await sql<{ blog_id: number; platform_id: string; n: number }>`
    SELECT blog_id, platform_id, count(*)::int AS n FROM blog_posts GROUP BY blog_id, platform_id HAVING count(*) > 1`.execute(db);
  return rows.rows;
}

/** The most requests one account made inside any sliding window of `windowMs`, per the emulator's log. */
export function busiestWindow(entries: readonly LogEntry[], username: string, windowMs: number): number {
  return busiestWindowEntries(entries, username, windowMs).length;
}

/** The requests of that busiest window (for a failure message that shows what happened). */
export function busiestWindowEntries(entries: readonly LogEntry[], username: string, windowMs: number): LogEntry[] {
  const mine = entries.filter((e) => e.username === username).sort((a, b) => a.wallStartedAt - b.wallStartedAt);
  let best: LogEntry[] = [];
  for (let i = 0, j = 0; i < mine.length; i++) {
    while (mine[i]!.wallStartedAt - mine[j]!.wallStartedAt >= windowMs) j++;
    if (i - j + 1 > best.length) best = mine.slice(j, i + 1);
  }
  return best;
}

/** One line per request: time since the first, route, status, injected fault. */
export function describeEntries(entries: readonly LogEntry[]): string {
  const t0 = entries[0]?.wallStartedAt ?? 0;
  return entries
    .map(
      (e) =>
        `+${e.wallStartedAt - t0}ms..${(e.wallEndedAt ?? NaN) - t0} ${e.method} ${e.route} → ${e.status}${e.fault ? ` [${e.fault}]` : ''} proxy ${e.proxyId}`,
    )
    .join('\n');
}

/**
 * The emulator-log key of a request about one profile: the same path and cursor twice means the same data was asked
 * for twice. `feed/reels_media` is a POST whose user is in the signed body, so it cannot be told apart by path.
 */
export function requestKey(entry: LogEntry): string | undefined {
  if (
    entry.route.startsWith('accounts/') ||
    entry.route.includes('reels_media') ||
    entry.route.includes('qe/') ||
    entry.route.includes('launcher/')
  ) {
    return undefined;
  }
  return `${entry.method} ${entry.path}${entry.maxId ? `?max_id=${entry.maxId}` : ''}`;
}

export const isAlive = (worker: WorkerProcess) => worker.child.exitCode === null && worker.child.signalCode === null;

export async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}
