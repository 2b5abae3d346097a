import { createRoute } from '@hono/zod-openapi';
import { accountWaitReason } from '../../accounts/lease.js';
import { cancelTask, retryTask, type ManageResult } from '../../queue/manage.js';
import { getTask, listTasks } from '../../queue/read.js';
import { ACCOUNT_TASK_TYPES, type Task } from '../../queue/task.js';
import { requestDiscover, requestScrapes } from '../../tasks/requests.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema } from '../errors.js';
import { DiscoverBody, ScrapeBody, TaskIdParam, TaskListQuery, TaskListSchema, TaskSchema } from '../schemas.js';
import { taskView } from '../views.js';
import { body, createRouter, enqueued, enqueuedResponses, errors, json, page, security } from './route-kit.js';
import { DEFAULT_ACCOUNT_BUDGET } from './stats.js';

const list = createRoute({
  method: 'get',
  path: '/api/tasks',
  summary: 'List tasks, newest first',
  security,
  request: { query: TaskListQuery },
  responses: { 200: json(TaskListSchema, 'A page of tasks'), ...errors },
});

const get = createRoute({
  method: 'get',
  path: '/api/tasks/{id}',
  summary: 'One task, with its progress and last error',
  security,
  request: { params: TaskIdParam },
  responses: { 200: json(TaskSchema, 'The task'), 404: json(ErrorSchema, 'No such task'), ...errors },
});

const scrape = createRoute({
  method: 'post',
  path: '/api/tasks/scrape',
  summary: 'Scrape these usernames (one full_scrape each; repeats return the live task)',
  security,
  request: body(ScrapeBody, 'Usernames to scrape'),
  responses: enqueuedResponses('Tasks created or found'),
});

const discover = createRoute({
  method: 'post',
  path: '/api/tasks/discover',
  summary: 'Discover creators from a hashtag',
  security,
  request: body(DiscoverBody, 'Hashtag to explore'),
  responses: enqueuedResponses('The discover task, created or found'),
});

const cancel = createRoute({
  method: 'post',
  path: '/api/tasks/{id}/cancel',
  summary: 'Cancel a pending or running task',
  security,
  request: { params: TaskIdParam },
  responses: {
    200: json(TaskSchema, 'The cancelled task'),
    404: json(ErrorSchema, 'No such task'),
    409: json(ErrorSchema, 'Not cancellable'),
    ...errors,
  },
});

const retry = createRoute({
  method: 'post',
  path: '/api/tasks/{id}/retry',
  summary: 'Run a failed or cancelled task again, with fresh attempts',
  security,
  request: { params: TaskIdParam },
  responses: {
    200: json(TaskSchema, 'The task, pending again'),
    404: json(ErrorSchema, 'No such task'),
    409: json(ErrorSchema, 'Not retryable'),
    ...errors,
  },
});

export function taskRoutes(deps: AppDeps) {
  const app = createRouter();
  /** Asked only when a listed task could use it: a pending Instagram-bound one with no reason of its own. */
  const accountWaitFor = async (tasks: readonly Task[]) =>
    tasks.some((t) => t.status === 'pending' && !t.waiting_reason && ACCOUNT_TASK_TYPES.includes(t.task_type))
      ? accountWaitReason(deps.db, deps.accountBudget ?? DEFAULT_ACCOUNT_BUDGET, deps.directConnections)
      : null;

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    const found = await listTasks(deps.db, {
      status: query.status,
      taskType: query.task_type,
      limit: query.limit,
      offset: query.offset,
    });
    const wait = await accountWaitFor(found.items);
    return c.json(
      page(
        found.items.map((task) => taskView(task, wait)),
        query,
        found.hasMore,
      ),
      200,
    );
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const task = await getTask(deps.db, id);
    if (!task) throw new ApiError(404, `task ${id} does not exist`);
    return c.json(taskView(task, await accountWaitFor([task])), 200);
  });

  app.openapi(scrape, async (c) => {
    const body = c.req.valid('json');
    const result = await requestScrapes(deps.db, {
      usernames: body.usernames,
      priority: body.priority,
      source: 'manual',
      maxAttempts: deps.maxAttempts,
    });
    return c.json(enqueued(result), 202);
  });

  app.openapi(discover, async (c) => {
    const body = c.req.valid('json');
    const result = await requestDiscover(deps.db, { hashtag: body.hashtag, priority: body.priority, maxAttempts: deps.maxAttempts });
    return c.json(enqueued(result), 202);
  });

  app.openapi(cancel, async (c) =>
    c.json(taskView(unwrap(await cancelTask(deps.db, c.req.valid('param').id), c.req.valid('param').id)), 200),
  );
  app.openapi(retry, async (c) =>
    c.json(taskView(unwrap(await retryTask(deps.db, c.req.valid('param').id), c.req.valid('param').id)), 200),
  );

  return app;
}

function unwrap(result: ManageResult, id: number) {
  if (result.ok) return result.task;
  if (result.reason === 'not_found') throw new ApiError(404, `task ${id} does not exist`);
  throw new ApiError(409, result.message);
}
