import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requestSimilarAccounts } from '../../lookalikes/requests.js';
import { queueUnknown } from '../../lookalikes/similar-task.js';
import { similarCreators } from '../../lookalikes/similar.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema, validationHook } from '../errors.js';
import { EnqueuedSchema, queryInt, TaskSchema } from '../schemas.js';
import { UsernameParam } from '../schemas-blogs.js';
import { taskView } from '../views.js';
import { body, errors, json, security } from './route-kit.js';

/**
 * Lookalikes (issue 19, README "Similar creators"): GET ranks the candidates (Instagram's similar accounts and the
 * nearest blogs of this database) by their AI profile text; POST asks Instagram for the similar accounts (the
 * `similar_accounts` task, one request).
 */
const SIMILAR_FALLBACK = { databaseCandidates: 50 };

const flag = (name: string) =>
  z
    .enum(['true', 'false'], { error: `${name} must be true or false` })
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ type: 'string', enum: ['true', 'false'], default: 'false' });

const SimilarQuery = z.strictObject({
  limit: queryInt({ min: 1, max: 100, default: 20 }),
  scrape_unknown: flag('scrape_unknown').openapi({
    description: "Queue a full scrape of each of Instagram's candidates not in the database yet",
  }),
});

const SimilarBody = z
  .strictObject({
    scrape_unknown: z
      .boolean({ error: 'scrape_unknown must be true or false' })
      .default(false)
      .openapi({ description: 'When the answer is in, queue a full scrape of each candidate not in the database yet' }),
    priority: z.number().int().min(1).max(10).default(4),
  })
  .openapi('SimilarRequest');

const CandidateSchema = z.object({
  username: z.string(),
  full_name: z.string().nullable(),
  sources: z
    .array(z.enum(['instagram', 'database']))
    .openapi({ description: "instagram: in Instagram's similar accounts; database: among the nearest embeddings here" }),
  similarity: z
    .number()
    .nullable()
    .openapi({ description: 'Cosine similarity of the AI profile text embeddings; null when either has none' }),
  instagram_position: z.number().int().nullable().openapi({ description: "Position in Instagram's list, 0 first" }),
  in_database: z.boolean(),
  scrape_status: z.string().nullable(),
  follower_count: z.number().int().nullable(),
  er: z.number().nullable(),
  credibility: z.number().nullable(),
});

const SimilarSchema = z
  .object({
    username: z.string(),
    ranked_by: z
      .enum(['profile_text', 'instagram_order'])
      .openapi({ description: "profile_text once the blog's AI profile is embedded; Instagram's order before" }),
    instagram: z
      .object({ fetched_at: z.string().nullable(), candidates: z.number().int() })
      .openapi({ description: 'The last similar-accounts answer (POST …/similar asks again)' }),
    candidates: z.number().int(),
    unknown: z.array(z.string()).openapi({ description: "Instagram's candidates not in the database" }),
    scrapes_queued: z.array(TaskSchema).openapi({ description: 'Scrapes queued by scrape_unknown=true (created or already live)' }),
    items: z.array(CandidateSchema),
  })
  .openapi('SimilarCreators');

const getSimilar = createRoute({
  method: 'get',
  path: '/api/blogs/{username}/similar',
  summary: "Similar creators: Instagram's similar accounts and this database's nearest, ranked by AI profile text",
  security,
  request: { params: UsernameParam, query: SimilarQuery },
  responses: { 200: json(SimilarSchema, 'Candidates, most similar first'), 404: json(ErrorSchema, 'No such blog'), ...errors },
});

const postSimilar = createRoute({
  method: 'post',
  path: '/api/blogs/{username}/similar',
  summary: "Ask Instagram for the account's similar accounts (one request through the account pool)",
  security,
  request: { params: UsernameParam, ...body(SimilarBody, 'Whether to scrape the candidates not known yet') },
  responses: { 202: json(EnqueuedSchema, 'The similar_accounts task, created or found'), ...errors },
});

export function similarRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const settings = deps.similar ?? SIMILAR_FALLBACK;

  app.openapi(getSimilar, async (c) => {
    const { username } = c.req.valid('param');
    const q = c.req.valid('query');
    const result = await similarCreators(deps.db, username, { limit: q.limit, databaseCandidates: settings.databaseCandidates });
    if (!result)
      throw new ApiError(
        404,
        `no blog "${username}" is known; scrape it with POST /api/tasks/scrape, then ask for its similar accounts with POST /api/blogs/${username}/similar`,
      );
    const queued = q.scrape_unknown ? await queueUnknown(deps.db, username, result.unknown, deps.maxAttempts) : [];
    return c.json(
      {
        ...result,
        instagram: { fetched_at: result.instagram.fetched_at?.toISOString() ?? null, candidates: result.instagram.candidates },
        scrapes_queued: queued.map((e) => taskView(e.task)),
      },
      200,
    );
  });

  app.openapi(postSimilar, async (c) => {
    const { username } = c.req.valid('param');
    const input = c.req.valid('json');
    const enqueued = await requestSimilarAccounts(deps.db, {
      username,
      scrapeUnknown: input.scrape_unknown,
      priority: input.priority,
      maxAttempts: deps.maxAttempts,
    });
    return c.json({ tasks: [taskView(enqueued.task)], created: enqueued.created ? 1 : 0, existing: enqueued.created ? 0 : 1 }, 202);
  });

  return app;
}
