/**
 * Programmatic entry point of the offline Instagram Graph API emulator (Facebook Login for Business, tokens,
 * Pages → Instagram professional accounts, media, insights, business discovery, usage headers, error bodies).
 * It serves the same deterministic world as the private-API emulator:
 *
 *   const graph = await startGraphEmulator({ world: instagram.world });
 *   GRAPH_API_BASE_URL = graph.baseUrl; GRAPH_APP_ID = graph.app.id; GRAPH_APP_SECRET = graph.app.secret
 *   graph.throttle('app', 10 * 60_000); graph.expireTokens(); graph.revokeTokens();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createWorld, type World, type WorldOptionsInput } from '../world/index.js';
import { GRAPH_ERRORS, type GraphErrorSpec } from './errors.js';
import { graphApp } from './server.js';
import { GraphState, type GraphPage, type GraphRequestLog, type TokenRecord } from './state.js';

export { discoveryTruth, graphIgUserId, mediaInsightsTruth, graphMediaOf, MEDIA_METRICS, type DiscoveryTruth } from './truth.js';
export { GRAPH_ERRORS, type GraphErrorSpec } from './errors.js';
export { LONG_LIVED_MS, REFRESH_MIN_AGE_MS, DEFAULT_SCOPES } from './state.js';

/** The Graph API version the emulator announces (current in 2026; see emulator/README.md). */
export const GRAPH_VERSION = 'v25.0';

export interface GraphEmulatorOptions {
  /** Share the private-API emulator's world (same creators, same figures); or a world from a seed. */
  world?: World;
  seed?: number;
  worldOptions?: WorldOptionsInput;
  host?: string;
  port?: number;
  /** Milliseconds since the epoch; tests pass a movable clock to age tokens. Default Date.now. */
  now?: () => number;
  app?: { id: string; secret: string };
  /** Calls per hour that make 100 % in the usage headers (default 200: Meta's per-user figure). */
  callsPerHour?: number;
}

export type ThrottleKind = 'app' | 'user' | 'page' | 'custom' | 'instagram';

export interface GraphEmulator {
  /** e.g. `http://127.0.0.1:PORT/v25.0` — GRAPH_API_BASE_URL. */
  readonly baseUrl: string;
  /** The OAuth dialog, e.g. `http://127.0.0.1:PORT/v25.0/dialog/oauth`. */
  readonly dialogUrl: string;
  readonly port: number;
  readonly app: { id: string; secret: string };
  readonly world: World;
  readonly user: { id: string; name: string };
  readonly pages: readonly GraphPage[];
  /** Every request so far, oldest first. */
  readonly log: readonly GraphRequestLog[];
  tokens(): TokenRecord[];
  /** Every token expires now (190/463 from then on). */
  expireTokens(): void;
  /** The user changed their password (190/460), or removed the app (190/458). */
  revokeTokens(how?: 'session_invalidated' | 'app_removed'): void;
  /** The user removed one permission from the app (10 on the calls that need it). */
  removePermission(scope: string): void;
  /** Every call answers this rate-limit error for `ms` (the BUC header says when access returns). */
  throttle(kind: ThrottleKind, ms: number): void;
  /** The next `times` calls whose path matches answer this error. */
  fail(spec: GraphErrorSpec, options?: { times?: number; path?: RegExp }): void;
  /** Force the usage percentages the headers report (null: computed from calls). */
  setUsage(usage: { app?: number; buc?: number } | null): void;
  reset(): void;
  close(): Promise<void>;
}

const THROTTLES: Record<ThrottleKind, () => GraphErrorSpec> = {
  app: GRAPH_ERRORS.appLimit,
  user: GRAPH_ERRORS.userLimit,
  page: GRAPH_ERRORS.pageLimit,
  custom: GRAPH_ERRORS.customLimit,
  instagram: GRAPH_ERRORS.bucLimit,
};

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const world = options.world ?? createWorld({ ...options.worldOptions, seed: options.seed ?? options.worldOptions?.seed ?? 1 });
  const app = options.app ?? { id: '1234567890123456', secret: 'emulated-app-secret-0123456789abcdef' };
  const state = new GraphState(world, app, GRAPH_VERSION, options.now ?? Date.now, options.callsPerHour ?? 200);
  const host = options.host ?? '127.0.0.1';
  const server = createAdaptorServer({ fetch: graphApp(state).fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    baseUrl: `${origin}/${GRAPH_VERSION}`,
    dialogUrl: `${origin}/${GRAPH_VERSION}/dialog/oauth`,
    port,
    app,
    world,
    user: state.user,
    pages: state.pages,
    get log() {
      return state.log;
    },
    tokens: () => [...state.tokens.values()].map((t) => ({ ...t })),
    expireTokens: () => {
      const now = state.now();
      for (const t of state.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
    },
    revokeTokens: (how = 'session_invalidated') => {
      for (const t of state.tokens.values()) t.revoked = how;
    },
    removePermission: (scope) => {
      for (const t of state.tokens.values()) t.scopes = t.scopes.filter((s) => s !== scope);
    },
    throttle: (kind, ms) => {
      state.throttle = { spec: THROTTLES[kind](), until: state.now() + ms };
    },
    fail: (spec, opts = {}) => {
      state.faults.push({ spec, times: opts.times ?? 1, ...(opts.path ? { path: opts.path } : {}) });
    },
    setUsage: (usage) => {
      state.forcedUsage = usage;
    },
    reset: () => {
      state.throttle = null;
      state.faults.length = 0;
      state.forcedUsage = null;
      state.calls = [];
      state.log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
