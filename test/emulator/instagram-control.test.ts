/**
 * The HTTP control surface (emulator/control.ts), exercised in-process with Hono's app.request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IgActionSpamError, IgResponseError, type IgApiClient } from 'instagram-private-api';
import { Hono } from 'hono';
import { createControlApp } from '../../emulator/control.js';
import { ManualClock, startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { loggedInClient, okAccounts, rejectionOf } from './ig-helpers.js';

let emulator: InstagramEmulator;
let app: Hono;
let ig: IgApiClient;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(0);
  emulator = await startInstagramEmulator({ seed: 9, proxies: 2, clock });
  const openai = { controlRoutes: () => new Hono().get('/ping', (c) => c.json({ pong: true })) };
  app = createControlApp({ instagram: emulator, openai });
  ig = await loggedInClient(emulator, okAccounts(emulator)[0]!);
});
afterAll(async () => {
  await emulator.close();
});

const send = (method: string, path: string, body?: unknown): Promise<Response> =>
  Promise.resolve(
    app.request(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  );

describe('control surface', () => {
  it('reports proxies, accounts and examples, and mounts the OpenAI routes under /openai', async () => {
    const state = (await (await send('GET', '/instagram')).json()) as {
      proxies: unknown[];
      accounts: Array<{ username: string }>;
      examples: { followersUsername: string };
    };
    expect(state.proxies).toHaveLength(2);
    expect(state.accounts.map((a) => a.username)).toEqual(emulator.world.accounts.map((a) => a.username));
    expect(state.examples.followersUsername).toBe(emulator.world.followersAccount.username);
    expect(await (await send('GET', '/openai/ping')).json()).toEqual({ pong: true });
  });

  it('adds and clears faults that the client then meets', async () => {
    const pk = emulator.world.followersAccount.pk;
    const created = await send('POST', '/instagram/faults', {
      scope: { account: okAccounts(emulator)[0]!.username },
      kind: 'feedback',
      times: 1,
    });
    expect(created.status).toBe(201);
    expect(await rejectionOf(ig.user.info(pk))).toBeInstanceOf(IgActionSpamError);
    await send('POST', '/instagram/faults', { kind: 'server_error', status: 503 });
    expect(((await rejectionOf(ig.user.info(pk))) as IgResponseError).response.statusCode).toBe(503);
    expect((await send('DELETE', '/instagram/faults')).status).toBe(200);
    expect((await ig.user.info(pk)).pk).toBe(pk);
    expect((await send('POST', '/instagram/faults', { kind: 'nonsense' })).status).toBe(400);
  });

  it('sets a rate limit and advances the manual clock', async () => {
    const username = okAccounts(emulator)[0]!.username;
    await send('PUT', '/instagram/rate-limit', { maxRequests: 1, windowMs: 60_000, account: username });
    const pk = emulator.world.followersAccount.pk;
    await ig.user.info(pk);
    expect(((await rejectionOf(ig.user.info(pk))) as IgResponseError).response.statusCode).toBe(401);
    expect(await (await send('POST', '/instagram/clock/advance', { ms: 60_001 })).json()).toEqual({ now: 60_001 });
    expect((await ig.user.info(pk)).pk).toBe(pk);
    await send('DELETE', `/instagram/rate-limit?account=${username}`);
  });

  it('serves the log, counters, login counts and expected world values', async () => {
    const username = okAccounts(emulator)[0]!.username;
    const log = (await (await send('GET', `/instagram/log?username=${username}`)).json()) as Array<{ route: string }>;
    expect(log[0]?.route).toBe('accounts/login');
    const counters = (await (await send('GET', '/instagram/counters')).json()) as { byAccount: Record<string, { logins: number }> };
    expect(counters.byAccount[username]?.logins).toBe(1);
    expect(await (await send('GET', `/instagram/logins/${username}`)).json()).toEqual({ username, logins: 1 });
    const creator = emulator.world.followersAccount;
    const world = (await (await send('GET', `/instagram/world/users/${creator.username}`)).json()) as {
      user: { followerCount: number };
      stats: { er: number };
    };
    expect(world.user.followerCount).toBe(1663);
    expect(world.stats.er).toBeGreaterThan(0);
    expect((await send('GET', `/instagram/world/users/${emulator.world.deleted[0]!.username}`)).status).toBe(404);
  });

  it('takes a proxy down and up, and resets', async () => {
    const down = (await (await send('POST', '/instagram/proxies/1/down')).json()) as Array<{ up: boolean }>;
    expect(down[1]?.up).toBe(false);
    const up = (await (await send('POST', '/instagram/proxies/1/up')).json()) as Array<{ up: boolean }>;
    expect(up[1]?.up).toBe(true);
    await send('POST', '/instagram/reset', { what: 'log' });
    expect(emulator.log).toHaveLength(0);
  });
});
