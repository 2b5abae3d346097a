import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { requestFollowers } from '../../tasks/requests.js';
import type { AppDeps } from '../context.js';
import { validationHook } from '../errors.js';
import { EnqueuedSchema } from '../schemas.js';
import { FollowersBody } from '../schemas-blogs.js';
import { taskView } from '../views.js';
import { body, errors, json, security } from './route-kit.js';

/** SPEC §3 default when neither the request nor FOLLOWERS_MAX_DEFAULT says how many accounts to fetch at most. */
export const FOLLOWERS_MAX_FALLBACK = 10_000;

const followers = createRoute({
  method: 'post',
  path: '/api/tasks/followers',
  summary: 'Fetch the follower or following list of an account (resumable; repeats return the live task)',
  security,
  request: body(FollowersBody, 'Whose list, which one, how many at most'),
  responses: { 202: json(EnqueuedSchema, 'The followers task, created or found'), ...errors },
});

export function followersRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(followers, async (c) => {
    const input = c.req.valid('json');
    const enqueued = await requestFollowers(deps.db, {
      username: input.username,
      kind: input.kind,
      max: input.max ?? deps.followersMaxDefault ?? FOLLOWERS_MAX_FALLBACK,
      priority: input.priority,
      maxAttempts: deps.maxAttempts,
    });
    return c.json({ tasks: [taskView(enqueued.task)], created: enqueued.created ? 1 : 0, existing: enqueued.created ? 0 : 1 }, 202);
  });

  return app;
}
