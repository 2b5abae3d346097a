import { createRoute, z } from '@hono/zod-openapi';
import { GraphConnectError } from '../../graph/connect.js';
import { requestGraphDiscovery, requestGraphMediaSync } from '../../graph/requests.js';
import { getConnection, isUsable } from '../../graph/store.js';
import { bindBrief, createBrief, listBriefs, listMedia, mediaReport } from '../../graph/briefs.js';
import { PRIORITY } from '../../queue/task.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema, errorBody } from '../errors.js';
import { EnqueuedSchema } from '../schemas.js';
import {
  GraphBindBody,
  GraphBriefBody,
  GraphBriefSchema,
  GraphCallbackQuery,
  GraphCallbackSchema,
  GraphConnectionIdParam,
  GraphConnectionSchema,
  GraphConnectQuery,
  GraphDiscoveryBody,
  GraphMediaIdParam,
  GraphMediaQuery,
  GraphMediaReportQuery,
  GraphMediaReportSchema,
  GraphMediaSchema,
  GraphPageSchema,
  GraphPickBody,
  GraphStatusSchema,
} from '../schemas-graph.js';
import { taskView } from '../views.js';
import { connectionView, pageView } from '../views-graph.js';
import { body, createRouter, errors, json, security } from './route-kit.js';

/**
 * The Graph API source (issue 21): connect through Facebook Login, list the user's Pages and their Instagram
 * professional accounts, pick one, and queue business discovery and media syncs. `GET /api/graph/callback` is
 * public (Facebook sends the browser there; the one-time `state` is its protection); the rest needs the key.
 * With the source off (GRAPH_APP_ID, GRAPH_APP_SECRET, GRAPH_REDIRECT_URL unset) every route but the status
 * answers 503 saying which settings are missing. All of them are in /openapi.json, that 503 included.
 */
export const GRAPH_NOT_WIRED = 'the Graph API source is not wired in this process';

const STATUS_OF_KIND = { off: 503, invalid: 400, not_found: 404, conflict: 409, upstream: 503 } as const;

const tags = ['graph'];
/**
 * The documented 503 of every route that needs the source: test/fuzz/api.test.ts accepts a 503 only where it is
 * documented and its message is the "source off" reason GET /api/graph gives.
 */
const off = {
  503: json(
    ErrorSchema,
    'The Graph API source is off (the message names the missing settings: GRAPH_APP_ID, GRAPH_APP_SECRET, GRAPH_REDIRECT_URL), or the Graph API did not answer',
  ),
};
const notFound = (what: string) => ({ 404: json(ErrorSchema, what) });
const conflict = (what: string) => ({ 409: json(ErrorSchema, what) });
const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

const status = createRoute({
  method: 'get',
  path: '/api/graph',
  tags,
  security,
  summary: 'Whether the Graph API source is on (and why not), and its connections (never a token)',
  responses: { 200: json(GraphStatusSchema, 'The status'), ...errors },
});
const connect = createRoute({
  method: 'get',
  path: '/api/graph/connect',
  tags,
  security,
  summary: 'Start Facebook Login: a 302 to the dialog with a one-time state (or, with ?format=json, its URL)',
  request: { query: GraphConnectQuery },
  responses: {
    200: json(z.object({ authorize_url: z.string() }), 'The dialog URL (format=json)'),
    302: { description: 'To the Facebook Login dialog', headers: z.object({ location: z.string() }) },
    ...errors,
    ...off,
  },
});
const callback = createRoute({
  method: 'get',
  path: '/api/graph/callback',
  tags,
  // Public: Facebook Login sends the browser here without the key; the one-time `state` (15 min) is its guard.
  summary: 'Facebook Login redirect (public, no key): exchanges the code for a long-lived token, lists the Pages',
  request: { query: GraphCallbackQuery },
  responses: {
    200: json(GraphCallbackSchema, 'The new connection and its Pages; pick an Instagram account next'),
    400: json(ErrorSchema, 'No code, an unknown or used state, or the user refused; the message says which'),
    ...conflict('The state was already used'),
    ...off,
  },
});
const connections = createRoute({
  method: 'get',
  path: '/api/graph/connections',
  tags,
  security,
  summary: 'Connections (never a token)',
  responses: { 200: json(items(GraphConnectionSchema), 'Every connection'), ...errors, ...off },
});
const pages = createRoute({
  method: 'get',
  path: '/api/graph/connections/{id}/pages',
  tags,
  security,
  summary: 'The Pages of a connection with their Instagram professional accounts',
  request: { params: GraphConnectionIdParam },
  responses: {
    200: json(z.object({ pages: z.array(GraphPageSchema) }), 'The Pages'),
    ...notFound('No such connection'),
    ...conflict('The connection is expired or revoked: connect again'),
    ...errors,
    ...off,
  },
});
const pick = createRoute({
  method: 'put',
  path: '/api/graph/connections/{id}/account',
  tags,
  security,
  summary: "Pick the connection's Instagram account (one of its Pages' instagram_account ids)",
  request: { params: GraphConnectionIdParam, ...body(GraphPickBody, 'The Instagram account id') },
  responses: {
    200: json(z.object({ connection: GraphConnectionSchema }), 'The connection with its account'),
    ...notFound('No such connection'),
    ...conflict('The connection is expired or revoked, or no Page of it has that account'),
    ...errors,
    ...off,
  },
});
const sync = createRoute({
  method: 'post',
  path: '/api/graph/connections/{id}/sync',
  tags,
  security,
  summary: "Queue a graph_media_sync of the connection's account now",
  request: { params: GraphConnectionIdParam },
  responses: {
    202: json(EnqueuedSchema, 'The task (or the live one already queued)'),
    ...notFound('No such connection'),
    ...conflict('The connection is not usable, or has no Instagram account picked'),
    ...errors,
    ...off,
  },
});
const discovery = createRoute({
  method: 'post',
  path: '/api/graph/discovery',
  tags,
  security,
  summary: 'Queue one graph_discovery (business discovery) per username',
  request: body(GraphDiscoveryBody, 'Usernames and options'),
  responses: {
    202: json(EnqueuedSchema, 'The tasks (created, or the live ones returned instead of duplicates)'),
    ...notFound('No such connection'),
    ...errors,
    ...off,
  },
});
const createBriefRoute = createRoute({
  method: 'post',
  path: '/api/graph/briefs',
  tags,
  security,
  summary: 'Add a brief: a campaign or script version with its expected figures',
  request: body(GraphBriefBody, 'The brief'),
  responses: { 201: json(GraphBriefSchema, 'The brief'), ...errors },
});
const briefs = createRoute({
  method: 'get',
  path: '/api/graph/briefs',
  tags,
  security,
  summary: 'Briefs, newest first (at most 500)',
  responses: { 200: json(items(GraphBriefSchema), 'The briefs'), ...errors },
});
const media = createRoute({
  method: 'get',
  path: '/api/graph/media',
  tags,
  security,
  summary: "The connected accounts' media, newest first",
  request: { query: GraphMediaQuery },
  responses: { 200: json(items(GraphMediaSchema), 'The media'), ...errors },
});
const bind = createRoute({
  method: 'put',
  path: '/api/graph/media/{id}/brief',
  tags,
  security,
  summary: 'Bind a brief to a media (null unbinds); answers the media report',
  request: { params: GraphMediaIdParam, ...body(GraphBindBody, 'The brief id') },
  responses: { 200: json(GraphMediaReportSchema, 'The media report'), ...notFound('No such media or brief'), ...errors },
});
const report = createRoute({
  method: 'get',
  path: '/api/graph/media/{id}',
  tags,
  security,
  summary: 'Expected (from the bound brief) against the latest actual figures, and the history of snapshots',
  request: { params: GraphMediaIdParam, query: GraphMediaReportQuery },
  responses: { 200: json(GraphMediaReportSchema, 'The media report'), ...notFound('No such media'), ...errors },
});

