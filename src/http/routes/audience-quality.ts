import { createRoute } from '@hono/zod-openapi';
import { requestAudienceQuality } from '../../tasks/requests.js';
import type { AppDeps } from '../context.js';
import { ApiError } from '../errors.js';
import { AudienceQualityBody } from '../schemas-blogs.js';
import { body, createRouter, enqueued, enqueuedResponses, security } from './route-kit.js';

/** Defaults when the daemon passes no configuration (tests): AUDIENCE_SAMPLE_DEFAULT, AUDIENCE_DEEP_BUDGET_MAX. */
const AUDIENCE_FALLBACK = { sampleDefault: 400, deepBudgetMax: 1_000 };

const audienceQuality = createRoute({
  method: 'post',
  path: '/api/tasks/audience-quality',
  summary: "Estimate how real an account's audience is: quick tier from follower-list pages, deep tier with profile lookups",
  security,
  request: body(AudienceQualityBody, 'Whose audience, how many followers, how many profile lookups'),
  responses: enqueuedResponses('The audience_quality task, created or found'),
});

export function audienceQualityRoutes(deps: AppDeps) {
  const app = createRouter();
  const settings = deps.audience ?? AUDIENCE_FALLBACK;

  app.openapi(audienceQuality, async (c) => {
    const input = c.req.valid('json');
    if (input.deep_budget > settings.deepBudgetMax) {
      throw new ApiError(400, `deep_budget must be at most ${settings.deepBudgetMax} (AUDIENCE_DEEP_BUDGET_MAX)`);
    }
    const result = await requestAudienceQuality(deps.db, {
      username: input.username,
      sample: input.sample ?? settings.sampleDefault,
      deepBudget: input.deep_budget,
      seed: input.seed,
      priority: input.priority,
      maxAttempts: deps.maxAttempts,
    });
    return c.json(enqueued(result), 202);
  });

  return app;
}
