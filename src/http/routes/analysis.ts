import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requestAnalysis } from '../../ai/request-analysis.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema, validationHook } from '../errors.js';
import { EnqueuedSchema } from '../schemas.js';
import { taskView } from '../views.js';
import { body, errors, json, security } from './route-kit.js';

const AnalysisBody = z
  .object({
    username: z
      .string()
      .trim()
      .min(1)
      .max(30)
      .regex(/^@?[A-Za-z0-9._]+$/, 'must be an Instagram username')
      .transform((u) => u.replace(/^@/, '').toLowerCase()),
    force: z.boolean().default(false).openapi({
      description:
        'Send it to the model even when its prompt material (text, image ids) is unchanged since its last analysis; without it such a blog costs no AI tokens and keeps its insights',
    }),
    priority: z.number().int().min(0).max(10).optional().openapi({ description: 'Queue priority (default 3, as after a scrape)' }),
  })
  .strict()
  .openapi('AnalysisRequest');

const analysis = createRoute({
  method: 'post',
  path: '/api/tasks/analysis',
  summary: 'Analyse a scraped blog again with AI (an ai_analysis task); `force` sends it even when nothing changed',
  security,
  request: body(AnalysisBody, 'Which blog, and whether to analyse it even when unchanged'),
  responses: {
    202: json(EnqueuedSchema, 'The ai_analysis task, created or found'),
    ...errors,
    404: json(ErrorSchema, 'No scraped blog with that username'),
  },
});

export function analysisRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(analysis, async (c) => {
    const input = c.req.valid('json');
    const enqueued = await requestAnalysis(deps.db, {
      username: input.username,
      force: input.force,
      priority: input.priority,
      maxAttempts: deps.maxAttempts,
    });
    if (!enqueued) throw new ApiError(404, `no scraped blog "${input.username}": scrape it first (POST /api/tasks/scrape)`);
    return c.json({ tasks: [taskView(enqueued.task)], created: enqueued.created ? 1 : 0, existing: enqueued.created ? 0 : 1 }, 202);
  });
  return app;
}
