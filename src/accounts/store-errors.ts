/**
 * What the account and proxy stores refuse, by kind; the HTTP layer turns the kind into 400/404/409. Messages name
 * the account or proxy involved (username, label) and never a secret.
 */
export class AccountStoreError extends Error {
  override name = 'AccountStoreError';

  constructor(
    readonly kind: 'invalid' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** A Postgres unique violation, optionally of one named constraint (a concurrent writer won the race). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError?.code === '23505' && (constraint === undefined || pgError.constraint === constraint);
}
