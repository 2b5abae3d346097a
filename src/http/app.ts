import { bodyLimit } from 'hono/body-limit';
import { consoleRoutes } from '../console/routes.js';
import { bearerAuth } from './auth.js';
import type { AppDeps } from './context.js';
import { DOCS_HTML } from './docs.js';
import { errorBody, handleError } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { aiRoutes } from './routes/ai.js';
import { analysisRoutes } from './routes/analysis.js';
import { blogRoutes } from './routes/blogs.js';
import { audienceQualityRoutes } from './routes/audience-quality.js';
import { similarRoutes } from './routes/similar.js';
import { followersRoutes } from './routes/followers.js';
import { graphRoutes } from './routes/graph.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/logs.js';
import { logStreamRoutes } from './routes/log-stream.js';
import { proxyRoutes } from './routes/proxies.js';
import { createRouter } from './routes/route-kit.js';
import { statsRoutes } from './routes/stats.js';
import { taskRoutes } from './routes/tasks.js';
import { webhookRoutes } from './routes/webhooks.js';

export type { AppDeps };

/**
 * The HTTP API. Production and tests build it the same way; tests call app.request() in-process.
 * Public: /api/health*, /openapi.json and /docs (they carry no data). Everything else under /api, and /metrics, needs
 * the key.
 */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const logger = deps.logger.child({ component: 'http' });

  // A response sent before the request's body was read (a 413, a 401 to an upload) ends the connection: say so, so
  // the client does not send its next request into a socket the server is closing (src/http/server.ts lingers).
  app.use('*', async (c, next) => {
    await next();
    const incoming = (c.env as { incoming?: { complete: boolean } } | undefined)?.incoming;
    if (incoming && !incoming.complete) c.res.headers.set('connection', 'close');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) => c.json(errorBody(413, `request body is larger than ${deps.bodyLimitBytes} bytes`), 413),
    }),
  );
  const requireKey = bearerAuth(deps.apiKey);
  // Exact paths, not a prefix: a future /api/healthy-blogs must not become public by accident.
  // /api/graph/callback: Facebook Login sends the browser there without our key; its one-time `state` guards it.
  const publicPaths = new Set(['/api/health', '/api/health/live', '/api/graph/callback']);
  app.use('/api/*', async (c, next) => (publicPaths.has(c.req.path) ? next() : requireKey(c, next)));

  app.route('/', healthRoutes(deps));
  app.route('/', taskRoutes(deps));
  app.route('/', followersRoutes(deps));
  app.route('/', audienceQualityRoutes(deps));
  app.route('/', similarRoutes(deps));
  app.route('/', blogRoutes(deps));
  app.route('/', accountRoutes(deps));
  app.route('/', proxyRoutes(deps));
  app.route('/', logRoutes(deps));
  app.route('/', logStreamRoutes(deps));
  app.route('/', statsRoutes(deps));
  app.route('/', aiRoutes(deps));
  app.route('/', analysisRoutes(deps));
  app.route('/', webhookRoutes(deps));
  app.route('/', graphRoutes(deps));
  // The team's web console (its own cookie sign-in and CSRF; see src/console/).
  app.route('/', consoleRoutes({ ...deps, consoleSessionTtlMs: deps.consoleSessionTtlMs ?? 12 * 3600_000 }));
  app.get('/', (c) => c.redirect('/ui', 302));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'ig-scout', version: deps.version, description: 'Finds and profiles Instagram creators.' },
  });
  app.get('/docs', (c) => c.html(DOCS_HTML));
  // Prometheus text format; behind the key like the API (Prometheus sends it with `authorization: credentials_file`).
  app.get('/metrics', requireKey, async (c) => {
    if (!deps.metrics) return c.json(errorBody(404, 'metrics are not enabled in this process'), 404);
    const { contentType, body } = await deps.metrics.render();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.notFound((c) => c.json(errorBody(404, `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => handleError(error, c, logger, { retryAfterSeconds: deps.retryAfterSeconds ?? 5 }));
  return app;
}
