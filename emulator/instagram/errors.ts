/**
 * Error bodies, copied in wording and field order from the captured samples
 * (../shared/ig-samples, see its README §5). The status codes matter as much as the bodies:
 * dilame classifies by `spam`, then HTTP 404, then `message`, then `error_type`.
 */
import { toJson } from './json.js';
import type { IgResponse } from './types.js';

const json = (status: number, body: Parameters<typeof toJson>[0]): IgResponse => ({ status, body: toJson(body) });

export const loginRequired = (): IgResponse =>
  json(403, {
    message: 'login_required',
    error_title: "You've Been Logged Out",
    error_body: 'Please log back in.',
    logout_reason: 2,
    status: 'fail',
  });

/**
 * A rate limit. Since 2023 data endpoints mostly answer 401 with `require_login: true` (instagrapi#1476,
 * Osintgram#878, RSSHub#14357), older ones 429; at login it is 400 with `error_type: "rate_limit_error"`.
 * dilame turns none of them into a class of its own: an IgResponseError with the message.
 */
export const rateLimited = (status: 401 | 429 = 401): IgResponse =>
  status === 401
    ? json(401, { message: 'Please wait a few minutes before you try again.', require_login: true, status: 'fail' })
    : json(429, { message: 'Please wait a few minutes before you try again.', status: 'fail' });

export const loginRateLimited = (): IgResponse =>
  json(400, {
    message: 'Please wait a few minutes before you try again.',
    status: 'fail',
    error_type: 'rate_limit_error',
  });

/** An app version Instagram no longer accepts (instagrapi#2807, 2026). */
export const needsUpgrade = (): IgResponse =>
  json(400, {
    message: 'Your version of Instagram is out of date. Please upgrade your app to log in to Instagram.',
    status: 'fail',
    error_type: 'needs_upgrade',
  });

export const userNotFound = (): IgResponse => json(404, { message: 'User not found', status: 'fail' });

export const notAuthorizedPrivate = (): IgResponse => json(400, { message: 'Not authorized to view user', status: 'fail' });

export const pageNotFound = (): IgResponse => json(404, { message: 'Page not found', status: 'fail' });

export function challengeRequired(userPk: number, code: string): IgResponse {
  const apiPath = `/challenge/${userPk}/${code}/`;
  return json(400, {
    message: 'challenge_required',
    challenge: {
      url: `https://i.instagram.com${apiPath}`,
      api_path: apiPath,
      hide_webview_header: true,
      lock: true,
      logout: false,
      native_flow: true,
      flow_render_type: 0,
    },
    status: 'fail',
    error_type: 'checkpoint_challenge_required',
  });
}

export const feedbackRequired = (): IgResponse =>
  json(400, {
    message: 'feedback_required',
    spam: true,
    feedback_title: 'Action Blocked',
    feedback_message:
      'This action was blocked. Please try again later. We restrict certain content and actions to protect our community. Tell us if you think we made a mistake.',
    feedback_url: 'repute/report_problem/instagram_like_add/',
    feedback_appeal_label: 'Tell us',
    feedback_ignore_label: 'OK',
    feedback_action: 'report_problem',
    status: 'fail',
  });

export const inactiveUser = (): IgResponse =>
  json(400, {
    message: 'Your account has been disabled for violating our terms. Learn how you may be able to restore your account.',
    status: 'fail',
    error_type: 'inactive user',
  });

export const sentryBlock = (): IgResponse =>
  json(400, {
    message: 'Sorry, there was a problem with your request.',
    status: 'fail',
    error_type: 'sentry_block',
  });

/** 500 answers JSON; 502–504 answer an HTML page like the real edge does (the client keeps it as text). */
export function serverError(status = 500): IgResponse {
  if (status === 500) return json(500, { message: 'Oops, an error occurred.', status: 'fail' });
  return {
    status,
    body: `<html><body><h1>${status} Server Error</h1></body></html>`,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  };
}

export const badPassword = (username: string): IgResponse =>
  json(400, {
    message: 'The password you entered is incorrect. Please try again.',
    invalid_credentials: true,
    error_title: `Incorrect password for ${username}`,
    buttons: [{ title: 'Try Again', action: 'dismiss' }],
    status: 'fail',
    error_type: 'bad_password',
  });

export const invalidUser = (): IgResponse =>
  json(400, {
    message: "The username you entered doesn't appear to belong to an account. Please check your username and try again.",
    invalid_credentials: true,
    error_title: 'Incorrect Username',
    buttons: [{ title: 'Try Again', action: 'dismiss' }],
    status: 'fail',
    error_type: 'invalid_user',
  });

export function twoFactorRequired(username: string, identifier: string): IgResponse {
  const settings = { max_sms_count: 2, resend_sms_delay_sec: 60, robocall_after_max_sms: true, robocall_count_down_time_sec: 30 };
  return json(400, {
    message: '',
    two_factor_required: true,
    two_factor_info: {
      username,
      obfuscated_phone_number: '0000',
      two_factor_identifier: identifier,
      show_messenger_code_option: false,
      sms_two_factor_on: true,
      totp_two_factor_on: false,
      phone_verification_settings: settings,
    },
    phone_verification_settings: settings,
    status: 'fail',
  });
}

export const invalidTwoFactorCode = (): IgResponse =>
  json(400, {
    message: 'Please check the security code we sent you and try again.',
    status: 'fail',
    error_type: 'sms_code_validation_code_invalid',
  });