export function graphRoutes(deps: AppDeps) {
  const app = createRouter();
  const graph = () => {
    if (!deps.graph) throw new ApiError(503, GRAPH_NOT_WIRED);
    if (!deps.graph.settings.enabled) throw new ApiError(503, deps.graph.settings.reason);
    return deps.graph;
  };
  app.onError((error, c) => {
    if (error instanceof GraphConnectError) return c.json(errorBody(STATUS_OF_KIND[error.kind], error.message), STATUS_OF_KIND[error.kind]);
    if (error instanceof ApiError) return c.json(errorBody(error.status, error.message, error.details), error.status);
    throw error;
  });

  app.openapi(status, async (c) => {
    const settings = deps.graph?.settings;
    const on = settings?.enabled === true;
    return c.json(
      {
        enabled: on,
        reason: on ? null : settings && !settings.enabled ? settings.reason : GRAPH_NOT_WIRED,
        api_base_url: on ? settings.apiBaseUrl : null,
        connections: on ? (await deps.graph!.list()).map(connectionView) : [],
      },
      200,
    );
  });

  /** Sends the browser (or answers `?format=json` with the URL) to the Facebook Login dialog, with a one-time state. */
  app.openapi(connect, async (c) => {
    const url = await graph().authorizeUrl();
    if (c.req.valid('query').format === 'json') return c.json({ authorize_url: url }, 200);
    return c.redirect(url, 302);
  });

  app.openapi(callback, async (c) => {
    const { connection, pages } = await graph().completeCallback(c.req.valid('query'));
    return c.json(
      {
        connection: connectionView(connection),
        pages: pages.map(pageView),
        next: `PUT /api/graph/connections/${connection.id}/account {"ig_user_id": "…"} with one of the pages' instagram_account ids`,
      },
      200,
    );
  });

  app.openapi(connections, async (c) => c.json({ items: (await graph().list()).map(connectionView) }, 200));

  app.openapi(pages, async (c) => c.json({ pages: (await graph().pages(c.req.valid('param').id)).map(pageView) }, 200));

  app.openapi(pick, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    return c.json({ connection: connectionView(await graph().pick(id, input.ig_user_id)) }, 200);
  });

  app.openapi(sync, async (c) => {
    graph();
    const { id } = c.req.valid('param');
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

  app.openapi(discovery, async (c) => {
    graph();
    const input = c.req.valid('json');
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

  app.openapi(createBriefRoute, async (c) => c.json(await createBrief(deps.db, c.req.valid('json')), 201));

  app.openapi(briefs, async (c) => c.json({ items: await listBriefs(deps.db) }, 200));

  app.openapi(media, async (c) => {
    const query = c.req.valid('query');
    return c.json({ items: await listMedia(deps.db, { connectionId: query.connection_id, limit: query.limit }) }, 200);
  });

  app.openapi(bind, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const outcome = await bindBrief(deps.db, id, input.brief_id);
    if (outcome === 'no_media') throw new ApiError(404, `no Graph media ${id} (GET /api/graph/media lists them after a sync)`);
    if (outcome === 'no_brief') throw new ApiError(404, `no brief ${input.brief_id}`);
    return c.json((await mediaReport(deps.db, id, 50))!, 200);
  });

  /** Expected (from the bound brief) against the latest actual figures, and the history of snapshots. */
  app.openapi(report, async (c) => {
    const { id } = c.req.valid('param');
    const result = await mediaReport(deps.db, id, c.req.valid('query').history_limit);
    if (!result) throw new ApiError(404, `no Graph media ${id}`);
    return c.json(result, 200);
  });

  return app;
}
