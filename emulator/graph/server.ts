/**
 * The Graph API emulator's HTTP surface (Hono). Paths may carry a version prefix (`/v25.0/me/accounts`) or not,
 * as graph.facebook.com accepts both. See emulator/README.md, "Graph API emulator", for the endpoints and sources.
 */
import { Hono, type Context } from 'hono';
import type { WorldMedia, WorldUser } from '../world/index.js';
import { errorBody, GRAPH_ERRORS, type GraphErrorSpec } from './errors.js';
import { parseFields, type FieldSpec } from './fields.js';
import { GraphState, LONG_LIVED_MS, REFRESH_MIN_AGE_MS, type TokenRecord } from './state.js';
import {
  DEPRECATED_METRICS,
  MEDIA_METRICS,
  REELS_ONLY_METRICS,
  graphIgUserId,
  graphMediaOf,
  isProfessional,
  mediaInsightsTruth,
  mediaTypes,
  pkFromGraphIgUserId,
  type MediaMetric,
} from './truth.js';

type Json = Record<string, unknown>;

class GraphFailure extends Error {
  constructor(readonly spec: GraphErrorSpec) {
    super(spec.message);
  }
}

const fail = (spec: GraphErrorSpec): never => {
  throw new GraphFailure(spec);
};

export function graphApp(state: GraphState): Hono {
  const app = new Hono();
  app.all('*', async (c) => {
    const rawPath = c.req.path;
    const path = rawPath.replace(/^\/v\d+\.\d+(?=\/)/, '');
    let status = 200;
    let errorCode: number | undefined;
    try {
      const response = await route(state, c, path);
      status = response.status;
      return response;
    } catch (error) {
      if (!(error instanceof GraphFailure)) throw error;
      status = error.spec.status;
      errorCode = error.spec.code;
      const headers = (error as GraphFailure & { headers?: Record<string, string> }).headers ?? {};
      return c.json(errorBody(error.spec), error.spec.status as 400, headers);
    } finally {
      state.log.push({ method: c.req.method, path, status, ...(errorCode !== undefined ? { errorCode } : {}) });
    }
  });
  return app;
}

async function route(state: GraphState, c: Context, path: string): Promise<Response> {
  const q = (name: string) => c.req.query(name);
  const scripted = state.takeFault(path);
  if (scripted && ['/oauth/access_token', '/debug_token', '/refresh_access_token'].includes(path)) fail(scripted);
  if (path === '/dialog/oauth') return dialog(state, c);
  if (path === '/oauth/access_token') return c.json(exchange(state, q));
  if (path === '/debug_token') return c.json(debugToken(state, q));
  if (path === '/refresh_access_token') return c.json(refresh(state, q));

  const token = authenticate(state, q('access_token') ?? c.req.header('authorization')?.replace(/^(Bearer|OAuth)\s+/i, ''));
  const usage = state.countCall();
  // The BUC header is about the Instagram account the call concerns: the one in the path, or the owner of the media.
  const firstSegment = path.split('/')[1] ?? '';
  const ownerPk = state.world.mediaByPk(firstSegment)?.ownerPk;
  const igIdInPath =
    /^\/(1784140\d{11})(\/|$)/.exec(path)?.[1] ?? (ownerPk !== undefined && state.pageOfIg(ownerPk) ? graphIgUserId(ownerPk) : undefined);
  const headers = usageHeaders(state, usage, igIdInPath);
  const now = state.now();
  if (state.throttle && state.throttle.until > now) return respondError(c, state.throttle.spec, headers);
  if (scripted) return respondError(c, scripted, headers);
  if (usage.app >= 100 && !state.forcedUsage) return respondError(c, GRAPH_ERRORS.appLimit(), headers);

  const segments = path.split('/').filter(Boolean);
  let body: Json;
  if (segments[0] === 'me' && segments.length === 1) body = { id: state.user.id, name: state.user.name };
  else if (segments[0] === 'me' && segments[1] === 'accounts') body = meAccounts(state, token, q('fields'));
  else if (segments.length === 1 && pkFromGraphIgUserId(segments[0]!) !== null) body = igUserNode(state, token, segments[0]!, q('fields'));
  else if (segments.length === 2 && segments[1] === 'media' && pkFromGraphIgUserId(segments[0]!) !== null)
    body = igUserMedia(state, token, segments[0]!, c);
  else if (segments.length === 2 && segments[1] === 'insights') body = mediaInsights(state, token, segments[0]!, q('metric'));
  else if (segments.length === 1 && state.world.mediaByPk(segments[0]!)) body = mediaNode(state, token, segments[0]!, q('fields'));
  else body = fail(GRAPH_ERRORS.objectNotFound(segments.join('/')));
  return c.json(body, 200, headers);
}

