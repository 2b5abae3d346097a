import type { LogEntry } from './api-types.js';

export const LEVELS = ['info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Outcomes (and account statuses) that need a person: the pool cannot get past them by itself (SPEC §5). Every
 * other outcome that is not `ok` is a warning the pool handles (a cooldown, a retry on another account).
 */
const NEEDS_A_PERSON = new Set([
  'needs_human',
  'bad_password',
  'two_factor_required',
  'invalid_user',
  'banned',
  'action_blocked',
  'app_outdated',
  'challenge',
  'login_required',
  'proxy_error',
  'disabled',
]);

/** An activity_log row's level: info when it went well, error when a person must act, warn otherwise. */
export function levelOf(entry: Pick<LogEntry, 'kind' | 'outcome'>): Level {
  if (entry.outcome === 'ok' || entry.outcome === 'active' || entry.outcome === 'relogged_in') return 'info';
  // A request that hit a challenge or a lost session is handled by the pool (cooldown, log in again); the account
  // reaching that status is what needs a person.
  if (entry.kind === 'status') return NEEDS_A_PERSON.has(entry.outcome) ? 'error' : 'warn';
  if (entry.outcome === 'challenge' || entry.outcome === 'login_required') return 'warn';
  return NEEDS_A_PERSON.has(entry.outcome) ? 'error' : 'warn';
}

export function atLeast(level: Level, minimum: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(minimum);
}
