import {
  IgActionSpamError,
  IgCheckpointError,
  IgExactUserNotFoundError,
  IgInactiveUserError,
  IgLoginBadPasswordError,
  IgLoginInvalidUserError,
  IgLoginRequiredError,
  IgLoginTwoFactorRequiredError,
  IgNetworkError,
  IgNotFoundError,
  IgPrivateUserError,
  IgResponseError,
  IgSentryBlockError,
  IgUserHasLoggedOutError,
} from 'instagram-private-api';

/**
 * What an Instagram error means for the account that hit it, and so what the pool does (SPEC §5's table). One pure
 * function, unit-tested row by row; the pool only executes the verdict.
 */
export type Verdict =
  /** 429 / "Please wait a few minutes": cool the account down, try another one. */
  | { kind: 'rate_limited' }
  /** challenge_required: cool down twice as long; repeated challenges park the account for a human. */
  | { kind: 'challenge' }
  /** feedback_required (action blocked): long cooldown and an alert. */
  | { kind: 'action_blocked' }
  /** The session is gone: log in again once (single-flight) and retry. */
  | { kind: 'login_required' }
  /** Logging in cannot succeed without a human: park the account, alert, never loop. */
  | { kind: 'needs_human'; reason: 'bad_password' | 'two_factor_required' | 'invalid_user' }
  /** The account is disabled or blocked by Instagram. */
  | { kind: 'banned'; reason: 'inactive_user' | 'sentry_block' }
  /** The proxy failed (refused, reset, timeout): count it against the proxy, retry on another account. */
  | { kind: 'proxy_failure' }
  /** The scraped user does not exist (not the account's fault). */
  | { kind: 'target_not_found' }
  /** The scraped user is private (not the account's fault). */
  | { kind: 'target_private' }
  /** Instagram's own 5xx: retry on another account, no cooldown. */
  | { kind: 'server_error' }
  /**
   * Instagram refuses this app version (400 needs_upgrade, "Your version of Instagram is out of date"; 467
   * "Unsupported"): no account can work until a person sets a current IG_APP_VERSION.
   */
  | { kind: 'app_outdated' }
  /** Anything else: not the account's fault as far as we know; the task retries with backoff. */
  | { kind: 'unknown' };

export type VerdictKind = Verdict['kind'];

export interface Classification {
  verdict: Verdict;
  httpStatus: number | null;
  /** Short, secret-free description for logs and task errors. */
  message: string;
}

export function classifyInstagramError(error: unknown): Classification {
  const httpStatus = statusOf(error);
  const message = describe(error, httpStatus);
  return { verdict: verdictOf(error, httpStatus), httpStatus, message };
}

function verdictOf(error: unknown, status: number | null): Verdict {
  // Order matters: the login errors and the specific classes are IgResponseErrors too.
  if (error instanceof IgLoginBadPasswordError) return { kind: 'needs_human', reason: 'bad_password' };
  if (error instanceof IgLoginTwoFactorRequiredError) return { kind: 'needs_human', reason: 'two_factor_required' };
  if (error instanceof IgLoginInvalidUserError) return { kind: 'needs_human', reason: 'invalid_user' };
  if (error instanceof IgCheckpointError) return { kind: 'challenge' };
  if (error instanceof IgActionSpamError) return { kind: 'action_blocked' };
  if (error instanceof IgLoginRequiredError || error instanceof IgUserHasLoggedOutError) return { kind: 'login_required' };
  if (error instanceof IgSentryBlockError) return { kind: 'banned', reason: 'sentry_block' };
  if (error instanceof IgInactiveUserError) return { kind: 'banned', reason: 'inactive_user' };
  if (error instanceof IgPrivateUserError) return { kind: 'target_private' };
  if (error instanceof IgNotFoundError || error instanceof IgExactUserNotFoundError) return { kind: 'target_not_found' };
  if (error instanceof IgNetworkError || isSocketError(error)) return { kind: 'proxy_failure' };
  if (status === 467 || errorType(error) === 'needs_upgrade' || /version of instagram is out of date/i.test(bodyMessage(error)))
    return { kind: 'app_outdated' };
  // 429, the 401 with require_login of data endpoints since 2023, or 400 `rate_limit_error` at login: all carry
  // "Please wait a few minutes" today, but the status and error_type are checked too in case the wording changes.
  if (status === 429 || errorType(error) === 'rate_limit_error' || /please wait a few minutes/i.test(bodyMessage(error)))
    return { kind: 'rate_limited' };
  if (status !== null && status >= 500) return { kind: 'server_error' };
  return { kind: 'unknown' };
}

function statusOf(error: unknown): number | null {
  if (error instanceof IgResponseError) return error.response?.statusCode ?? null;
  return null;
}

function errorType(error: unknown): string | undefined {
  const body = error instanceof IgResponseError ? (error.response?.body as { error_type?: unknown } | undefined) : undefined;
  return typeof body?.error_type === 'string' ? body.error_type : undefined;
}

function bodyMessage(error: unknown): string {
  if (error instanceof IgResponseError) {
    const body = error.response?.body as { message?: unknown } | undefined;
    if (typeof body?.message === 'string') return body.message;
  }
  return error instanceof Error ? error.message : '';
}

/** Errors raised below the library (the proxy refusing, a reset socket, a timeout) are the proxy's failures too. */
function isSocketError(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND)$/.test(code)
  );
}

function describe(error: unknown, status: number | null): string {
  const name = error instanceof Error ? error.name || error.constructor.name : 'Error';
  const text = bodyMessage(error).replace(/\s+/g, ' ').slice(0, 300);
  return `${name}${status ? ` (HTTP ${status})` : ''}${text ? `: ${text}` : ''}`;
}
