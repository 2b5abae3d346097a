import type { LogEntry } from '../../emulator/instagram/log.js';
import type { WorldOptionsInput } from '../../emulator/world/index.js';
import type { AccountPool } from '../../src/accounts/pool.js';
import { createLogger } from '../../src/logger.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { TaskRunner } from '../../src/queue/runner.js';
import type { Task } from '../../src/queue/task.js';
import { discoverHandler } from '../../src/scraping/discover.js';
import { fullScrapeHandler } from '../../src/scraping/full-scrape.js';
import { DEFAULT_SCRAPING_SETTINGS, type ScrapingSettings } from '../../src/scraping/settings.js';
import { waitFor } from '../../src/util/wait.js';
import type { TestDatabase } from '../helpers/db.js';
import { createPoolFixture, startPoolRunner, type PoolFixture } from '../helpers/pool.js';

/**
 * The real runner and pool over the emulator, with the scraping handlers the daemon registers (src/tasks/registry.ts)
 * and no ai_analysis handler, so the AI tasks a scrape creates stay pending where the test can count them. Budget
 * and pacing are relaxed so several accounts scrape dozens of profiles in seconds.
 */
export interface ScrapeHarness {
  fx: PoolFixture;
  runner: TaskRunner;
  stop(): Promise<void>;
}

export const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });

export function scrapingRegistry(
  pool: AccountPool,
  settings: ScrapingSettings = DEFAULT_SCRAPING_SETTINGS,
  types = ['full_scrape', 'discover'],
) {
  const registry = new TaskRegistry();
  if (types.includes('full_scrape'))
    registry.register({ type: 'full_scrape', needsAccount: true, handler: fullScrapeHandler(pool, settings) });
  if (types.includes('discover')) registry.register({ type: 'discover', needsAccount: true, handler: discoverHandler(pool, settings) });
  return registry;
}

export async function startHarness(
  testDb: TestDatabase,
  options: { accounts: number; types?: string[]; world?: WorldOptionsInput },
): Promise<ScrapeHarness> {
  const fx = await createPoolFixture(testDb, {
    world: options.world,
    accounts: options.accounts,
    proxies: options.accounts,
    settings: {
      budget: { windowMs: 60_000, perWindow: 10_000, warmupPerWindow: 10_000, warmupDays: 0, dailyCap: 0, delayMinMs: 1, delayMaxMs: 3 },
    },
  });
  const registry = scrapingRegistry(fx.pool, DEFAULT_SCRAPING_SETTINGS, options.types);
  // A retry comes back after 50 ms instead of 5 min: the resume tests wait for it.
  const { runner, stop } = startPoolRunner(
    testDb,
    fx.pool,
    registry,
    {
      concurrency: options.accounts,
      pollIntervalMs: 200,
      backoffBaseMs: 50,
      backoffFactor: 1,
    },
    silent,
  );
  return {
    fx,
    runner,
    stop: async () => {
      await stop();
      await fx.close();
    },
  };
}

export async function waitForTasks(testDb: TestDatabase, ids: number[], timeoutMs = 30_000): Promise<Task[]> {
  let rows: Task[] = [];
  await waitFor(
    async () => {
      rows = await testDb.db.selectFrom('scrape_tasks').selectAll().where('id', 'in', ids).orderBy('id').execute();
      return rows.every((t) => t.status === 'done' || t.status === 'failed');
    },
    { timeoutMs, intervalMs: 25, what: `${ids.length} tasks finished` },
  );
  // In the order asked for (a request's tasks are created in username order, so ids need not follow it).
  return ids.map((id) => rows.find((t) => t.id === id)!);
}

const AUTH_ROUTES = new Set([
  'qe/sync',
  'launcher/sync',
  'accounts/login',
  'accounts/two_factor_login',
  'accounts/current_user',
  'accounts/logout',
]);
const PROFILE_ROUTES = new Set(['users/{username}/usernameinfo', 'users/{pk}/info']);

/**
 * The emulator's data requests per scraped profile. An account serves one task at a time (it is leased), and a
 * full_scrape starts with the profile request, so each account's requests, cut at every profile request, are the
 * profiles' requests. `profile` is the profile request's path segment (username, or pk on a re-scrape).
 */
export function requestsPerProfile(log: readonly LogEntry[]): Array<{ profile: string; entries: LogEntry[] }> {
  const byAccount = new Map<string, LogEntry[]>();
  for (const entry of log) {
    if (AUTH_ROUTES.has(entry.route) || !entry.username) continue;
    byAccount.set(entry.username, [...(byAccount.get(entry.username) ?? []), entry]);
  }
  const profiles: Array<{ profile: string; entries: LogEntry[] }> = [];
  for (const entries of byAccount.values()) {
    let current: { profile: string; entries: LogEntry[] } | undefined;
    for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
      if (PROFILE_ROUTES.has(entry.route)) profiles.push((current = { profile: entry.path.split('/')[4]!, entries: [] }));
      current?.entries.push(entry);
    }
  }
  return profiles;
}