function respondError(c: Context, spec: GraphErrorSpec, headers: Record<string, string>): Response {
  throw Object.assign(new GraphFailure(spec), { headers });
}

function usageHeaders(state: GraphState, usage: { app: number; buc: number }, igUserId: string | undefined): Record<string, string> {
  const regainMinutes = state.throttle && state.throttle.until > state.now() ? Math.ceil((state.throttle.until - state.now()) / 60_000) : 0;
  const headers: Record<string, string> = {
    'x-app-usage': JSON.stringify({
      call_count: usage.app,
      total_cputime: Math.round(usage.app / 2),
      total_time: Math.round(usage.app / 2),
    }),
    'x-fb-trace-id': 'emulator',
  };
  if (igUserId) {
    headers['x-business-use-case-usage'] = JSON.stringify({
      [igUserId]: [
        {
          type: 'instagram',
          call_count: usage.buc,
          total_cputime: Math.round(usage.buc / 2),
          total_time: Math.round(usage.buc / 2),
          estimated_time_to_regain_access: regainMinutes,
        },
      ],
    });
  }
  return headers;
}

// ---- OAuth ---------------------------------------------------------------------------------------------------

function dialog(state: GraphState, c: Context): Response {
  const clientId = c.req.query('client_id');
  const redirectUri = c.req.query('redirect_uri');
  const stateParam = c.req.query('state');
  if (clientId !== state.app.id) return c.html('<h1>Invalid App ID</h1><p>The provided app ID does not look like a valid app ID.</p>', 400);
  if (!redirectUri || !/^https?:\/\//.test(redirectUri))
    return c.html('<h1>URL blocked</h1><p>redirect_uri is missing or not absolute.</p>', 400);
  const target = new URL(redirectUri);
  if (c.req.query('emulator_deny') === '1') {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_code', '200');
    target.searchParams.set('error_description', 'Permissions error');
    target.searchParams.set('error_reason', 'user_denied');
  } else {
    const scopes = (c.req.query('scope') ?? '').split(/[\s,]+/).filter(Boolean);
    target.searchParams.set('code', state.issueCode(redirectUri, scopes.length > 0 ? scopes : ['instagram_basic']));
  }
  if (stateParam !== undefined) target.searchParams.set('state', stateParam);
  // Facebook appends #_=_ to the redirect; browsers drop it from what reaches the server.
  return c.redirect(`${target.toString()}#_=_`, 302);
}

function checkApp(state: GraphState, clientId: string | undefined, secret: string | undefined): void {
  if (clientId !== state.app.id) fail(GRAPH_ERRORS.badClient());
  if (secret !== state.app.secret) fail(GRAPH_ERRORS.badSecret());
}

function exchange(state: GraphState, q: (name: string) => string | undefined): Json {
  checkApp(state, q('client_id'), q('client_secret'));
  if (q('grant_type') === 'fb_exchange_token') {
    const short = authenticate(state, q('fb_exchange_token'));
    const long = state.issueToken('long', short.scopes);
    return { access_token: long.token, token_type: 'bearer', expires_in: Math.round(LONG_LIVED_MS / 1000) };
  }
  const code = q('code');
  const entry = code ? state.codes.get(code) : undefined;
  if (!code || !entry) return fail(GRAPH_ERRORS.codeInvalid());
  if (entry.used) return fail(GRAPH_ERRORS.codeUsed());
  if (entry.redirectUri !== q('redirect_uri')) return fail(GRAPH_ERRORS.redirectMismatch());
  entry.used = true;
  const short = state.issueToken('short', entry.scopes);
  return { access_token: short.token, token_type: 'bearer', expires_in: Math.round((short.expiresAt - short.issuedAt) / 1000) };
}

function debugToken(state: GraphState, q: (name: string) => string | undefined): Json {
  const [appId, secret] = (q('access_token') ?? '').split('|');
  if (appId !== state.app.id || secret !== state.app.secret) {
    // A user token may inspect itself too; anything else is not allowed.
    if (!state.tokens.has(q('access_token') ?? '')) fail(GRAPH_ERRORS.tokenInvalid());
  }
  const record = state.tokens.get(q('input_token') ?? '');
  if (!record) return { data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token.' }, scopes: [] } };
  const now = state.now();
  const valid = !record.revoked && record.expiresAt > now;
  return {
    data: {
      app_id: state.app.id,
      type: 'USER',
      application: 'ig-scout (emulated)',
      data_access_expires_at: Math.floor((record.issuedAt + 90 * 86_400_000) / 1000),
      expires_at: Math.floor(record.expiresAt / 1000),
      is_valid: valid,
      issued_at: Math.floor(record.issuedAt / 1000),
      scopes: record.scopes,
      granular_scopes: record.scopes
        .filter((s) => s.startsWith('instagram_') || s.startsWith('pages_'))
        .map((scope) => ({
          scope,
          target_ids: state.pages.map((p) => p.id),
        })),
      user_id: record.userId,
      ...(valid ? {} : { error: errorBody(tokenError(state, record)).error }),
    },
  };
}

function refresh(state: GraphState, q: (name: string) => string | undefined): Json {
  const record = authenticate(state, q('access_token'));
  if (q('grant_type') !== 'ig_refresh_token' && q('grant_type') !== 'fb_exchange_token')
    fail(GRAPH_ERRORS.badParameter('grant_type must be ig_refresh_token'));
  if (record.kind !== 'long') fail(GRAPH_ERRORS.badParameter('Only long-lived access tokens can be refreshed'));
  if (state.now() - record.issuedAt < REFRESH_MIN_AGE_MS) fail(GRAPH_ERRORS.refreshTooEarly());
  // The refreshed token is a new 60-day token; the old one stays valid until its own expiry, as Meta's does.
  const fresh = state.issueToken('long', record.scopes);
  return { access_token: fresh.token, token_type: 'bearer', expires_in: Math.round(LONG_LIVED_MS / 1000) };
}

function tokenError(state: GraphState, record: TokenRecord): GraphErrorSpec {
  if (record.revoked === 'app_removed') return GRAPH_ERRORS.appDeauthorized();
  if (record.revoked) return GRAPH_ERRORS.tokenRevoked();
  return GRAPH_ERRORS.tokenExpired(record.expiresAt, state.now());
}

function authenticate(state: GraphState, token: string | undefined): TokenRecord {
  if (!token) return fail(GRAPH_ERRORS.tokenMissing());
  const record = state.tokens.get(token);
  if (!record) return fail(GRAPH_ERRORS.tokenInvalid());
  if (record.revoked || record.expiresAt <= state.now()) return fail(tokenError(state, record));
  return record;
}

function requireScope(token: TokenRecord, scope: string): void {
  if (!token.scopes.includes(scope)) fail(GRAPH_ERRORS.permission(scope));
}

// ---- Pages and Instagram accounts ---------------------------------------------------------------------------

function meAccounts(state: GraphState, token: TokenRecord, fields: string | undefined): Json {
  requireScope(token, 'pages_show_list');
  const wanted = parseFields(fields ?? 'id,name');
  const data = state.pages.map((page) => {
    const out: Json = { id: page.id };
    for (const f of wanted) {
      if (f.name === 'name') out['name'] = page.name;
      else if (f.name === 'category') out['category'] = page.category;
      else if (f.name === 'access_token') out['access_token'] = `EAAP${page.id}`;
      else if (f.name === 'instagram_business_account' && page.ig) {
        out['instagram_business_account'] = igUserFields(
          page.ig,
          f.children.length > 0 ? f.children : [{ name: 'id', modifiers: {}, children: [] }],
        );
      }
    }
    return out;
  });
  return { data, paging: { cursors: { before: 'MAZDZD', after: 'MAZDZD' } } };
}

function connectedIg(state: GraphState, igUserId: string): WorldUser {
  const pk = pkFromGraphIgUserId(igUserId);
  const page = pk === null ? undefined : state.pageOfIg(pk);
  if (!page?.ig) return fail(GRAPH_ERRORS.objectNotFound(igUserId));
  return page.ig;
}

function igUserFields(user: WorldUser, fields: FieldSpec[]): Json {
  const out: Json = { id: graphIgUserId(user.pk) };
  for (const f of fields) {
    if (f.name === 'username') out['username'] = user.username;
    else if (f.name === 'name') out['name'] = user.fullName;
    else if (f.name === 'followers_count') out['followers_count'] = user.followerCount;
    else if (f.name === 'follows_count') out['follows_count'] = user.followingCount;
    else if (f.name === 'media_count') out['media_count'] = user.mediaCount;
    else if (f.name === 'biography') out['biography'] = user.biography;
    else if (f.name === 'website') out['website'] = user.externalUrl;
    else if (f.name === 'profile_picture_url') out['profile_picture_url'] = `https://scontent.cdninstagram.com/v/${user.pk}.jpg`;
  }
  return out;
}

function igUserNode(state: GraphState, token: TokenRecord, igUserId: string, fields: string | undefined): Json {
  requireScope(token, 'instagram_basic');
  const me = connectedIg(state, igUserId);
  let specs: FieldSpec[];
  try {
    specs = parseFields(fields ?? 'id');
  } catch (error) {
    return fail(GRAPH_ERRORS.badParameter((error as Error).message));
  }
  const out = igUserFields(
    me,
    specs.filter((s) => s.name !== 'business_discovery'),
  );
  const discovery = specs.find((s) => s.name === 'business_discovery');
  if (discovery) out['business_discovery'] = businessDiscovery(state, discovery);
  return out;
}

function businessDiscovery(state: GraphState, spec: FieldSpec): Json {
  const username = spec.modifiers['username'];
  if (!username) return fail(GRAPH_ERRORS.badParameter('business_discovery needs .username(name)'));
  const target = state.world.user(username);
  if (!target || !isProfessional(target) || target.isPrivate) return fail(GRAPH_ERRORS.discoveryNotFound(username));
  const out = igUserFields(target, spec.children);
  const mediaSpec = spec.children.find((c) => c.name === 'media');
  if (mediaSpec) {
    const limit = Math.min(Number(mediaSpec.modifiers['limit'] ?? 25) || 25, 100);
    const offset = decodeCursor(mediaSpec.modifiers['after']);
    const all = graphMediaOf(state.world, target.pk);
    const page = all.slice(offset, offset + limit);
    out['media'] = {
      data: page.map((m) => mediaFields(m, mediaSpec.children, true)),
      paging: { cursors: { before: encodeCursor(offset), after: encodeCursor(offset + page.length) } },
    };
    if (offset + page.length >= all.length) delete (out['media'] as { paging: { cursors: Json } }).paging.cursors['after'];
  }
  return out;
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : fail(GRAPH_ERRORS.badParameter('invalid cursor'));
}

const isoTime = (unix: number) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');

/**
 * A media's fields. `viaDiscovery`: read through another account (business discovery), where a hidden like count
 * is omitted (Meta's IG Media reference, `like_count`).
 */
function mediaFields(m: WorldMedia, fields: FieldSpec[], viaDiscovery: boolean): Json {
  const out: Json = { id: m.pk };
  const types = mediaTypes(m);
  const wanted = fields.length > 0 ? fields.map((f) => f.name) : ['id'];
  for (const name of wanted) {
    if (name === 'caption' && m.captionText) out['caption'] = m.captionText;
    else if (name === 'media_type') out['media_type'] = types.media_type;
    else if (name === 'media_product_type') out['media_product_type'] = types.media_product_type;
    else if (name === 'timestamp') out['timestamp'] = isoTime(m.takenAt);
    else if (name === 'like_count' && !(viaDiscovery && m.countsHidden)) out['like_count'] = m.likeCount;
    else if (name === 'comments_count') out['comments_count'] = m.commentCount;
    else if (name === 'permalink') out['permalink'] = `https://www.instagram.com/${m.kind === 'reel' ? 'reel' : 'p'}/${m.code}/`;
    else if (name === 'shortcode') out['shortcode'] = m.code;
    else if (name === 'media_url') out['media_url'] = `https://scontent.cdninstagram.com/v/${m.pk}.jpg`;
    else if (name === 'thumbnail_url' && types.media_type === 'VIDEO')
      out['thumbnail_url'] = `https://scontent.cdninstagram.com/v/${m.pk}_thumb.jpg`;
  }
  return out;
}

function igUserMedia(state: GraphState, token: TokenRecord, igUserId: string, c: Context): Json {
  requireScope(token, 'instagram_basic');
  const me = connectedIg(state, igUserId);
  const limit = Math.min(Number(c.req.query('limit') ?? 25) || 25, 100);
  const offset = decodeCursor(c.req.query('after'));
  const all = graphMediaOf(state.world, me.pk);
  const page = all.slice(offset, offset + limit);
  const fields = parseFields(c.req.query('fields') ?? 'id');
  const paging: Json = { cursors: { before: encodeCursor(offset), after: encodeCursor(offset + page.length) } };
  if (offset + page.length < all.length) {
    const next = new URL(c.req.url);
    next.searchParams.set('after', encodeCursor(offset + page.length));
    next.searchParams.delete('access_token');
    paging['next'] = next.toString();
  }
  return { data: page.map((m) => mediaFields(m, fields, false)), paging };
}

function ownedMedia(state: GraphState, mediaId: string): WorldMedia {
  const media = state.world.mediaByPk(mediaId);
  if (!media || !state.pageOfIg(media.ownerPk)) return fail(GRAPH_ERRORS.objectNotFound(mediaId));
  return media;
}

function mediaNode(state: GraphState, token: TokenRecord, mediaId: string, fields: string | undefined): Json {
  requireScope(token, 'instagram_basic');
  return mediaFields(ownedMedia(state, mediaId), parseFields(fields ?? 'id'), false);
}

const METRIC_TITLES: Record<MediaMetric, string> = {
  reach: 'Accounts reached',
  views: 'Views',
  saved: 'Saved',
  shares: 'Shares',
  likes: 'Likes',
  comments: 'Comments',
  total_interactions: 'Interactions',
  ig_reels_avg_watch_time: 'Average watch time',
  ig_reels_video_view_total_time: 'Watch time',
};

function mediaInsights(state: GraphState, token: TokenRecord, mediaId: string, metricParam: string | undefined): Json {
  requireScope(token, 'instagram_basic');
  requireScope(token, 'instagram_manage_insights');
  const media = ownedMedia(state, mediaId);
  const metrics = (metricParam ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (metrics.length === 0) fail(GRAPH_ERRORS.badParameter('The parameter metric is required'));
  for (const metric of metrics) {
    if ((DEPRECATED_METRICS as readonly string[]).includes(metric)) fail(GRAPH_ERRORS.deprecatedMetric(metric, 'v22.0'));
    if (!(MEDIA_METRICS as readonly string[]).includes(metric)) fail(GRAPH_ERRORS.unknownMetric(metric, MEDIA_METRICS));
    if (REELS_ONLY_METRICS.includes(metric as MediaMetric) && media.kind !== 'reel') fail(GRAPH_ERRORS.unsupportedMetric(metric));
  }
  const truth = mediaInsightsTruth(media);
  return {
    data: metrics.map((name) => ({
      name,
      period: 'lifetime',
      values: [{ value: truth[name as MediaMetric] }],
      title: METRIC_TITLES[name as MediaMetric],
      description: `${METRIC_TITLES[name as MediaMetric]} of this media (emulated).`,
      id: `${media.pk}/insights/${name}/lifetime`,
    })),
  };
}
