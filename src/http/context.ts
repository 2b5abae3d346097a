import type { ErBand } from '../results/er-bands.js';
import type { GrowthSettings } from '../results/growth.js';
import type { Kysely } from 'kysely';
import type { AccountOperations } from '../accounts/operations.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { PriceTable } from '../ai/prices.js';
import type { LogTail } from '../observability/log-tail.js';
import type { Metrics } from '../observability/metrics.js';
import type { GraphConnect } from '../graph/connect.js';
import type { AccountBudget } from '../observability/stats.js';
import type { SelfAddress } from '../webhooks/url-guard.js';

/** What the HTTP layer needs, passed to createApp; no module-level singletons, so tests build their own. */
export interface AppDeps {
  db: Kysely<Database>;
  logger: Logger;
  apiKey: string;
  bodyLimitBytes: number;
  /** ACCOUNT_DIRECT_CONNECTIONS, for the usable accounts health reports; auto when absent. */
  directConnections?: 'auto' | 'allow' | 'deny';
  /** Retry-After (seconds) of the 503 a request gets while the database is unreachable (HTTP_RETRY_AFTER_SECONDS). */
  retryAfterSeconds?: number;
  maxAttempts: number;
  /** How old the settled task counts of /api/health may get before a background recount (HEALTH_SETTLED_COUNTS_TTL_MS); 30 s when absent. */
  healthSettledCountsTtlMs?: number;
  /** How old /api/health's live task counts and account figures may get (HEALTH_COUNTS_TTL_MS); 1 s when absent. */
  healthCountsTtlMs?: number;
  /** Whether the process is ready for traffic (false while starting or draining). */
  isReady: () => boolean;
  /** False when the process cannot recover by itself (its embedded Postgres will not restart): liveness fails. */
  isLive?: () => boolean;
  version: string;
  /** Seals account passwords and proxy URLs at rest (see src/crypto/keys.ts). */
  secretBox: SecretBox;
  /** Log in / check an account, check a proxy: the live pool behind POST …/login and …/check. */
  accountOps: AccountOperations;
  /** Request budget settings for /api/stats (ACCOUNT_REQUESTS_PER_HOUR, …_WARMUP_…); SPEC defaults when absent. */
  accountBudget?: AccountBudget;
  /** How many accounts a followers task fetches when the request gives no max (FOLLOWERS_MAX_DEFAULT). */
  followersMaxDefault?: number;
  /** Rows an export reads per keyset query (EXPORT_BATCH_SIZE); 1000 when absent. */
  exportBatchSize?: number;
  /** Audience quality: default sample and the largest deep-tier budget (AUDIENCE_SAMPLE_DEFAULT, AUDIENCE_DEEP_BUDGET_MAX). */
  audience?: { sampleDefault: number; deepBudgetMax: number };
  /** Lookalikes: nearest blogs of the database considered (SIMILAR_DATABASE_CANDIDATES); 50 when absent. */
  similar?: { databaseCandidates: number };
  /** Growth flags and ER bands of the blog detail (GROWTH_*, ER_BANDS); defaults when absent. */
  growth?: { settings: GrowthSettings; erBands: readonly ErBand[] };
  /** AI analysis as configured, for the `ai` section of /api/stats; "disabled" when absent. */
  /** prices: AI_PRICES, for the cost figures of /api/stats (default: src/ai/prices.ts). */
  ai?: { enabled: boolean; model: string; prices?: PriceTable };
  /** How long a console sign-in lasts (CONSOLE_SESSION_TTL_MS); 12 h when absent. */
  consoleSessionTtlMs?: number;
  /** /api/webhooks: the rotation grace (WEBHOOK_SECRET_GRACE_MS) and the daemon's own address (URLs to it are refused). */
  webhooks?: { secretGraceMs: number; self: () => SelfAddress };
  /** The Graph API source (connect, pages, pick; its routes say why when it is off); off when absent. */
  graph?: GraphConnect;
  /** The daemon's recent log lines (the pino root's tap) for GET /api/logs/stream; activity events only when absent. */
  logTail?: LogTail;
  /** Live tail pacing (LOG_STREAM_POLL_MS, LOG_STREAM_HEARTBEAT_MS); 500 ms / 15 s when absent. */
  logStream?: { pollMs?: number; heartbeatMs?: number };
  /** Console pages' live refresh (CONSOLE_REFRESH_MS); 2 s when absent. */
  consoleRefreshMs?: number;
  /** Tasks one bulk cancel/retry of the console acts on at most (CONSOLE_BULK_MAX); 1000 when absent. */
  consoleBulkMax?: number;
  /** Prometheus metrics for GET /metrics; absent in tests that do not need them. */
  metrics?: Metrics;
}
