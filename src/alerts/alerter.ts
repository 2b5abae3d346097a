/**
 * Something needs a human (SPEC §10): an account challenged, banned or with a bad password, all accounts unusable,
 * a session refresh that failed, batch failures. Producers call `alert`; the implementation decides where it goes
 * (webhook, log) and throttles repeats.
 */
export type AlertKind =
  | 'account_needs_human'
  | 'account_banned'
  | 'account_cooldown_long'
  | 'no_usable_account'
  | 'session_refresh_failed'
  | 'proxy_failed'
  | 'app_outdated'
  | 'batch_failed'
  | 'graph_token_refresh_failed'
  | 'graph_permission_revoked';

export interface AlertEvent {
  kind: AlertKind;
  message: string;
  /** What the alert is about, for throttling and for the receiver: e.g. { account: 'scout.kz.01' }. No secrets. */
  subject?: Record<string, string | number>;
  severity?: 'warning' | 'critical';
}

export interface Alerter {
  alert(event: AlertEvent): void;
}
