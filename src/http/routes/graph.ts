import type { Context } from 'hono';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { GraphConnectError } from '../../graph/connect.js';
import { requestGraphDiscovery, requestGraphMediaSync } from '../../graph/requests.js';
import { getConnection, isUsable } from '../../graph/store.js';
import { bindBrief, createBrief, listBriefs, listMedia, mediaReport } from '../../graph/briefs.js';
import { PRIORITY } from '../../queue/task.js';
import type { AppDeps } from '../context.js';
import { ApiError, describeIssues, errorBody } from '../errors.js';
import { taskView } from '../views.js';
import { connectionView, pageView } from '../views-graph.js';

/**
 * The Graph API source (issue 21): connect through Facebook Login, list the user's Pages and their Instagram
 * professional accounts, pick one, and queue business discovery and media syncs. `GET /api/graph/callback` is
 * public (Facebook sends the browser there; the one-time `state` is its protection); the rest needs the key.
 * With the source off (GRAPH_APP_ID, GRAPH_APP_SECRET, GRAPH_REDIRECT_URL unset) every route but the status
 * answers 503 saying which settings are missing.
 */
const STATUS_OF_KIND = { off: 503, invalid: 400, not_found: 404, conflict: 409, upstream: 503 } as const;

const DiscoveryBody = z
  .object({
    usernames: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9._]{1,30}$/, 'not a valid Instagram username'),
      )
      .min(1)
      .max(500),
    connection_id: z.number().int().positive().optional(),
    /** Hand usernames discovery cannot see (personal, private, unknown) to full_scrape. */
    fallback_full_scrape: z.boolean().default(true),
    priority: z.number().int().min(1).max(10).default(PRIORITY.manualScrape),
  })
  .strict();
const BriefBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    script_version: z.string().trim().max(200).nullish(),
    /** Free-form expected figures, e.g. {"views": 50000, "reach": 30000, "er": 4.5}. */
    expected: z
      .record(z.string().regex(/^[a-z_]{1,40}$/, 'figure names are lowercase words with _'), z.number().finite())
      .refine((e) => Object.keys(e).length <= 30, 'at most 30 figures'),
    notes: z.string().max(5000).nullish(),
  })
  .strict();
const BindBody = z.object({ brief_id: z.number().int().positive().nullable() }).strict();
const PickBody = z.object({ ig_user_id: z.string().regex(/^\d{1,30}$/, 'must be the numeric Instagram account id from …/pages') }).strict();

async function parse<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 'request body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const { message, details } = describeIssues(parsed.error.issues, 'body');
    throw new ApiError(400, message, details);
  }
  return parsed.data;
}

const idParam = (c: Context): number => {
  const id = Number(c.req.param('id'));
  if (!Number.isSafeInteger(id) || id <= 0) throw new ApiError(400, 'id must be a positive whole number');
  return id;
};

