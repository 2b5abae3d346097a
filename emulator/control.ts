/**
 * The simulator's control surface: one small Hono app with the Instagram emulator's routes under
 * /instagram and the OpenAI emulator's own routes under /openai. See emulator/README.md.
 */
import { Hono } from 'hono';
import type { InstagramEmulator } from './instagram/index.js';
import { instagramControlRoutes } from './instagram/control-routes.js';

export interface ControlTargets {
  instagram: InstagramEmulator;
  openai?: { controlRoutes(): Hono };
}

export function createControlApp({ instagram, openai }: ControlTargets): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ ok: true }));
  app.route('/instagram', instagramControlRoutes(instagram));
  if (openai) app.route('/openai', openai.controlRoutes());
  app.notFound((c) => c.json({ error: `no control route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
