/**
 * What the HTTP layer may ask of the live account pool beyond plain rows: log an account in now, check that its
 * session works, check a proxy. Implemented by the pool (src/accounts/pool.ts); the routes only see this interface.
 */
export interface OperationResult {
  ok: boolean;
  /** Short outcome word: ok, bad_password, two_factor_required, challenge, banned, proxy_error, login_required, ... */
  outcome: string;
  message: string;
  durationMs?: number;
}

export interface AccountOperations {
  login(accountId: number): Promise<OperationResult>;
  check(accountId: number): Promise<OperationResult>;
  checkProxy(proxyId: number): Promise<OperationResult>;
}
