import type { Config } from '../config.js';
import type { BudgetSettings } from './budget.js';

/** The pool's knobs, taken from the configuration once. */
export interface PoolSettings {
  budget: BudgetSettings;
  leaseMs: number;
  /** How long a run waits for an account to be released before it defers (ACCOUNT_WAIT_MS). */
  accountWaitMs: number;
  triesPerRequest: number;
  cooldownRateLimitMs: number;
  cooldownChallengeMs: number;
  cooldownFeedbackMs: number;
  challengesBeforeHuman: number;
  proxyFailuresBeforeFailed: number;
  /** The app version and its code the clients announce (IG_APP_VERSION, IG_APP_VERSION_CODE). */
  appVersion?: { version: string; code: string };
  /** Whether accounts without a proxy may be used (ACCOUNT_DIRECT_CONNECTIONS). */
  directConnections: 'auto' | 'allow' | 'deny';
  cooldownRouteFailureMs: number;
  cooldownRouteFailureMaxMs: number;
  proxyCheckTimeoutMs: number;
  requestTimeoutMs: number;
  sessionValidateIntervalMs: number;
}

export function poolSettings(config: Config): PoolSettings {
  return {
    budget: {
      windowMs: config.ACCOUNT_BUDGET_WINDOW_MS,
      perWindow: config.ACCOUNT_REQUESTS_PER_HOUR,
      warmupPerWindow: config.ACCOUNT_WARMUP_REQUESTS_PER_HOUR,
      warmupDays: config.ACCOUNT_WARMUP_DAYS,
      dailyCap: config.ACCOUNT_DAILY_CAP,
      delayMinMs: config.ACCOUNT_REQUEST_DELAY_MIN_MS,
      delayMaxMs: config.ACCOUNT_REQUEST_DELAY_MAX_MS,
    },
    leaseMs: config.ACCOUNT_LEASE_MS,
    accountWaitMs: config.ACCOUNT_WAIT_MS,
    triesPerRequest: config.ACCOUNT_TRIES_PER_REQUEST,
    cooldownRateLimitMs: config.COOLDOWN_RATE_LIMIT_MS,
    cooldownChallengeMs: config.COOLDOWN_CHALLENGE_MS,
    cooldownFeedbackMs: config.COOLDOWN_FEEDBACK_MS,
    challengesBeforeHuman: config.CHALLENGES_BEFORE_HUMAN,
    proxyFailuresBeforeFailed: config.PROXY_FAILURES_BEFORE_FAILED,
    directConnections: config.ACCOUNT_DIRECT_CONNECTIONS,
    appVersion: { version: config.IG_APP_VERSION, code: config.IG_APP_VERSION_CODE },
    cooldownRouteFailureMs: config.COOLDOWN_ROUTE_FAILURE_MS,
    cooldownRouteFailureMaxMs: config.COOLDOWN_ROUTE_FAILURE_MAX_MS,
    proxyCheckTimeoutMs: config.PROXY_CHECK_TIMEOUT_MS,
    requestTimeoutMs: config.INSTAGRAM_REQUEST_TIMEOUT_MS,
    sessionValidateIntervalMs: config.SESSION_VALIDATE_INTERVAL_MS,
  };
}
