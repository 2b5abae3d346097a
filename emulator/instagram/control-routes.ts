/**
 * HTTP control surface of the Instagram emulator (mounted under /instagram by emulator/control.ts).
 * Every route is a thin wrapper over a method of InstagramEmulator; emulator/README.md lists them.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { profileStats } from '../world/index.js';
import { ManualClock } from './clock.js';
import type { FaultScope } from './faults.js';
import type { InstagramEmulator } from './index.js';

const FAULT_KINDS = [
  'rate_limit',
  'login_required',
  'challenge',
  'feedback',
  'server_error',
  'inactive',
  'sentry_block',
  'false_not_found',
  'needs_upgrade',
  'slow',
  'drop',
  'reset',
  'refuse',
  'connect_error',
] as const;
const LOGIN_OUTCOMES = ['ok', 'bad_password', 'two_factor', 'challenge', 'invalid_user', 'inactive', 'sentry_block'] as const;

const faultBody = z.object({
  scope: z.union([z.literal('global'), z.object({ account: z.string() }), z.object({ proxy: z.number().int() })]).default('global'),
  kind: z.enum(FAULT_KINDS),
  times: z.number().int().positive().optional(),
  status: z.number().int().min(500).max(599).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  route: z.string().optional(),
  probability: z.number().min(0).max(1).optional(),
});
const rateLimitBody = z.object({
  maxRequests: z.number().int().positive(),
  windowMs: z.number().int().positive(),
  account: z.string().optional(),
});
const expiryBody = z.object({
  afterRequests: z.number().int().positive().optional(),
  afterMs: z.number().int().positive().optional(),
  account: z.string().optional(),
});
const outcomeBody = z.object({ outcome: z.enum(LOGIN_OUTCOMES).nullable() });

function toScope(scope: z.infer<typeof faultBody>['scope']): FaultScope {
  return scope === 'global' ? { global: true } : 'account' in scope ? { account: scope.account.toLowerCase() } : scope;
}

async function parse<T>(schema: z.ZodType<T>, request: Request): Promise<T | { error: string }> {
  const json: unknown = await request.json().catch(() => ({}));
  const result = schema.safeParse(json);
  return result.success ? result.data : { error: result.error.message };
}

const isError = (value: unknown): value is { error: string } => typeof value === 'object' && value !== null && 'error' in value;

export function instagramControlRoutes(ig: InstagramEmulator): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      proxies: ig.proxies(),
      accounts: ig.world.accounts.map(({ username, password, loginBehaviour }) => ({ username, password, loginBehaviour })),
      examples: ig.world.examples(),
      faults: ig.faults(),
      sessions: ig.sessions().map(({ id, username, requests, expired }) => ({ id, username, requests, expired })),
    }),
  );
  app.get('/log', (c) => {
    const { username, proxy, route, limit } = c.req.query();
    const entries = ig.log.filter(
      (e) => (!username || e.username === username) && (!proxy || e.proxyId === Number(proxy)) && (!route || e.route.includes(route)),
    );
    return c.json(entries.slice(-(Number(limit) || 500)));
  });
  app.get('/counters', (c) => c.json(ig.counters()));
  app.get('/logins/:username', (c) => c.json({ username: c.req.param('username'), logins: ig.loginCount(c.req.param('username')) }));

  app.get('/faults', (c) => c.json(ig.faults()));
  app.post('/faults', async (c) => {
    const body = await parse(faultBody, c.req.raw);
    if (isError(body)) return c.json(body, 400);
    const { scope, ...spec } = body;
    return c.json(ig.addFault(toScope(scope), spec), 201);
  });
  app.delete('/faults', (c) => {
    ig.clearFaults();
    return c.json({ cleared: true });
  });
  app.delete('/faults/:id', (c) => c.json({ removed: ig.removeFault(Number(c.req.param('id'))) }));

  app.put('/rate-limit', async (c) => {
    const body = await parse(rateLimitBody, c.req.raw);
    if (isError(body)) return c.json(body, 400);
    ig.setRateLimit({ maxRequests: body.maxRequests, windowMs: body.windowMs }, body.account);
    return c.json({ ok: true });
  });
  app.delete('/rate-limit', (c) => {
    ig.setRateLimit(null, c.req.query('account'));
    return c.json({ ok: true });
  });
  app.put('/session-expiry', async (c) => {
    const body = await parse(expiryBody, c.req.raw);
    if (isError(body)) return c.json(body, 400);
    ig.setSessionExpiry({ afterRequests: body.afterRequests, afterMs: body.afterMs }, body.account);
    return c.json({ ok: true });
  });
  app.delete('/session-expiry', (c) => {
    ig.setSessionExpiry(null, c.req.query('account'));
    return c.json({ ok: true });
  });

  app.post('/accounts/:username/expire-sessions', (c) => c.json({ expired: ig.expireSessions(c.req.param('username')) }));
  app.put('/accounts/:username/login-outcome', async (c) => {
    const body = await parse(outcomeBody, c.req.raw);
    if (isError(body)) return c.json(body, 400);
    ig.setLoginOutcome(c.req.param('username'), body.outcome);
    return c.json({ ok: true });
  });
  app.post('/accounts/:username/ban', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { how?: string };
    ig.ban(c.req.param('username'), body.how === 'sentry_block' ? 'sentry_block' : 'inactive');
    return c.json({ ok: true });
  });
  app.post('/accounts/:username/unban', (c) => {
    ig.unban(c.req.param('username'));
    return c.json({ ok: true });
  });

  app.post('/proxies/:id/down', async (c) => {
    await ig.takeProxyDown(Number(c.req.param('id')));
    return c.json(ig.proxies());
  });
  app.post('/proxies/:id/up', async (c) => {
    await ig.bringProxyUp(Number(c.req.param('id')));
    return c.json(ig.proxies());
  });

  app.post('/reset', async (c) => {
    const { what } = (await c.req.json().catch(() => ({}))) as { what?: string };
    if (what === 'log') ig.resetLog();
    else if (what === 'faults') ig.resetFaults();
    else if (what === 'behaviour') ig.resetBehaviour();
    else ig.reset();
    return c.json({ reset: what ?? 'all' });
  });
  app.post('/clock/advance', async (c) => {
    if (!(ig.clock instanceof ManualClock)) return c.json({ error: 'the emulator runs on a real clock; start it with a ManualClock' }, 409);
    const { ms } = (await c.req.json().catch(() => ({}))) as { ms?: number };
    ig.clock.advance(Number(ms) || 0);
    return c.json({ now: ig.clock.now() });
  });

  app.put('/world/day', async (c) => {
    const body = await parse(z.object({ day: z.number().int().min(0).nullable() }), c.req.raw);
    if (isError(body)) return c.json(body, 400);
    ig.setDay(body.day);
    return c.json({ day: ig.day });
  });
  app.get('/world/users/:username/growth', (c) => {
    const user = ig.world.user(c.req.param('username'));
    const growth = user && ig.world.growthOf(user);
    if (!growth) return c.json({ error: 'no such creator or brand' }, 404);
    return c.json({ ...growth, dates: growth.days.map((_, d) => ig.world.dateOfDay(d)) });
  });
  app.get('/world/users/:username', (c) => {
    const user = ig.world.user(c.req.param('username'));
    if (!user) return c.json({ error: 'no such user (or deleted)' }, 404);
    const stats = profileStats(ig.world, user.username);
    return c.json({
      user,
      stats: stats && { er: stats.er, erReels: stats.erReels, erTrend: stats.erTrend, postsPerWeek: stats.postsPerWeek },
    });
  });
  app.get('/world/hashtags/:name', (c) => {
    const tag = ig.world.hashtag(c.req.param('name'));
    return tag ? c.json(tag) : c.json({ error: 'no such hashtag' }, 404);
  });
  return app;
}
