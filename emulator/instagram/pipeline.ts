/**
 * The per-request pipeline: identify account and session, log, apply faults and standing
 * behaviour (rate limit, session expiry) in a fixed order, then run the endpoint handler.
 *
 * Order: slow faults (delay) → the first other fault → rate limit → session check → handler.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as errors from './errors.js';
import { TRANSPORT_FAULTS, type Fault } from './faults.js';
import type { LogEntry, LogStatus } from './log.js';
import { matchRoute, routeLabel, type RouteMatch } from './router.js';
import type { Session } from './sessions.js';
import type { EmulatorState } from './state.js';
import type { IgRequest, IgResponse, TransportAction } from './types.js';
import { str } from './handlers/respond.js';

function requestUsername(state: EmulatorState, req: IgRequest, session: Session | undefined): string | null {
  if (session) return session.username;
  const fromForm = str(req.signed['username'] ?? req.form['username']).toLowerCase();
  if (fromForm && state.world.account(fromForm)) return fromForm;
  const pending = state.pendingTwoFactor.get(str(req.signed['two_factor_identifier']));
  return pending ?? null;
}

/** The rate-limit answer of this path: the login form's own shape, or the era's shape of a data endpoint. */
function rateLimitFor(state: EmulatorState, path: string): IgResponse {
  return path.includes('accounts/login') ? errors.loginRateLimited() : errors.rateLimited(state.world.options.era.rateLimitStatus);
}

function faultResponse(fault: Fault, state: EmulatorState, username: string | null, path: string): IgResponse | 'reset' | 'drop' {
  switch (fault.kind) {
    case 'rate_limit':
      return rateLimitFor(state, path);
    case 'login_required':
      return errors.loginRequired();
    case 'challenge': {
      const pk = username ? (state.world.account(username)?.pk ?? 0) : 0;
      return errors.challengeRequired(pk, `c${fault.id}`);
    }
    case 'feedback':
      return errors.feedbackRequired();
    case 'server_error':
      return errors.serverError(fault.status ?? 500);
    case 'inactive':
      return errors.inactiveUser();
    case 'sentry_block':
      return errors.sentryBlock();
    case 'false_not_found':
      return errors.userNotFound();
    case 'needs_upgrade':
      return errors.needsUpgrade();
    case 'reset':
      return 'reset';
    default:
      return 'drop';
  }
}

function sessionIsLive(state: EmulatorState, session: Session | undefined): session is Session {
  if (!session || session.expired) return false;
  const rule = state.limits.expiryFor(session.username);
  const tooMany = rule?.afterRequests !== undefined && session.requests >= rule.afterRequests;
  const tooOld = rule?.afterMs !== undefined && state.clock.now() - session.createdAt >= rule.afterMs;
  if (tooMany || tooOld) session.expired = true;
  return !session.expired;
}

async function runHandler(
  state: EmulatorState,
  req: IgRequest,
  match: RouteMatch | undefined,
  session: Session | undefined,
  username: string | null,
): Promise<IgResponse> {
  if (!match) {
    return req.path === '/' || req.path === ''
      ? { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } }
      : errors.pageNotFound();
  }
  if (username !== null && !state.limits.admit(username, state.clock.now())) return rateLimitFor(state, req.path);
  if (match.auth && !sessionIsLive(state, session)) return errors.loginRequired();
  if (match.auth && session) session.requests += 1;
  return match.handler({ req, params: match.params, session: match.auth ? session : undefined, state });
}

async function decide(
  state: EmulatorState,
  req: IgRequest,
  entry: LogEntry,
  match: RouteMatch | undefined,
  session: Session | undefined,
): Promise<TransportAction> {
  const target = { username: entry.username, proxyId: req.proxyId, path: req.path };
  // Probabilistic faults draw once per request here; one that does not strike leaves the next matching one its turn.
  const faults = state.faults.matching(target).filter((f) => !TRANSPORT_FAULTS.includes(f.kind) && state.faults.fires(f));
  const applied: string[] = [];
  for (const slow of faults.filter((f) => f.kind === 'slow')) {
    state.faults.consume(slow);
    applied.push('slow');
    await sleep(slow.delayMs ?? 0);
  }
  const fault = faults.find((f) => f.kind !== 'slow');
  let outcome: IgResponse | 'reset' | 'drop' | null = null;
  if (fault) {
    state.faults.consume(fault);
    applied.push(fault.kind);
    outcome = faultResponse(fault, state, entry.username, req.path);
  }
  entry.fault = applied.length > 0 ? applied.join(',') : null;
  if (outcome === 'reset') return { kind: 'reset' };
  const response = outcome !== null && outcome !== 'drop' ? outcome : await runHandler(state, req, match, session, entry.username);
  return outcome === 'drop' ? { kind: 'drop', response } : { kind: 'respond', response };
}

/** Handles one API request; the caller performs the returned transport action. */
export async function handleRequest(state: EmulatorState, req: IgRequest): Promise<TransportAction> {
  const match = matchRoute(req.method, req.path);
  const session = state.sessions.find(req);
  const entry = state.log.begin({
    method: req.method,
    path: req.path,
    route: match?.route ?? routeLabel(req.path),
    // A GET's cursor is in the query; tags/{tag}/sections (a POST) sends it in the form.
    maxId: req.query.get('max_id') ?? (str(req.form['max_id']) || null),
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    username: requestUsername(state, req, session),
    sessionId: session?.id ?? null,
    proxyId: req.proxyId,
    startedAt: state.clock.now(),
  });
  let action: TransportAction;
  try {
    action = await decide(state, req, entry, match, session);
  } catch (error) {
    action = { kind: 'respond', response: errors.serverError(500) };
    entry.fault = `exception: ${(error as Error).message}`;
  }
  const status: LogStatus = action.kind === 'respond' ? action.response.status : action.kind === 'drop' ? 'dropped' : 'reset';
  state.log.end(entry, status, state.clock.now());
  return action;
}
