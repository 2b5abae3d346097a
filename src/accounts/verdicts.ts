import type { Kysely } from 'kysely';
import type { Alerter } from '../alerts/alerter.js';
import type { Database } from '../db/schema.js';
import type { Classification } from '../instagram/classify.js';
import type { Logger } from '../logger.js';
import { countChallenge, countRouteFailure, parkAllAccounts, setAccountStatus } from './events.js';
import { recordProxyFailure } from './proxy-health.js';
import { unreachable } from '../util/unreachable.js';
import type { PoolSettings } from './settings.js';

export interface VerdictTarget {
  accountId: number;
  username: string;
  proxyId: number | null;
  taskId: number | null;
}

/**
 * Carries out what a classified Instagram error means for the account (SPEC §5): cooldowns, statuses that need a
 * human, proxy failure counting — and the alerts that go with them. Verdicts that are not about the account
 * (target not found/private, 5xx, unknown, login_required — handled by re-login) change nothing here. Every verdict
 * has its case: a new one fails to compile here until it is given one (test/lint/verdicts-exhaustive.test.ts).
 */
export async function applyVerdict(
  deps: { db: Kysely<Database>; alerter: Alerter; logger: Logger; settings: PoolSettings },
  target: VerdictTarget,
  classification: Classification,
): Promise<void> {
  const { db, alerter, settings } = deps;
  const { verdict, message } = classification;
  const subject = { account: target.username };
  const cooldown = (ms: number, reason: string) =>
    setAccountStatus(db, target.accountId, { status: 'cooldown', reason, cooldownUntil: new Date(Date.now() + ms), taskId: target.taskId });

  switch (verdict.kind) {
    case 'rate_limited':
      return cooldown(settings.cooldownRateLimitMs, `rate limited: ${message}`);
    case 'challenge': {
      const challenges = await countChallenge(db, target.accountId);
      if (challenges < settings.challengesBeforeHuman) return cooldown(settings.cooldownChallengeMs, `challenge required: ${message}`);
      await setAccountStatus(db, target.accountId, {
        status: 'challenge',
        reason: `challenge required ${challenges} times in a row; solve it in the Instagram app, then set the account active`,
        taskId: target.taskId,
      });
      return alerter.alert({
        kind: 'account_needs_human',
        severity: 'critical',
        subject,
        message: `${target.username}: repeated challenge_required`,
      });
    }
    case 'action_blocked':
      await cooldown(settings.cooldownFeedbackMs, `action blocked (feedback_required): ${message}`);
      return alerter.alert({
        kind: 'account_cooldown_long',
        severity: 'warning',
        subject,
        message: `${target.username}: action blocked, cooling down`,
      });
    case 'needs_human':
      await setAccountStatus(db, target.accountId, {
        status: 'login_required',
        reason: `login failed: ${verdict.reason}`,
        taskId: target.taskId,
      });
      return alerter.alert({
        kind: 'account_needs_human',
        severity: 'critical',
        subject,
        message: `${target.username}: login failed (${verdict.reason})`,
      });
    case 'banned':
      await setAccountStatus(db, target.accountId, { status: 'banned', reason: `${verdict.reason}: ${message}`, taskId: target.taskId });
      return alerter.alert({ kind: 'account_banned', severity: 'critical', subject, message: `${target.username}: ${verdict.reason}` });
    case 'app_outdated': {
      // Every account sends the same app version: park them all (no request of theirs could succeed) until a person
      // sets a current IG_APP_VERSION and activates them again.
      const parked = await parkAllAccounts(
        db,
        `Instagram refuses this app version (${message}): set a current IG_APP_VERSION / IG_APP_VERSION_CODE, then activate the account`,
        target.taskId,
      );
      return alerter.alert({
        kind: 'app_outdated',
        severity: 'critical',
        message: `Instagram says the app version is out of date; ${parked} accounts parked until IG_APP_VERSION is updated`,
      });
    }
    case 'proxy_failure': {
      // No proxy to blame: the account's own route failed (no way out, DNS, refused). Cool it down, longer each time
      // in a row, so it is not picked again at once (issue 15: one such account tried 10 logins in 1.2 s).
      if (target.proxyId === null) {
        const failures = await countRouteFailure(db, target.accountId);
        const ms = Math.min(settings.cooldownRouteFailureMaxMs, settings.cooldownRouteFailureMs * 2 ** (failures - 1));
        return cooldown(ms, `no route to Instagram (${failures} in a row): ${message}`);
      }
      const outcome = await recordProxyFailure(db, target.proxyId, message, settings.proxyFailuresBeforeFailed);
      if (!outcome.failedNow) return;
      const moved = outcome.account?.movedToProxyId;
      return alerter.alert({
        kind: 'proxy_failed',
        severity: 'warning',
        subject: { proxy: target.proxyId },
        message:
          `proxy ${target.proxyId} failed ${settings.proxyFailuresBeforeFailed} times in a row` +
          (outcome.account
            ? moved
              ? `; ${outcome.account.username} moved to proxy ${moved}`
              : `; ${outcome.account.username} has no spare proxy`
            : ''),
      });
    }
    // Not about the account: the target's state, Instagram's own failure, an unknown error, or a dead session (the
    // session logs in again).
    case 'target_not_found':
    case 'target_private':
    case 'server_error':
    case 'unknown':
    case 'login_required':
      return;
    default:
      return unreachable(verdict, 'verdict');
  }
}
