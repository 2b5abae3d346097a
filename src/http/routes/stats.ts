import { createRoute } from '@hono/zod-openapi';
import { aiStats } from '../../ai/batch-query.js';
import {
  accountStats,
  accountStatusCounts,
  proxyStats,
  proxyStatusCounts,
  requestOutcomes,
  taskStats,
  type AccountBudget,
} from '../../observability/stats.js';
import type { AppDeps } from '../context.js';
import { ErrorSchema } from '../errors.js';
import { StatsSchema } from '../observability-schemas.js';
import { accountStatsView, proxyStatsView } from '../views-observability.js';
import { createRouter } from './route-kit.js';

/** SPEC §5 defaults, used only until the daemon passes its configuration (AppDeps.accountBudget). */
export const DEFAULT_ACCOUNT_BUDGET: AccountBudget = {
  windowMs: 3_600_000,
  perWindow: 30,
  warmupPerWindow: 10,
  warmupDays: 3,
  dailyCap: 0,
};

const stats = createRoute({
  method: 'get',
  path: '/api/stats',
  summary: 'Accounts (requests per hour, budget, success rate), proxies, tasks and requests by outcome',
  security: [{ bearerAuth: [] }],
  responses: {
    200: { content: { 'application/json': { schema: StatsSchema } }, description: 'Current statistics' },
    401: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Missing or wrong API key' },
  },
});

export function statsRoutes(deps: AppDeps) {
  const app = createRouter();
  const budget = deps.accountBudget ?? DEFAULT_ACCOUNT_BUDGET;

  app.openapi(stats, async (c) => {
    const [accounts, proxies, tasks, requests, ai] = await Promise.all([
      accountStats(deps.db, budget, deps.directConnections),
      proxyStats(deps.db),
      taskStats(deps.db),
      requestOutcomes(deps.db),
      aiStats(deps.db, deps.ai?.prices),
    ]);
    return c.json(
      {
        generated_at: new Date().toISOString(),
        budget: {
          window_ms: budget.windowMs,
          per_window: budget.perWindow,
          warmup_per_window: budget.warmupPerWindow,
          warmup_days: budget.warmupDays,
          daily_cap: budget.dailyCap,
        },
        accounts: { total: accounts.length, by_status: accountStatusCounts(accounts), items: accounts.map(accountStatsView) },
        proxies: { total: proxies.length, by_status: proxyStatusCounts(proxies), items: proxies.map(proxyStatsView) },
        tasks,
        requests,
        ai: { enabled: deps.ai?.enabled ?? false, model: deps.ai?.model ?? 'gpt-5-nano', ...ai },
      },
      200,
    );
  });

  return app;
}
