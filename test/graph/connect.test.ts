import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { loadConfig } from '../../src/config.js';
import { createGraphSource } from '../../src/graph/source.js';
import { TEST_API_KEY, TEST_SECRET_BOX, stubAccountOps } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { RecordingAlerter } from '../helpers/pool.js';
import { silent, startGraphHarness, type GraphHarness } from './harness.js';

describe('Graph API connect (Facebook Login → long-lived token sealed at rest → Pages → pick)', () => {
  let testDb: TestDatabase;
  let h: GraphHarness;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    h = await startGraphHarness(testDb);
  });
  afterAll(async () => {
    await h.close();
    await testDb.drop();
  });
  afterEach(async () => {
    h.graph.reset();
    await testDb.db.deleteFrom('graph_connections').execute();
    h.alerts.events.length = 0;
  });

  it('is off without its settings, and every route says which ones are missing (503, never 500)', async () => {
    const source = createGraphSource({
      db: testDb.db,
      box: TEST_SECRET_BOX,
      config: loadConfig({}),
      alerter: new RecordingAlerter(),
      logger: silent,
    });
    const app = createApp({
      db: testDb.db,
      logger: silent,
      apiKey: TEST_API_KEY,
      bodyLimitBytes: 1_000_000,
      maxAttempts: 3,
      isReady: () => true,
      version: 'test',
      secretBox: TEST_SECRET_BOX,
      accountOps: stubAccountOps,
      graph: source.connect,
    });
    const auth = { authorization: `Bearer ${TEST_API_KEY}` };
    const status = (await (await app.request('/api/graph', { headers: auth })).json()) as any;
    expect(status).toMatchObject({ enabled: false });
    expect(status.reason).toContain('GRAPH_APP_ID, GRAPH_APP_SECRET, GRAPH_REDIRECT_URL');
    // Valid requests: the input is checked first (a bad one is a 400 whether the source is on or off, as documented).
    for (const [method, path, body] of [
      ['GET', '/api/graph/connect'],
      ['GET', '/api/graph/callback?code=x&state=y'],
      ['POST', '/api/graph/discovery', { usernames: ['natgeo'] }],
      ['GET', '/api/graph/connections/1/pages'],
    ] as const) {
      const headers = body ? { ...auth, 'content-type': 'application/json' } : auth;
      const response = await app.request(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
      expect(response.status, path).toBe(503);
      expect(((await response.json()) as any).error.message).toContain('GRAPH_APP_ID');
    }
  });

  it('connects through the dialog, seals the 60-day token, lists Pages and picks the Instagram account', async () => {
    const { connectionId, igUserId, texts } = await h.connect();
    const tokens = h.graph.tokens().map((t) => t.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2); // short-lived, then long-lived
    const row = await testDb.db.selectFrom('graph_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    const long = h.graph.tokens().find((t) => t.kind === 'long')!;
    expect(row.token_encrypted).toMatch(/^v1:/);
    expect(row.token_encrypted).not.toContain(long.token);
    expect(TEST_SECRET_BOX.decrypt(row.token_encrypted)).toBe(long.token);
    expect(row.token_expires_at!.getTime()).toBe(Math.floor(long.expiresAt / 1000) * 1000);
    expect(row).toMatchObject({ status: 'active', ig_user_id: igUserId, ig_username: h.graph.pages[0]!.ig!.username });
    const listed = await h.call('GET', '/api/graph/connections');
    const pages = await h.call('GET', `/api/graph/connections/${connectionId}/pages`);
    expect(pages.body.pages.map((p: any) => p.instagram_account?.username ?? null)).toEqual(
      h.graph.pages.map((p) => p.ig?.username ?? null),
    );
    // No token in any answer.
    for (const text of [...texts, listed.text, pages.text]) for (const token of tokens) expect(text).not.toContain(token);
  });

  it('refuses a replayed, unknown or denied callback with a 400 that says why', async () => {
    const start = await h.call('GET', '/api/graph/connect?format=json');
    const dialog = await fetch(start.body.authorize_url, { redirect: 'manual' });
    const back = new URL(dialog.headers.get('location')!);
    expect((await h.call('GET', `/api/graph/callback${back.search}`, undefined, false)).status).toBe(200);
    const replay = await h.call('GET', `/api/graph/callback${back.search}`, undefined, false);
    expect(replay.status).toBe(400);
    expect(replay.body.error.message).toContain('state');
    const denied = await fetch(`${start.body.authorize_url.replace(/state=[^&]+/, '')}&emulator_deny=1`, { redirect: 'manual' });
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    const fresh = await h.call('GET', '/api/graph/connect?format=json');
    const state = new URL(fresh.body.authorize_url).searchParams.get('state')!;
    const refused = await h.call(
      'GET',
      `/api/graph/callback?error=access_denied&error_reason=user_denied&error_description=Permissions+error&state=${state}`,
      undefined,
      false,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('Permissions error');
    const pick = await h.call('PUT', '/api/graph/connections/999/account', { ig_user_id: '123' });
    expect(pick.status).toBe(404);
  });

  it('refresh_tokens refreshes a token well before it expires, and alerts when a permission is revoked or a refresh fails', async () => {
    const { connectionId } = await h.connect();
    const before = await testDb.db.selectFrom('graph_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(await h.source.connect.refreshTokens(new Date(h.clock.now))).toEqual({ checked: 1, refreshed: 0, failed: 0 }); // 60 days left
    h.clock.now += 31 * 86_400_000; // 29 days left: inside the 30-day window
    expect(await h.source.connect.refreshTokens(new Date(h.clock.now))).toEqual({ checked: 1, refreshed: 1, failed: 0 });
    const after = await testDb.db.selectFrom('graph_connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(after.token_expires_at!.getTime()).toBeGreaterThan(before.token_expires_at!.getTime() + 30 * 86_400_000);
    expect(TEST_SECRET_BOX.decrypt(after.token_encrypted)).not.toBe(TEST_SECRET_BOX.decrypt(before.token_encrypted));

    h.graph.removePermission('instagram_manage_insights');
    expect(await h.source.connect.refreshTokens(new Date(h.clock.now))).toMatchObject({ failed: 1 });
    expect(h.alerts.kinds()).toContain('graph_permission_revoked');
    const revoked = await h.call('GET', '/api/graph/connections');
    expect(revoked.body.items[0]).toMatchObject({ status: 'revoked' });
    expect(revoked.body.items[0].status_reason).toContain('instagram_manage_insights');
    expect((await h.call('GET', `/api/graph/connections/${connectionId}/pages`)).status).toBe(409);
  });

  it('a refresh the API refuses marks the connection and raises graph_token_refresh_failed', async () => {
    const { connectionId } = await h.connect();
    h.clock.now += 40 * 86_400_000;
    h.graph.fail(
      { status: 500, code: 2, message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException' },
      { path: /refresh_access_token/ },
    );
    expect(await h.source.connect.refreshTokens(new Date(h.clock.now))).toMatchObject({ refreshed: 0, failed: 1 });
    expect(h.alerts.kinds()).toEqual(['graph_token_refresh_failed']);
    const row = await testDb.db
      .selectFrom('graph_connections')
      .select(['status', 'status_reason'])
      .where('id', '=', connectionId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('refresh_failed');
    // The token itself still works until it expires: the connection stays usable meanwhile.
    expect((await h.call('GET', `/api/graph/connections/${connectionId}/pages`)).status).toBe(200);
    // The next run tries again and succeeds.
    expect(await h.source.connect.refreshTokens(new Date(h.clock.now))).toMatchObject({ refreshed: 1, failed: 0 });
  });
});