export function graphRoutes(deps: AppDeps) {
  // Not in /openapi.json yet: the fuzz suite (test/fuzz/api.test.ts) fuzzes every documented route on an app where
  // this source is off, and would count its 503 "off" answers as server errors. The routes are in README, "Graph API".
  const app = new OpenAPIHono();
  const graph = () => {
    if (!deps.graph) throw new ApiError(503, 'the Graph API source is not wired in this process');
    if (!deps.graph.settings.enabled) throw new ApiError(503, deps.graph.settings.reason);
    return deps.graph;
  };
  app.onError((error, c) => {
    if (error instanceof GraphConnectError) return c.json(errorBody(STATUS_OF_KIND[error.kind], error.message), STATUS_OF_KIND[error.kind]);
    if (error instanceof ApiError) return c.json(errorBody(error.status, error.message, error.details), error.status);
    throw error;
  });

  app.get('/api/graph', async (c) => {
    const settings = deps.graph?.settings;
    const on = settings?.enabled === true;
    return c.json({
      enabled: on,
      reason: on ? null : settings && !settings.enabled ? settings.reason : 'the Graph API source is not wired in this process',
      api_base_url: on ? settings.apiBaseUrl : null,
      connections: on ? (await deps.graph!.list()).map(connectionView) : [],
    });
  });

  /** Sends the browser (or answers `?format=json` with the URL) to the Facebook Login dialog, with a one-time state. */
  app.get('/api/graph/connect', async (c) => {
    const url = await graph().authorizeUrl();
    if (c.req.query('format') === 'json') return c.json({ authorize_url: url });
    return c.redirect(url, 302);
  });

  app.get('/api/graph/callback', async (c) => {
    const q = (name: string) => c.req.query(name);
    const { connection, pages } = await graph().completeCallback({
      code: q('code'),
      state: q('state'),
      error: q('error'),
      error_description: q('error_description'),
      error_reason: q('error_reason'),
    });
    return c.json({
      connection: connectionView(connection),
      pages: pages.map(pageView),
      next: `PUT /api/graph/connections/${connection.id}/account {"ig_user_id": "…"} with one of the pages' instagram_account ids`,
    });
  });

  app.get('/api/graph/connections', async (c) => c.json({ items: (await graph().list()).map(connectionView) }));

  app.get('/api/graph/connections/:id/pages', async (c) => c.json({ pages: (await graph().pages(idParam(c))).map(pageView) }));

  app.put('/api/graph/connections/:id/account', async (c) => {
    const id = idParam(c);
    const input = await parse(c, PickBody);
    return c.json({ connection: connectionView(await graph().pick(id, input.ig_user_id)) });
  });

  app.post('/api/graph/connections/:id/sync', async (c) => {
    graph();
    const id = idParam(c);
    const connection = await getConnection(deps.db, id);
    if (!connection) throw new ApiError(404, `no Graph connection ${id}`);
    if (!isUsable(connection.status)) throw new ApiError(409, `Graph connection ${id} is ${connection.status}: connect again`);
    if (!connection.ig_user_id)
      throw new ApiError(409, `pick the Instagram account of connection ${id} first (PUT /api/graph/connections/${id}/account)`);
    const enqueued = await requestGraphMediaSync(deps.db, {
      connectionId: id,
      priority: PRIORITY.manualScrape,
      maxAttempts: deps.maxAttempts,
    });
    return c.json({ tasks: [taskView(enqueued.task)], created: enqueued.created ? 1 : 0, existing: enqueued.created ? 0 : 1 }, 202);
  });

  app.post('/api/graph/discovery', async (c) => {
    graph();
    const input = await parse(c, DiscoveryBody);
    if (input.connection_id !== undefined && !(await getConnection(deps.db, input.connection_id)))
      throw new ApiError(404, `no Graph connection ${input.connection_id}`);
    const enqueued = await requestGraphDiscovery(deps.db, {
      usernames: input.usernames,
      priority: input.priority,
      maxAttempts: deps.maxAttempts,
      connectionId: input.connection_id,
      fallback: input.fallback_full_scrape,
    });
    const created = enqueued.filter((e) => e.created).length;
    return c.json({ tasks: enqueued.map((e) => taskView(e.task)), created, existing: enqueued.length - created }, 202);
  });

  // ---- expected vs actual (seed 000): briefs bound to the connected account's media ----

  app.post('/api/graph/briefs', async (c) => {
    const input = await parse(c, BriefBody);
    return c.json(await createBrief(deps.db, input), 201);
  });

  app.get('/api/graph/briefs', async (c) => c.json({ items: await listBriefs(deps.db) }));

  app.get('/api/graph/media', async (c) => {
    const connection = c.req.query('connection_id');
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
    if (connection !== undefined && !/^\d+$/.test(connection)) throw new ApiError(400, 'connection_id must be a whole number');
    return c.json({ items: await listMedia(deps.db, { connectionId: connection === undefined ? undefined : Number(connection), limit }) });
  });

  app.put('/api/graph/media/:id/brief', async (c) => {
    const id = idParam(c);
    const input = await parse(c, BindBody);
    const outcome = await bindBrief(deps.db, id, input.brief_id);
    if (outcome === 'no_media') throw new ApiError(404, `no Graph media ${id} (GET /api/graph/media lists them after a sync)`);
    if (outcome === 'no_brief') throw new ApiError(404, `no brief ${input.brief_id}`);
    return c.json((await mediaReport(deps.db, id, 50))!);
  });

  /** Expected (from the bound brief) against the latest actual figures, and the history of snapshots. */
  app.get('/api/graph/media/:id', async (c) => {
    const id = idParam(c);
    const historyLimit = Math.min(Math.max(Number(c.req.query('history_limit') ?? 50) || 50, 1), 500);
    const report = await mediaReport(deps.db, id, historyLimit);
    if (!report) throw new ApiError(404, `no Graph media ${id}`);
    return c.json(report);
  });

  return app;
}
