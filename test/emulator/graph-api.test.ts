import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld } from '../../emulator/world/index.js';
import {
  discoveryTruth,
  graphIgUserId,
  mediaInsightsTruth,
  graphMediaOf,
  REFRESH_MIN_AGE_MS,
  startGraphEmulator,
  type GraphEmulator,
} from '../../emulator/graph/index.js';

/** The Graph API emulator, spoken to over HTTP as a client would (plain fetch: Meta publishes no Node SDK for it). */
describe('Graph API emulator', () => {
  let now = Date.UTC(2026, 10, 1);
  let graph: GraphEmulator;
  const world = createWorld({ seed: 5 });

  beforeAll(async () => {
    graph = await startGraphEmulator({ world, now: () => now });
  });
  afterAll(() => graph.close());

  const get = async (path: string, params: Record<string, string>) => {
    const url = new URL(path.startsWith('http') ? path : `${graph.baseUrl}${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const response = await fetch(url, { redirect: 'manual' });
    return {
      status: response.status,
      headers: response.headers,
      body: (response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text()) as any,
    };
  };

  async function connect(): Promise<string> {
    const redirectUri = 'http://127.0.0.1:1/cb';
    const dialog = await get(graph.dialogUrl, {
      client_id: graph.app.id,
      redirect_uri: redirectUri,
      state: 'csrf-123',
      scope: 'instagram_basic,instagram_manage_insights,pages_show_list',
    });
    expect(dialog.status).toBe(302);
    const back = new URL(dialog.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('csrf-123');
    const code = back.searchParams.get('code')!;
    const short = await get('/oauth/access_token', {
      client_id: graph.app.id,
      client_secret: graph.app.secret,
      redirect_uri: redirectUri,
      code,
    });
    expect(short.status).toBe(200);
    const again = await get('/oauth/access_token', {
      client_id: graph.app.id,
      client_secret: graph.app.secret,
      redirect_uri: redirectUri,
      code,
    });
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 36009, type: 'OAuthException' });
    const long = await get('/oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: graph.app.id,
      client_secret: graph.app.secret,
      fb_exchange_token: short.body.access_token,
    });
    expect(long.body).toMatchObject({ token_type: 'bearer', expires_in: 60 * 86_400 });
    return long.body.access_token as string;
  }

  it('runs the OAuth dialog, the code exchange and a 60-day token that debug_token describes', async () => {
    const token = await connect();
    const debug = await get('/debug_token', { input_token: token, access_token: `${graph.app.id}|${graph.app.secret}` });
    expect(debug.body.data).toMatchObject({
      is_valid: true,
      type: 'USER',
      app_id: graph.app.id,
      expires_at: Math.floor(now / 1000) + 60 * 86_400,
    });
    expect(debug.body.data.scopes).toContain('instagram_manage_insights');
  });

  it("lists Pages with their Instagram professional account, and that account's media and 2025 insights", async () => {
    const token = await connect();
    const pages = await get('/me/accounts', { fields: 'id,name,instagram_business_account{id,username}', access_token: token });
    const withIg = pages.body.data.filter((p: any) => p.instagram_business_account);
    expect(withIg.length).toBe(2);
    const ig = graph.pages[0]!.ig!;
    expect(withIg[0].instagram_business_account).toEqual({ id: graphIgUserId(ig.pk), username: ig.username });
    expect(pages.headers.get('x-app-usage')).toMatch(/"call_count":\d+/);

    const media = await get(`/${graphIgUserId(ig.pk)}/media`, {
      fields: 'id,media_product_type,timestamp,like_count',
      limit: '5',
      access_token: token,
    });
    expect(media.body.data.map((m: any) => m.id)).toEqual(
      graphMediaOf(world, ig.pk)
        .slice(0, 5)
        .map((m) => m.pk),
    );
    expect(media.body.paging.next).toBeTruthy();
    const usage = JSON.parse(media.headers.get('x-business-use-case-usage')!);
    expect(usage[graphIgUserId(ig.pk)][0]).toMatchObject({ type: 'instagram', estimated_time_to_regain_access: 0 });

    const reel = graphMediaOf(world, ig.pk).find((m) => m.kind === 'reel')!;
    const insights = await get(`/${reel.pk}/insights`, {
      metric: 'reach,views,saved,shares,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time',
      access_token: token,
    });
    const truth = mediaInsightsTruth(reel);
    expect(Object.fromEntries(insights.body.data.map((d: any) => [d.name, d.values[0].value]))).toEqual({
      reach: truth.reach,
      views: truth.views,
      saved: truth.saved,
      shares: truth.shares,
      total_interactions: truth.total_interactions,
      ig_reels_avg_watch_time: truth.ig_reels_avg_watch_time,
      ig_reels_video_view_total_time: truth.ig_reels_video_view_total_time,
    });
  });

  it('refuses the deprecated metrics plays and impressions with code 100', async () => {
    const token = await connect();
    const reel = graphMediaOf(world, graph.pages[0]!.ig!.pk).find((m) => m.kind === 'reel')!;
    for (const metric of ['plays', 'impressions']) {
      const answer = await get(`/${reel.pk}/insights`, { metric: `reach,${metric}`, access_token: token });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 100, type: 'OAuthException' });
      expect(answer.body.error.message).toContain(`the ${metric} metric is no longer supported`);
      expect(answer.body.error.fbtrace_id).toMatch(/^[\w-]{10,}$/);
    }
  });

  it("answers business discovery with the world's figures, and 110/2207013 for a personal account", async () => {
    const token = await connect();
    const me = graphIgUserId(graph.pages[0]!.ig!.pk);
    const target = world.creators.find(
      (c) => (c.accountType === 2 || c.accountType === 3) && !c.isPrivate && c.pk !== graph.pages[0]!.ig!.pk,
    )!;
    const answer = await get(`/${me}`, {
      fields: `business_discovery.username(${target.username}){followers_count,media_count,media.limit(12){like_count,comments_count,timestamp,media_product_type}}`,
      access_token: token,
    });
    const truth = discoveryTruth(world, target.username, 12)!;
    expect(answer.body.business_discovery).toMatchObject({ followers_count: truth.followers, media_count: truth.mediaCount });
    expect(answer.body.business_discovery.media.data.map((m: any) => m.comments_count)).toEqual(truth.media.map((m) => m.commentCount));
    const personal = world.creators.find((c) => c.accountType === 1 && !c.isPrivate)!;
    const refused = await get(`/${me}`, {
      fields: `business_discovery.username(${personal.username}){followers_count}`,
      access_token: token,
    });
    expect(refused.body.error).toMatchObject({ code: 110, error_subcode: 2207013 });
  });

  it('refreshes a long-lived token only once it is 24 h old; expired and revoked tokens answer 190 with their subcode', async () => {
    const token = await connect();
    const early = await get('/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token });
    expect(early.status).toBe(400);
    now += REFRESH_MIN_AGE_MS;
    const fresh = await get('/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token });
    expect(fresh.body).toMatchObject({ token_type: 'bearer', expires_in: 60 * 86_400 });
    now += 61 * 86_400_000;
    const expired = await get('/me', { access_token: fresh.body.access_token });
    expect(expired.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
    const other = await connect();
    graph.revokeTokens();
    expect((await get('/me', { access_token: other })).body.error).toMatchObject({ code: 190, error_subcode: 460 });
  });

  it('throttles with the real codes and says when access returns; a removed permission answers 10', async () => {
    graph.reset();
    const token = await connect();
    const me = graphIgUserId(graph.pages[0]!.ig!.pk);
    graph.throttle('instagram', 5 * 60_000);
    const throttled = await get(`/${me}/media`, { access_token: token });
    expect(throttled.body.error).toMatchObject({ code: 80002 });
    expect(JSON.parse(throttled.headers.get('x-business-use-case-usage')!)[me][0].estimated_time_to_regain_access).toBe(5);
    for (const [kind, code] of [
      ['app', 4],
      ['user', 17],
      ['page', 32],
      ['custom', 613],
    ] as const) {
      graph.throttle(kind, 60_000);
      expect((await get(`/${me}/media`, { access_token: token })).body.error.code).toBe(code);
    }
    now += 61_000;
    expect((await get(`/${me}/media`, { access_token: token })).status).toBe(200);
    graph.removePermission('instagram_manage_insights');
    const reel = graphMediaOf(world, graph.pages[0]!.ig!.pk)[0]!;
    const denied = await get(`/${reel.pk}/insights`, { metric: 'reach', access_token: token });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 10 });
  });
});
