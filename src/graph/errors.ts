/**
 * A Graph API error answer (`{ error: { message, type, code, error_subcode, fbtrace_id } }`) and what it means for
 * us. Codes from Meta's error-handling and rate-limiting references (see emulator/README.md, Graph API sources).
 */
export class GraphApiError extends Error {
  override name = 'GraphApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code: number | null,
    readonly subcode: number | null,
    readonly type: string | null,
    readonly fbtraceId: string | null,
    /** From the usage header of the error answer, when it says (ms). */
    readonly regainMs: number,
  ) {
    super(message);
  }
}

export type GraphErrorKind =
  | 'token_expired'
  | 'token_revoked'
  | 'permission'
  | 'throttled'
  | 'deprecated_metric'
  | 'unsupported_metric'
  | 'not_found'
  | 'transient'
  | 'invalid';

/** Rate-limit codes: app (4), user (17), page (32), custom (613), Instagram BUC (80002), ads-style BUC (80001–80014). */
const THROTTLE_CODES = new Set([4, 17, 32, 613]);

export function classifyGraphError(error: unknown): GraphErrorKind {
  if (!(error instanceof GraphApiError)) return 'transient';
  const { code, subcode, status, message } = error;
  if (code === 190 || code === 102) {
    if (subcode === 463 || subcode === 467) return 'token_expired';
    return 'token_revoked';
  }
  if (code === 10 || (code !== null && code >= 200 && code <= 299)) return 'permission';
  if ((code !== null && THROTTLE_CODES.has(code)) || (code !== null && code >= 80001 && code <= 80014) || status === 429)
    return 'throttled';
  if (code === 110 || (code === 100 && subcode === 33)) return 'not_found';
  if (code === 100 && /no longer supported/i.test(message)) return 'deprecated_metric';
  if (code === 100 && /does not support the \w+ metric/i.test(message)) return 'unsupported_metric';
  if (status >= 500 || code === 1 || code === 2) return 'transient';
  return 'invalid';
}
