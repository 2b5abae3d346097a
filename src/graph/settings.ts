import type { Config } from '../config.js';

/** The Graph API source's settings from the configuration; `enabled: false` says why when a required one is missing. */
export type GraphSettings =
  | { enabled: false; reason: string }
  | {
      enabled: true;
      appId: string;
      appSecret: string;
      redirectUrl: string;
      apiBaseUrl: string;
      dialogUrl: string;
      scopes: string[];
      stateTtlMs: number;
      refreshWithinMs: number;
      pacing: GraphPacing;
      mediaSyncCount: number;
      requestTimeoutMs: number;
    };

export type EnabledGraphSettings = Extract<GraphSettings, { enabled: true }>;

export interface GraphPacing {
  slowdownPercent: number;
  maxDelayMs: number;
  stopPercent: number;
  throttleWaitMs: number;
}

type GraphConfig = Pick<
  Config,
  | 'GRAPH_APP_ID'
  | 'GRAPH_APP_SECRET'
  | 'GRAPH_REDIRECT_URL'
  | 'GRAPH_API_BASE_URL'
  | 'GRAPH_DIALOG_URL'
  | 'GRAPH_SCOPES'
  | 'GRAPH_OAUTH_STATE_TTL_MS'
  | 'GRAPH_TOKEN_REFRESH_WITHIN_DAYS'
  | 'GRAPH_USAGE_SLOWDOWN_PERCENT'
  | 'GRAPH_USAGE_MAX_DELAY_MS'
  | 'GRAPH_USAGE_STOP_PERCENT'
  | 'GRAPH_THROTTLE_WAIT_MS'
  | 'GRAPH_MEDIA_SYNC_COUNT'
  | 'GRAPH_REQUEST_TIMEOUT_MS'
>;

export function graphSettings(config: GraphConfig): GraphSettings {
  const missing = (['GRAPH_APP_ID', 'GRAPH_APP_SECRET', 'GRAPH_REDIRECT_URL'] as const).filter((name) => !config[name]);
  if (missing.length > 0) {
    return { enabled: false, reason: `the Graph API source is off: set ${missing.join(', ')} (see README, "Graph API")` };
  }
  const apiBaseUrl = config.GRAPH_API_BASE_URL.replace(/\/+$/, '');
  return {
    enabled: true,
    appId: config.GRAPH_APP_ID!,
    appSecret: config.GRAPH_APP_SECRET!,
    redirectUrl: config.GRAPH_REDIRECT_URL!,
    apiBaseUrl,
    dialogUrl: config.GRAPH_DIALOG_URL ?? defaultDialogUrl(apiBaseUrl),
    scopes: config.GRAPH_SCOPES.split(/[\s,]+/).filter(Boolean),
    stateTtlMs: config.GRAPH_OAUTH_STATE_TTL_MS,
    refreshWithinMs: config.GRAPH_TOKEN_REFRESH_WITHIN_DAYS * 86_400_000,
    pacing: {
      slowdownPercent: config.GRAPH_USAGE_SLOWDOWN_PERCENT,
      maxDelayMs: config.GRAPH_USAGE_MAX_DELAY_MS,
      stopPercent: Math.max(config.GRAPH_USAGE_STOP_PERCENT, config.GRAPH_USAGE_SLOWDOWN_PERCENT),
      throttleWaitMs: config.GRAPH_THROTTLE_WAIT_MS,
    },
    mediaSyncCount: config.GRAPH_MEDIA_SYNC_COUNT,
    requestTimeoutMs: config.GRAPH_REQUEST_TIMEOUT_MS,
  };
}

/** graph.facebook.com/vX → www.facebook.com/vX/dialog/oauth; any other host (the emulator) serves the dialog itself. */
export function defaultDialogUrl(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  if (url.hostname === 'graph.facebook.com') url.hostname = 'www.facebook.com';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/dialog/oauth`;
  return url.toString();
}
