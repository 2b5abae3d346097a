import { randomBytes } from 'node:crypto';
import { AccountPool } from '../../src/accounts/pool.js';
import type { TaskRegistry } from '../../src/queue/registry.js';
import type { RunnerOptions, TaskRunner } from '../../src/queue/runner.js';
import { wireAccountAwareRunner } from '../../src/tasks/wiring.js';
import type { PoolSettings } from '../../src/accounts/settings.js';
import type { AlertEvent, Alerter } from '../../src/alerts/alerter.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { createLogger } from '../../src/logger.js';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import type { WorldOptionsInput } from '../../emulator/world/index.js';
import type { TestDatabase } from './db.js';

/** Collects alerts in memory, so tests assert what an admin would have been told. */
export class RecordingAlerter implements Alerter {
  readonly events: AlertEvent[] = [];
  alert(event: AlertEvent): void {
    this.events.push(event);
  }
  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }
}

/** Fast settings: the SPEC's rules, with time compressed so a test runs in seconds. */
export const fastSettings = (overrides: Partial<PoolSettings> = {}): PoolSettings => ({
  budget: { windowMs: 60_000, perWindow: 30, warmupPerWindow: 30, warmupDays: 0, dailyCap: 0, delayMinMs: 5, delayMaxMs: 15 },
  leaseMs: 30_000,
  accountWaitMs: 1_000,
  triesPerRequest: 3,
  cooldownRateLimitMs: 45 * 60_000,
  cooldownChallengeMs: 90 * 60_000,
  cooldownFeedbackMs: 6 * 3_600_000,
  challengesBeforeHuman: 2,
  proxyFailuresBeforeFailed: 3,
  directConnections: 'auto',
  cooldownRouteFailureMs: 60_000,
  cooldownRouteFailureMaxMs: 3_600_000,
  proxyCheckTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  sessionValidateIntervalMs: 60_000,
  ...overrides,
});

export interface PoolFixture {
  emulator: InstagramEmulator;
  pool: AccountPool;
  box: SecretBox;
  alerts: RecordingAlerter;
  /** Account ids by username, in the order created. */
  accounts: { id: number; username: string; password: string; proxyId: number | null }[];
  proxyIds: number[];
  newPool(settings?: Partial<PoolSettings>): AccountPool;
  close(): Promise<void>;
}

/**
 * An emulator with `proxies` proxy ports, the first `accounts` scraping accounts of its world stored in the
 * database (encrypted, one proxy each while proxies last; extra proxies are spares), and a pool over them.
 */
export async function createPoolFixture(
  testDb: TestDatabase,
  options: { accounts: number; proxies: number; settings?: Partial<PoolSettings>; usernames?: string[]; world?: WorldOptionsInput },
): Promise<PoolFixture> {
  // The world's last three accounts fail their logins on purpose; make room for the ones asked for.
  const worldAccounts = Math.max(8, options.accounts + 3);
  const emulator = await startInstagramEmulator({
    seed: 11,
    proxies: options.proxies,
    world: { ...options.world, accounts: worldAccounts },
  });
  const box = SecretBox.fromString(randomBytes(32).toString('hex'));
  const alerts = new RecordingAlerter();
  const logger = createLogger({ level: 'silent', format: 'json' });
  const proxyIds: number[] = [];
  for (const [index, url] of emulator.proxyUrls.entries()) {
    const row = await testDb.db
      .insertInto('proxies')
      .values({ url_encrypted: box.encrypt(url), label: url, type: 'http' })
      .returning('id')
      .executeTakeFirstOrThrow();
    proxyIds[index] = row.id;
  }
  const chosen = options.usernames
    ? options.usernames.map((u) => emulator.world.accounts.find((a) => a.username === u)!)
    : emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, options.accounts);
  if (chosen.length < options.accounts) throw new Error(`the emulator world has only ${chosen.length} working accounts`);
  const accounts = [];
  for (const [index, account] of chosen.entries()) {
    const proxyId = proxyIds[index] ?? null;
    const row = await testDb.db
      .insertInto('ig_accounts')
      .values({
        username: account.username,
        password_encrypted: box.encrypt(account.password),
        device_seed_encrypted: box.encrypt(`seed-${account.username}`),
        proxy_id: proxyId,
        warmup_started_at: new Date(Date.now() - 30 * 86_400_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    accounts.push({ id: row.id, username: account.username, password: account.password, proxyId });
  }
  const newPool = (settings: Partial<PoolSettings> = {}) =>
    new AccountPool({
      db: testDb.db,
      box,
      logger,
      alerter: alerts,
      settings: fastSettings({ ...options.settings, ...settings }),
      workerId: 'test-worker',
    });
  return { emulator, pool: newPool(), box, alerts, accounts, proxyIds, newPool, close: () => emulator.close() };
}

/** A runner wired to the pool as the daemon wires it: account-aware claims, and LISTEN to wake it. */
export function startPoolRunner(
  testDb: TestDatabase,
  pool: AccountPool,
  registry: TaskRegistry,
  options: Partial<RunnerOptions> = {},
  logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' }),
): { runner: TaskRunner; stop(): Promise<void> } {
  const runnerOptions = {
    workerId: 'w',
    concurrency: 2,
    pollIntervalMs: 30_000,
    leaseMs: 10_000,
    backoffBaseMs: 300_000,
    backoffFactor: 3,
    ...options,
  };
  // The daemon's wiring (src/tasks/wiring.ts): NOTIFY (new tasks, a released account) wakes the runner and makes the
  // plan ask again; the poll is only a fallback.
  const { runner, listener, start } = wireAccountAwareRunner({
    db: testDb.db,
    registry,
    availability: (types) => pool.availability(types),
    accountsChanged: () => pool.accountsChanged(),
    connectionString: testDb.url,
    options: runnerOptions,
    logger,
  });
  start();
  return {
    runner,
    stop: async () => {
      await listener.stop();
      await runner.stop(0);
    },
  };
}
