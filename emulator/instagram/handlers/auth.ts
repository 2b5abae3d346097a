/**
 * Pre-login sync, login (with every failure the world or the tests ask for), two-factor login,
 * the current user (a cheap authenticated call for session validation) and logout.
 */
import { createHash } from 'node:crypto';
import type { ScrapingAccount } from '../../world/index.js';
import { scraperAsUser } from '../../world/profiles.js';
import * as errors from '../errors.js';
import { decryptPassword } from '../password.js';
import { authorizationHeader, type Session } from '../sessions.js';
import { fullUser, shortUser } from '../shapes/user.js';
import type { EmulatorState } from '../state.js';
import type { Handler, IgResponse } from '../types.js';
import { ok, str } from './respond.js';

export function passwordKeyHeaders(state: EmulatorState): Record<string, string> {
  return {
    'ig-set-password-encryption-key-id': String(state.passwordKey.keyId),
    'ig-set-password-encryption-pub-key': state.passwordKey.publicKeyHeader,
  };
}

function withKeyHeaders(state: EmulatorState, response: IgResponse): IgResponse {
  return { ...response, headers: { ...passwordKeyHeaders(state), ...response.headers } };
}

export const qeSync: Handler = ({ state }) => ok({ experiments: [] }, passwordKeyHeaders(state));
export const launcherSync: Handler = ({ state }) => ok({ configs: {} }, passwordKeyHeaders(state));

function digest(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join(':')).digest('hex');
}

function loggedInUser(account: ScrapingAccount): Record<string, Parameters<typeof ok>[0][string]> {
  return {
    ...shortUser(scraperAsUser(account)),
    is_business: false,
    can_boost_post: false,
    can_see_organic_insights: false,
    show_insights_terms: false,
    allow_contacts_sync: true,
    phone_number: '',
    country_code: 7,
    national_number: 0,
  };
}

function sessionCookies(session: Session): string[] {
  const attrs = 'Domain=.instagram.com; Path=/; Secure';
  return [
    `csrftoken=${session.csrftoken}; ${attrs}; Max-Age=31449600`,
    `ds_user_id=${session.pk}; ${attrs}; Max-Age=7776000`,
    `sessionid=${encodeURIComponent(session.id)}; ${attrs}; HttpOnly; Max-Age=31536000`,
    `rur="CLN\\054${session.pk}\\0541798761600:01f7"; ${attrs}; HttpOnly`,
  ];
}

function loginSuccess(state: EmulatorState, account: ScrapingAccount): IgResponse {
  const session = state.sessions.create(account.username, account.pk, state.clock.now());
  state.log.recordLogin(account.username, true);
  return ok(
    { logged_in_user: loggedInUser(account) },
    {
      ...passwordKeyHeaders(state),
      'set-cookie': sessionCookies(session),
      'ig-set-authorization': authorizationHeader(session),
      'ig-set-ig-u-ds-user-id': String(account.pk),
    },
  );
}

export const login: Handler = ({ req, state }) => {
  const username = str(req.signed['username'] ?? req.form['username']).toLowerCase();
  const account = state.world.account(username);
  const outcome = account ? state.loginOutcomeFor(username) : 'invalid_user';
  const fail = (response: IgResponse): IgResponse => {
    if (account) state.log.recordLogin(username, false);
    return withKeyHeaders(state, response);
  };
  if (!account || outcome === 'invalid_user') return fail(errors.invalidUser());
  let password: string;
  try {
    password = decryptPassword(str(req.signed['enc_password']), state.passwordKey);
  } catch {
    // Encrypted for an unknown key: answer with fresh key headers so the client's retry works.
    return fail({ status: 400, body: '{"message":"There was an error with your request. Please try again.","status":"fail"}' });
  }
  if (password !== account.password || outcome === 'bad_password') return fail(errors.badPassword(username));
  switch (outcome) {
    case 'two_factor': {
      const identifier = digest(state.world.options.seed, username, 'two-factor').slice(0, 10);
      state.pendingTwoFactor.set(identifier, username);
      return fail(errors.twoFactorRequired(username, identifier));
    }
    case 'challenge':
      return fail(errors.challengeRequired(account.pk, digest(username, 'challenge').slice(0, 10)));
    case 'inactive':
      return fail(errors.inactiveUser());
    case 'sentry_block':
      return fail(errors.sentryBlock());
    default:
      return loginSuccess(state, account);
  }
};

export const twoFactorLogin: Handler = ({ req, state }) => {
  const identifier = str(req.signed['two_factor_identifier']);
  const username = state.pendingTwoFactor.get(identifier);
  const account = username ? state.world.account(username) : undefined;
  if (!account || str(req.signed['verification_code']) !== account.twoFactorCode) {
    if (account) state.log.recordLogin(account.username, false);
    return errors.invalidTwoFactorCode();
  }
  state.pendingTwoFactor.delete(identifier);
  return loginSuccess(state, account);
};

export const currentUser: Handler = ({ session, state }) => {
  const account = session ? state.world.account(session.username) : undefined;
  if (!account) return errors.loginRequired();
  return ok({ user: fullUser(scraperAsUser(account), state.world) });
};

export const logout: Handler = ({ session, state }) => {
  if (session) state.sessions.expireAll(session.username);
  return ok({});
};
