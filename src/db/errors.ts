/**
 * Errors that mean "the database cannot be reached right now", as opposed to a bad query: the server is down,
 * restarting or refusing connections, or the connection broke. The API answers these with 503 and Retry-After
 * (the caller may simply try again), never 500.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// SQLSTATE: class 08 connection exceptions; 57P01-57P03 admin/crash shutdown and "cannot connect now" (starting up or
// recovering); 53300 too many connections.
const SQLSTATE_UNAVAILABLE = /^(08|57P0[123]$|53300$)/;
// node-postgres reports a lost or never-made connection with these messages and no code.
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
