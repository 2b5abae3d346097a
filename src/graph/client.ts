import { GraphApiError } from './errors.js';
import { parseUsage, type GraphUsage } from './usage.js';

/**
 * The Instagram Graph API over HTTP (global fetch; Meta publishes no maintained Node SDK for it). The user token
 * goes in an `Authorization` header, so it is never part of a URL that could be logged; error messages are Meta's
 * and carry no token. Every answer's usage headers are kept in `lastUsage` for pacing.
 */
export interface GraphClientSettings {
  apiBaseUrl: string;
  appId: string;
  appSecret: string;
  requestTimeoutMs: number;
}

export interface TokenGrant {
  accessToken: string;
  /** Seconds; absent for tokens that do not expire. */
  expiresIn: number | null;
}

export interface TokenInfo {
  isValid: boolean;
  userId: string | null;
  scopes: string[];
  issuedAt: Date | null;
  expiresAt: Date | null;
}

export interface PageWithIg {
  id: string;
  name: string;
  ig: { id: string; username: string } | null;
}

export interface GraphMediaItem {
  id: string;
  media_type?: string;
  media_product_type?: string;
  timestamp?: string;
  like_count?: number;
  comments_count?: number;
  permalink?: string;
  shortcode?: string;
  caption?: string;
}

export interface DiscoveredAccount {
  id: string;
  username: string;
  name?: string;
  biography?: string;
  website?: string;
  profile_picture_url?: string;
  followers_count?: number;
  follows_count?: number;
  media_count?: number;
  media: GraphMediaItem[];
}

/** The insights metrics asked for (Meta's 2025 set; `plays` and `impressions` are gone since v22.0). */
export const REEL_METRICS = [
  'reach',
  'views',
  'saved',
  'shares',
  'total_interactions',
  'ig_reels_avg_watch_time',
  'ig_reels_video_view_total_time',
] as const;
export const FEED_METRICS = ['reach', 'views', 'saved', 'shares', 'total_interactions'] as const;

const MEDIA_FIELDS = 'id,media_type,media_product_type,timestamp,like_count,comments_count,permalink,shortcode,caption';

export class GraphClient {
  lastUsage: GraphUsage | null = null;

