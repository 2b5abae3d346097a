import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Hono } from 'hono';
import type { ConsoleEnv } from './env.js';
import { CHARTS_JS, LIVE_JS, LOG_TAIL_JS } from './client-scripts.js';

const require = createRequire(import.meta.url);

/**
 * The console's static files: uPlot straight from its npm package (no CDN, no build step) and the few small
 * scripts of the live parts. Read once, kept in memory; served behind the session like every /ui page.
 */
const FILES: Record<string, { type: string; load: () => string }> = {
  'uplot.js': { type: 'text/javascript; charset=utf-8', load: () => readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8') },
  'uplot.css': { type: 'text/css; charset=utf-8', load: () => readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8') },
  'charts.js': { type: 'text/javascript; charset=utf-8', load: () => CHARTS_JS },
  'live.js': { type: 'text/javascript; charset=utf-8', load: () => LIVE_JS },
  'log-tail.js': { type: 'text/javascript; charset=utf-8', load: () => LOG_TAIL_JS },
};

export function assetRoutes(app: Hono<ConsoleEnv>) {
  const cache = new Map<string, string>();
  app.get('/ui/assets/:name', (c) => {
    const name = c.req.param('name');
    const file = FILES[name];
    if (!file) return c.text('no such asset', 404);
    let body = cache.get(name);
    if (body === undefined) {
      body = file.load();
      cache.set(name, body);
    }
    return c.body(body, 200, { 'content-type': file.type, 'cache-control': 'private, max-age=3600' });
  });
}
