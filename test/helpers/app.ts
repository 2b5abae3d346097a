import type { AccountOperations } from '../../src/accounts/operations.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { LogTail } from '../../src/observability/log-tail.js';
import type { Metrics } from '../../src/observability/metrics.js';
import type { AccountBudget } from '../../src/observability/stats.js';
import type { TestDatabase } from './db.js';

export const TEST_API_KEY = 'test-key-0123456789abcdef0123456789';

/** One key per test run: tests decrypt raw rows with it to check encryption at rest. */
export const TEST_SECRET_BOX = SecretBox.fromString(SecretBox.generateKey());

/** Test-only stand-in for the live pool: answers ok without touching Instagram (the pool is tested against the emulator). */
export const stubAccountOps: AccountOperations = {
  login: async () => ({ ok: true, outcome: 'ok', message: 'logged in (stub)', durationMs: 1 }),
  check: async () => ({ ok: true, outcome: 'ok', message: 'session valid (stub)', durationMs: 1 }),
  checkProxy: async () => ({ ok: true, outcome: 'ok', message: 'proxy reachable (stub)', durationMs: 1 }),
};

/** The real app on a test database, called in-process (app.request). */
export function createTestApp(
  testDb: TestDatabase,
  overrides: {
    ready?: () => boolean;
    bodyLimitBytes?: number;
    accountBudget?: AccountBudget;
    accountOps?: AccountOperations;
    metrics?: Metrics;
    directConnections?: 'auto' | 'allow' | 'deny';
    exportBatchSize?: number;
    healthSettledCountsTtlMs?: number;
    healthCountsTtlMs?: number;
    webhooks?: AppDeps['webhooks'];
    logTail?: LogTail;
    logStream?: { pollMs?: number; heartbeatMs?: number };
    logger?: Logger;
    /** Any other dependency, as the daemon would pass it (console settings, …). */
    deps?: Partial<AppDeps>;
  } = {},
) {
  const app = createApp({
    db: testDb.db,
    logger: overrides.logger ?? createLogger({ level: 'silent', format: 'json' }),
    apiKey: TEST_API_KEY,
    bodyLimitBytes: overrides.bodyLimitBytes ?? 1_000_000,
    maxAttempts: 3,
    isReady: overrides.ready ?? (() => true),
    version: 'test',
    accountBudget: overrides.accountBudget,
    secretBox: TEST_SECRET_BOX,
    accountOps: overrides.accountOps ?? stubAccountOps,
    metrics: overrides.metrics,
    directConnections: overrides.directConnections,
    exportBatchSize: overrides.exportBatchSize,
    // Tests read their own writes: every probe counts again unless a test asks for the daemon's caching.
    healthSettledCountsTtlMs: overrides.healthSettledCountsTtlMs ?? 0,
    healthCountsTtlMs: overrides.healthCountsTtlMs ?? 0,
    webhooks: overrides.webhooks,
    logTail: overrides.logTail,
    logStream: overrides.logStream,
    ...overrides.deps,
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${TEST_API_KEY}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await app.request(path, init);
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, body: json, text, headers: response.headers };
  };
  return { app, call };
}