  constructor(
    private readonly settings: GraphClientSettings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async get<T>(path: string, params: Record<string, string>, token?: string, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${this.settings.apiBaseUrl}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
    const response = await this.fetchImpl(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const usage = parseUsage(response.headers);
    if (usage.percent !== null || usage.regainMs > 0) this.lastUsage = usage;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GraphApiError(
        response.status,
        `Graph API answered ${response.status} with a body that is not JSON`,
        null,
        null,
        null,
        null,
        usage.regainMs,
      );
    }
    const error = (body as { error?: Record<string, unknown> }).error;
    if (!response.ok || error) {
      throw new GraphApiError(
        response.status,
        String(error?.['message'] ?? `HTTP ${response.status}`),
        typeof error?.['code'] === 'number' ? error['code'] : null,
        typeof error?.['error_subcode'] === 'number' ? error['error_subcode'] : null,
        typeof error?.['type'] === 'string' ? error['type'] : null,
        typeof error?.['fbtrace_id'] === 'string' ? error['fbtrace_id'] : null,
        usage.regainMs,
      );
    }
    return body as T;
  }

  private app(): Record<string, string> {
    return { client_id: this.settings.appId, client_secret: this.settings.appSecret };
  }

  async exchangeCode(code: string, redirectUri: string): Promise<TokenGrant> {
    return grant(await this.get('/oauth/access_token', { ...this.app(), redirect_uri: redirectUri, code }));
  }

  /** Short-lived → long-lived (60 days). */
  async longLived(shortToken: string): Promise<TokenGrant> {
    return grant(await this.get('/oauth/access_token', { ...this.app(), grant_type: 'fb_exchange_token', fb_exchange_token: shortToken }));
  }

  /** A new long-lived token for one at least 24 h old. */
  async refresh(token: string): Promise<TokenGrant> {
    return grant(await this.get('/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token }));
  }

  async debugToken(token: string): Promise<TokenInfo> {
    const { data } = await this.get<{ data: Record<string, unknown> }>('/debug_token', {
      input_token: token,
      access_token: `${this.settings.appId}|${this.settings.appSecret}`,
    });
    const seconds = (v: unknown) => (typeof v === 'number' && v > 0 ? new Date(v * 1000) : null);
    return {
      isValid: data['is_valid'] === true,
      userId: typeof data['user_id'] === 'string' ? data['user_id'] : null,
      scopes: Array.isArray(data['scopes']) ? (data['scopes'] as string[]) : [],
      issuedAt: seconds(data['issued_at']),
      expiresAt: seconds(data['expires_at']),
    };
  }

  me(token: string): Promise<{ id: string; name?: string }> {
    return this.get('/me', { fields: 'id,name' }, token);
  }

  async pages(token: string): Promise<PageWithIg[]> {
    const answer = await this.get<{
      data: Array<{ id: string; name: string; instagram_business_account?: { id: string; username: string } }>;
    }>('/me/accounts', { fields: 'id,name,instagram_business_account{id,username}', limit: '100' }, token);
    return answer.data.map((p) => ({ id: p.id, name: p.name, ig: p.instagram_business_account ?? null }));
  }

  /** The newest `limit` media of a connected account, following cursors. */
  async media(token: string, igUserId: string, limit: number, signal?: AbortSignal): Promise<GraphMediaItem[]> {
    const out: GraphMediaItem[] = [];
    let after: string | undefined;
    while (out.length < limit) {
      const params: Record<string, string> = { fields: MEDIA_FIELDS, limit: String(Math.min(50, limit - out.length)) };
      if (after) params['after'] = after;
      const page = await this.get<{ data: GraphMediaItem[]; paging?: { cursors?: { after?: string }; next?: string } }>(
        `/${igUserId}/media`,
        params,
        token,
        signal,
      );
      out.push(...page.data);
      after = page.paging?.next ? page.paging.cursors?.after : undefined;
      if (!after || page.data.length === 0) break;
    }
    return out.slice(0, limit);
  }

  async insights(token: string, mediaId: string, metrics: readonly string[], signal?: AbortSignal): Promise<Record<string, number | null>> {
    const answer = await this.get<{ data: Array<{ name: string; values?: Array<{ value: unknown }>; total_value?: { value: unknown } }> }>(
      `/${mediaId}/insights`,
      { metric: metrics.join(',') },
      token,
      signal,
    );
    const out: Record<string, number | null> = {};
    for (const entry of answer.data) {
      const value = entry.values?.[0]?.value ?? entry.total_value?.value;
      out[entry.name] = typeof value === 'number' ? value : null;
    }
    return out;
  }

  async businessDiscovery(
    token: string,
    igUserId: string,
    username: string,
    mediaLimit: number,
    signal?: AbortSignal,
  ): Promise<DiscoveredAccount> {
    const fields =
      `business_discovery.username(${username}){id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count,` +
      `media.limit(${mediaLimit}){id,like_count,comments_count,timestamp,media_product_type,media_type,permalink,caption}}`;
    const answer = await this.get<{ business_discovery: Omit<DiscoveredAccount, 'media'> & { media?: { data: GraphMediaItem[] } } }>(
      `/${igUserId}`,
      { fields },
      token,
      signal,
    );
    const bd = answer.business_discovery;
    return { ...bd, media: bd.media?.data ?? [] };
  }
}

function grant(body: unknown): TokenGrant {
  const b = body as { access_token?: unknown; expires_in?: unknown };
  if (typeof b.access_token !== 'string') throw new GraphApiError(200, 'the token answer has no access_token', null, null, null, null, 0);
  return { accessToken: b.access_token, expiresIn: typeof b.expires_in === 'number' ? b.expires_in : null };
}
