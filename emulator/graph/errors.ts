/**
 * Graph API error bodies as Meta sends them: `{ error: { message, type, code, error_subcode?, fbtrace_id } }`.
 * Codes and messages follow Meta's error-handling reference and bodies quoted in public issues (see
 * emulator/README.md, "Graph API emulator" → sources).
 */
import { createHash } from 'node:crypto';

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    is_transient?: boolean;
    error_user_title?: string;
    error_user_msg?: string;
    fbtrace_id: string;
  };
}

export interface GraphErrorSpec {
  status: number;
  message: string;
  type?: string;
  code: number;
  subcode?: number;
  isTransient?: boolean;
  userTitle?: string;
  userMsg?: string;
}

let traceCounter = 0;
/** A fbtrace_id looks like `AbCdEf0123-_xyz`: 23 url-safe base64 characters, unique per answer here. */
export function fbtraceId(): string {
  traceCounter += 1;
  return createHash('sha256').update(`trace:${traceCounter}`).digest('base64url').slice(0, 23);
}

export function errorBody(spec: GraphErrorSpec): GraphErrorBody {
  return {
    error: {
      message: spec.message,
      type: spec.type ?? 'OAuthException',
      code: spec.code,
      ...(spec.subcode !== undefined ? { error_subcode: spec.subcode } : {}),
      ...(spec.isTransient !== undefined ? { is_transient: spec.isTransient } : {}),
      ...(spec.userTitle ? { error_user_title: spec.userTitle } : {}),
      ...(spec.userMsg ? { error_user_msg: spec.userMsg } : {}),
      fbtrace_id: fbtraceId(),
    },
  };
}

const fbDate = (ms: number) => new Date(ms).toUTCString();

/** The errors the emulator answers, by name. */
export const GRAPH_ERRORS = {
  tokenMissing: (): GraphErrorSpec => ({
    status: 400,
    code: 2500,
    message: 'An active access token must be used to query information about the current user.',
  }),
  tokenInvalid: (): GraphErrorSpec => ({ status: 400, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }),
  /** 190/463: the token's expiry passed. */
  tokenExpired: (expiredAt: number, now: number): GraphErrorSpec => ({
    status: 400,
    code: 190,
    subcode: 463,
    message: `Error validating access token: Session has expired on ${fbDate(expiredAt)}. The current time is ${fbDate(now)}.`,
  }),
  /** 190/460: the session was invalidated (password change, security): the user must log in again. */
  tokenRevoked: (): GraphErrorSpec => ({
    status: 400,
    code: 190,
    subcode: 460,
    message:
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  }),
  /** 190/458: the user removed the app. */
  appDeauthorized: (): GraphErrorSpec => ({
    status: 400,
    code: 190,
    subcode: 458,
    message: 'Error validating access token: The user has not authorized application.',
  }),
  permission: (permission: string): GraphErrorSpec => ({
    status: 403,
    code: 10,
    message: `(#10) Application does not have permission for this action`,
    userMsg: `The ${permission} permission is required.`,
  }),
  appLimit: (): GraphErrorSpec => ({ status: 400, code: 4, message: '(#4) Application request limit reached', isTransient: true }),
  userLimit: (): GraphErrorSpec => ({
    status: 400,
    code: 17,
    subcode: 2446079,
    message: '(#17) User request limit reached',
    isTransient: true,
  }),
  pageLimit: (): GraphErrorSpec => ({ status: 400, code: 32, message: '(#32) Page request limit reached', isTransient: true }),
  customLimit: (): GraphErrorSpec => ({
    status: 400,
    code: 613,
    message: '(#613) Calls to this api have exceeded the rate limit.',
    isTransient: true,
  }),
  /** Instagram's Business Use Case throttle. */
  bucLimit: (): GraphErrorSpec => ({
    status: 400,
    code: 80002,
    message: 'There have been too many calls to this Instagram account. Wait a bit and try again.',
    isTransient: true,
  }),
  deprecatedMetric: (metric: string, version: string): GraphErrorSpec => ({
    status: 400,
    code: 100,
    message: `(#100) Starting from version ${version} and above, the ${metric} metric is no longer supported for the queried media. Please refer to the documentation at https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights for a list of supported metrics.`,
  }),
  unsupportedMetric: (metric: string): GraphErrorSpec => ({
    status: 400,
    code: 100,
    message: `(#100) The Media Insights API does not support the ${metric} metric for this media product type.`,
  }),
  unknownMetric: (metric: string, allowed: readonly string[]): GraphErrorSpec => ({
    status: 400,
    code: 100,
    message: `(#100) metric[0] must be one of the following values: ${allowed.join(', ')}`,
    userMsg: `unknown metric ${metric}`,
  }),
  /** Business discovery of a username that is no business/creator account (or none at all). */
  discoveryNotFound: (username: string): GraphErrorSpec => ({
    status: 400,
    code: 110,
    subcode: 2207013,
    message: 'Invalid user id',
    userTitle: 'Cannot find User',
    userMsg: `The user with username: ${username} cannot be found.`,
  }),
  objectNotFound: (id: string): GraphErrorSpec => ({
    status: 400,
    code: 100,
    subcode: 33,
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    type: 'GraphMethodException',
  }),
  badParameter: (message: string): GraphErrorSpec => ({ status: 400, code: 100, message: `(#100) ${message}` }),
  codeUsed: (): GraphErrorSpec => ({ status: 400, code: 100, subcode: 36009, message: 'This authorization code has been used.' }),
  codeInvalid: (): GraphErrorSpec => ({ status: 400, code: 100, subcode: 36007, message: 'Invalid verification code format.' }),
  redirectMismatch: (): GraphErrorSpec => ({
    status: 400,
    code: 100,
    subcode: 36008,
    message:
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
  }),
  badClient: (): GraphErrorSpec => ({ status: 400, code: 101, message: 'Error validating application. Invalid application ID.' }),
  badSecret: (): GraphErrorSpec => ({ status: 400, code: 1, message: 'Error validating client secret.' }),
  /** The emulator's reading of Meta's rule that a long-lived token can be refreshed once it is at least 24 h old. */
  refreshTooEarly: (): GraphErrorSpec => ({
    status: 400,
    code: 100,
    message: '(#100) The access token can only be refreshed once it is at least 24 hours old.',
  }),
} as const;
