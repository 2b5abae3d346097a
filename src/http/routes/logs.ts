import { createRoute, type z } from '@hono/zod-openapi';
import { listActivity, resolveAccount } from '../../observability/activity-query.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema } from '../errors.js';
import { LogListQuery, LogListSchema } from '../observability-schemas.js';
import { logEntryView } from '../views-observability.js';
import { createRouter, page } from './route-kit.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const list = createRoute({
  method: 'get',
  path: '/api/logs',
  summary: 'Activity log (Instagram calls, logins, status changes, checks), newest first; oldest first after after_id',
  security: [{ bearerAuth: [] }],
  request: { query: LogListQuery },
  responses: {
    200: json(LogListSchema, 'A page of log rows'),
    400: json(ErrorSchema, 'Invalid filter; the message says which and why'),
    401: json(ErrorSchema, 'Missing or wrong API key'),
    404: json(ErrorSchema, 'No such account'),
  },
});

export function logRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    let accountId: number | undefined;
    if (query.account !== undefined) {
      // A typo in a filter should say so, not look like an account with no activity.
      const account = await resolveAccount(deps.db, query.account);
      if (!account) throw new ApiError(404, `account ${JSON.stringify(query.account)} does not exist (give its id or username)`);
      accountId = account.id;
    }
    const found = await listActivity(deps.db, {
      accountId,
      outcome: query.outcome,
      kind: query.kind,
      taskId: query.task_id,
      since: query.since,
      until: query.until,
      beforeId: query.before_id,
      afterId: query.after_id,
      limit: query.limit,
      offset: query.offset,
    });
    const items = found.items.map(logEntryView);
    const ascending = query.after_id !== undefined;
    const next = found.hasMore && !ascending ? (items.at(-1)?.id ?? null) : null;
    const nextAfter = ascending ? (items.at(-1)?.id ?? query.after_id!) : null;
    return c.json({ ...page(items, query, found.hasMore), next_before_id: next, next_after_id: nextAfter }, 200);
  });

  return app;
}
