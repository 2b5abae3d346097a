import * as ig from 'instagram-private-api';
import { describe, expect, it } from 'vitest';
import { classifyInstagramError, type Verdict } from '../../src/instagram/classify.js';

/** A response object the way the library builds one, so the real error classes can be constructed. */
const response = (statusCode: number, body: Record<string, unknown>) =>
  ({ statusCode, statusMessage: 'x', body, request: { method: 'GET', uri: { path: '/api/v1/users/1/info/' } } }) as never;

const rows: [string, unknown, Verdict, number | null][] = [
  [
    '429 with no class',
    new ig.IgResponseError(response(429, { message: 'Please wait a few minutes before you try again.', status: 'fail' })),
    { kind: 'rate_limited' },
    429,
  ],
  [
    '2026 rate limit: 401 with require_login',
    new ig.IgResponseError(
      response(401, { message: 'Please wait a few minutes before you try again.', require_login: true, status: 'fail' }),
    ),
    { kind: 'rate_limited' },
    401,
  ],
  [
    'rate limit at login, by error_type whatever the wording',
    new ig.IgResponseError(response(400, { message: 'Try again later', error_type: 'rate_limit_error' })),
    { kind: 'rate_limited' },
    400,
  ],
  [
    'needs_upgrade',
    new ig.IgResponseError(
      response(400, {
        message: 'Your version of Instagram is out of date. Please upgrade your app to log in to Instagram.',
        error_type: 'needs_upgrade',
      }),
    ),
    { kind: 'app_outdated' },
    400,
  ],
  ['467 Unsupported', new ig.IgResponseError(response(467, { message: 'Unsupported' })), { kind: 'app_outdated' }, 467],
  [
    '"Please wait" on another status',
    new ig.IgResponseError(response(400, { message: 'Please wait a few minutes before you try again.' })),
    { kind: 'rate_limited' },
    400,
  ],
  [
    'challenge_required',
    new ig.IgCheckpointError(response(400, { message: 'challenge_required', challenge: {} })),
    { kind: 'challenge' },
    400,
  ],
  [
    'feedback_required',
    new ig.IgActionSpamError(response(400, { message: 'feedback_required', spam: true })),
    { kind: 'action_blocked' },
    400,
  ],
  ['login_required', new ig.IgLoginRequiredError(response(403, { message: 'login_required' })), { kind: 'login_required' }, 403],
  [
    'user_has_logged_out',
    new ig.IgUserHasLoggedOutError(response(400, { message: 'user_has_logged_out' })),
    { kind: 'login_required' },
    400,
  ],
  [
    'bad password',
    new ig.IgLoginBadPasswordError(response(400, { error_type: 'bad_password' })),
    { kind: 'needs_human', reason: 'bad_password' },
    400,
  ],
  [
    'two-factor required',
    new ig.IgLoginTwoFactorRequiredError(response(400, { two_factor_required: true })),
    { kind: 'needs_human', reason: 'two_factor_required' },
    400,
  ],
  [
    'invalid user',
    new ig.IgLoginInvalidUserError(response(400, { error_type: 'invalid_user' })),
    { kind: 'needs_human', reason: 'invalid_user' },
    400,
  ],
  [
    'sentry block',
    new ig.IgSentryBlockError(response(400, { error_type: 'sentry_block' })),
    { kind: 'banned', reason: 'sentry_block' },
    400,
  ],
  [
    'inactive user',
    new ig.IgInactiveUserError(response(400, { error_type: 'inactive user' })),
    { kind: 'banned', reason: 'inactive_user' },
    400,
  ],
  [
    'network error',
    new ig.IgNetworkError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    { kind: 'proxy_failure' },
    null,
  ],
  ['raw socket reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { kind: 'proxy_failure' }, null],
  ['user not found', new ig.IgNotFoundError(response(404, { message: 'User not found' })), { kind: 'target_not_found' }, 404],
  ['exact user not found', new ig.IgExactUserNotFoundError(), { kind: 'target_not_found' }, null],
  ['private user', new ig.IgPrivateUserError(response(400, { message: 'Not authorized to view user' })), { kind: 'target_private' }, 400],
  ['5xx', new ig.IgResponseError(response(502, { message: 'Bad Gateway' })), { kind: 'server_error' }, 502],
  ['anything else', new Error('something odd'), { kind: 'unknown' }, null],
  ['a 400 without a known message', new ig.IgResponseError(response(400, { message: 'Invalid parameters' })), { kind: 'unknown' }, 400],
];

describe('classifyInstagramError: SPEC §5 error → action', () => {
  it.each(rows)('%s', (_, error, verdict, status) => {
    const result = classifyInstagramError(error);
    expect(result.verdict).toEqual(verdict);
    expect(result.httpStatus).toBe(status);
    expect(result.message.length).toBeGreaterThan(0);
  });

  it('describes an error without repeating request details beyond name, status and Instagram message', () => {
    const { message } = classifyInstagramError(
      new ig.IgResponseError(response(429, { message: 'Please wait a few minutes before you try again.' })),
    );
    expect(message).toBe('IgResponseError (HTTP 429): Please wait a few minutes before you try again.');
  });
});
