import { createRoute } from '@hono/zod-openapi';
import { requestFollowers } from '../../tasks/requests.js';
import type { AppDeps } from '../context.js';
import { FollowersBody } from '../schemas-blogs.js';
import { body, createRouter, enqueued, enqueuedResponses, security } from './route-kit.js';

/** SPEC §3 default when neither the request nor FOLLOWERS_MAX_DEFAULT says how many accounts to fetch at most. */
export const FOLLOWERS_MAX_FALLBACK = 10_000;

const followers = createRoute({
  method: 'post',
  path: '/api/tasks/followers',
  summary: 'Fetch the follower or following list of an account (resumable; repeats return the live task)',
  security,
  request: body(FollowersBody, 'Whose list, which one, how many at most'),
  responses: enqueuedResponses('The followers task, created or found'),
});

export function followersRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(followers, async (c) => {
    const input = c.req.valid('json');
    const result = await requestFollowers(deps.db, {
      username: input.username,
      kind: input.kind,
      max: input.max ?? deps.followersMaxDefault ?? FOLLOWERS_MAX_FALLBACK,
      priority: input.priority,
      maxAttempts: deps.maxAttempts,
    });
    return c.json(enqueued(result), 202);
  });

  return app;
}
