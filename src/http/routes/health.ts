import { createRoute, z } from '@hono/zod-openapi';
import { pingDatabase } from '../../db/ping.js';
import { countLiveTasks, countSettledTasks } from '../../queue/read.js';
import { refreshingValue } from '../../util/refreshing-value.js';
import { accountHealth } from '../../observability/account-health.js';
import type { AppDeps } from '../context.js';
import { AccountHealthSchema, MAX_USABLE_USERNAMES } from '../observability-schemas.js';
import { createRouter } from './route-kit.js';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'not_ready']).openapi({
      description:
        'ok: serving and working; degraded (still 200): serving and queueing, but no account is usable, so Instagram ' +
        'work waits; not_ready (503): database down or shutting down',
    }),
    version: z.string(),
    uptime_s: z.number(),
    database: z.object({ ok: z.boolean(), latency_ms: z.number().nullable(), error: z.string().optional() }),
    tasks: z.record(z.string(), z.number().int()).nullable().openapi({ description: 'Tasks by status' }),
    accounts: AccountHealthSchema.nullable().openapi({
      description: 'Instagram accounts by status and the usable ones; null when unknown',
    }),
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/api/health',
  summary: 'Readiness: database reachable, tasks and accounts by status, usable accounts (no auth; 503 when not ready)',
  responses: {
    200: { content: { 'application/json': { schema: HealthSchema } }, description: 'Ready (ok, or degraded when no account is usable)' },
    503: { content: { 'application/json': { schema: HealthSchema } }, description: 'Not ready' },
  },
});

const live = createRoute({
  method: 'get',
  path: '/api/health/live',
  summary: 'Liveness: the process and its event loop answer (no auth, no database)',
  responses: {
    200: { content: { 'application/json': { schema: z.object({ status: z.literal('alive') }) } }, description: 'Alive' },
    503: {
      content: { 'application/json': { schema: z.object({ status: z.literal('unhealthy'), reason: z.string() }) } },
      description: 'The process cannot recover by itself (its embedded Postgres keeps failing to restart): restart it',
    },
  },
});

const DB_CHECK_TIMEOUT_MS = 2_000;
/** A count of a million settled rows under load takes about a second; it runs in the background. */
const SETTLED_COUNT_TIMEOUT_MS = 30_000;

export function healthRoutes(deps: AppDeps) {
  const app = createRouter();
  const startedAt = Date.now();
  const sources = probeSources(deps);

  app.openapi(health, async (c) => {
    const database = await checkDatabase(deps);
    const [tasks, accounts] = database.ok
      ? await Promise.all([sources.tasks().catch(() => null), sources.accounts().catch(() => null)])
      : [null, null];
    const ready = database.ok && deps.isReady();
    // Degraded is still ready: the API serves and queues; only Instagram work waits for an account.
    const status = !ready ? ('not_ready' as const) : accounts && accounts.usable === 0 ? ('degraded' as const) : ('ok' as const);
    const body = {
      status,
      version: deps.version,
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      database,
      tasks,
      accounts,
    };
    return ready ? c.json(body, 200) : c.json(body, 503);
  });

  app.openapi(live, (c) =>
    deps.isLive?.() === false
      ? c.json({ status: 'unhealthy' as const, reason: 'the embedded Postgres died and could not be restarted' }, 503)
      : c.json({ status: 'alive' as const }, 200),
  );
  return app;
}

async function checkDatabase(deps: AppDeps): Promise<{ ok: boolean; latency_ms: number | null; error?: string }> {
  const started = performance.now();
  try {
    await withTimeout(pingDatabase(deps.db), DB_CHECK_TIMEOUT_MS);
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, latency_ms: null, error: (error as Error).message };
  }
}

/**
 * What a probe reports besides the database check, none of which decides readiness (200 or 503): task counts and
 * accounts. Concurrent probes share one count instead of each queueing its own on the pool (issue 14: p99 103 ms at
 * 1,000,000 tasks under 10 connections). Live task counts and accounts are recounted when older than
 * `healthCountsTtlMs` (1 s; a probe then waits for that count, unless another probe's is already in flight);
 * settled task counts (a million rows after a while, about 200 ms to count) are recounted in the background when
 * older than `healthSettledCountsTtlMs` (30 s), and no probe waits for that.
 */
function probeSources(deps: AppDeps) {
  const countsTtl = deps.healthCountsTtlMs ?? 1_000;
  const live = refreshingValue(() => withTimeout(countLiveTasks(deps.db), DB_CHECK_TIMEOUT_MS), countsTtl, { waitWhenStale: true });
  const settled = refreshingValue(
    () => withTimeout(countSettledTasks(deps.db), SETTLED_COUNT_TIMEOUT_MS),
    deps.healthSettledCountsTtlMs ?? 30_000,
  );
  const accounts = refreshingValue(
    () => withTimeout(accountHealth(deps.db, MAX_USABLE_USERNAMES, deps.directConnections), DB_CHECK_TIMEOUT_MS),
    countsTtl,
    { waitWhenStale: true },
  );
  return {
    tasks: async (): Promise<Record<string, number>> => {
      const [l, s] = await Promise.all([live(), settled()]);
      return { ...l, ...s };
    },
    accounts,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
