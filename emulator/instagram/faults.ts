/**
 * Runtime faults. A fault has a scope (everything, one account, one proxy), a kind, an optional
 * route filter and an optional count ("the next N matching requests"); without a count it stays
 * until removed. Transport faults (refuse, connect_error) act at CONNECT time, the others per request.
 */
import { createRng, hashParts, type Rng } from '../world/prng.js';

export type FaultKind =
  /**
   * "Please wait a few minutes before you try again.": 401 with require_login on data endpoints (2026; 429 with
   * `world.era.rateLimitStatus: 429`), 400 `rate_limit_error` at login.
   */
  | 'rate_limit'
  /** 403 login_required (the session itself stays valid; see expireSessions for that). */
  | 'login_required'
  | 'challenge'
  /** feedback_required with spam:true. */
  | 'feedback'
  /** 5xx; `status` picks the code (default 500). */
  | 'server_error'
  /** Banned: error_type "inactive user". */
  | 'inactive'
  | 'sentry_block'
  /** 400 needs_upgrade "Your version of Instagram is out of date" (instagrapi#2807). */
  | 'needs_upgrade'
  /** 404 "User not found" for a user who exists: Instagram does this now and then (instagrapi#717). */
  | 'false_not_found'
  /** Answer normally after `delayMs`. */
  | 'slow'
  /** Send headers and part of the body, then cut the connection. */
  | 'drop'
  /** Close the connection without answering. */
  | 'reset'
  /** Proxy scope: destroy the client socket as soon as it connects to the proxy. */
  | 'refuse'
  /** Proxy scope: answer CONNECT with 502 Bad Gateway. */
  | 'connect_error';

export const TRANSPORT_FAULTS: readonly FaultKind[] = ['refuse', 'connect_error'];

export interface FaultSpec {
  kind: FaultKind;
  /** Apply to the next N matching requests only; omitted = persistent. */
  times?: number;
  /** For server_error. */
  status?: number;
  /** For slow. */
  delayMs?: number;
  /** Only requests whose path contains this text (e.g. "feed/user", "accounts/login"). */
  route?: string;
  /**
   * Chance (0–1) that a matching request gets the fault; omitted = always. The draw comes from a generator seeded
   * with the emulator's seed and the fault's id, so a chaos run repeats the same sequence of decisions (the order of
   * concurrent requests may still differ). A request the draw spares goes on to the next matching fault, and does
   * not use up `times`.
   */
  probability?: number;
}

export type FaultScope = { global: true } | { account: string } | { proxy: number };

export interface Fault extends FaultSpec {
  id: number;
  scope: FaultScope;
  /** Remaining uses for one-shot faults. */
  remaining: number | null;
  applied: number;
}

export interface FaultTarget {
  username: string | null;
  proxyId: number | null;
  path: string;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;
  /** One generator per probabilistic fault (not on the Fault itself, which list() copies for the control API). */
  private readonly draws = new Map<number, Rng>();

  constructor(private readonly seed = 1) {}

  add(scope: FaultScope, spec: FaultSpec): Fault {
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new RangeError(`fault probability must be between 0 and 1, got ${spec.probability}`);
    }
    const fault: Fault = { ...spec, id: this.nextId++, scope, remaining: spec.times ?? null, applied: 0 };
    this.faults.push(fault);
    if (spec.probability !== undefined) this.draws.set(fault.id, createRng(hashParts('fault', this.seed, fault.id)));
    return fault;
  }

  /** Whether a matching fault strikes this request: always without a probability, else a seeded draw. */
  fires(fault: Fault): boolean {
    const rng = this.draws.get(fault.id);
    return rng === undefined || rng.next() < (fault.probability ?? 1);
  }

  remove(id: number): boolean {
    this.draws.delete(id);
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /** Removes every fault, or only those of one scope. */
  clear(scope?: FaultScope): void {
    this.faults = scope ? this.faults.filter((f) => !sameScope(f.scope, scope)) : [];
    for (const id of [...this.draws.keys()]) if (!this.faults.some((f) => f.id === id)) this.draws.delete(id);
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Matching faults of the given kinds, most specific scope first (proxy, account, global). */
  matching(target: FaultTarget, kinds?: readonly FaultKind[]): Fault[] {
    const rank = (f: Fault): number => ('proxy' in f.scope ? 0 : 'account' in f.scope ? 1 : 2);
    return this.faults
      .filter((f) => (!kinds || kinds.includes(f.kind)) && inScope(f.scope, target) && (!f.route || target.path.includes(f.route)))
      .sort((a, b) => rank(a) - rank(b) || a.id - b.id);
  }

  /** Records one use; one-shot faults disappear when used up. */
  consume(fault: Fault): void {
    fault.applied += 1;
    if (fault.remaining === null) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.remove(fault.id);
  }
}

function inScope(scope: FaultScope, target: FaultTarget): boolean {
  if ('global' in scope) return true;
  if ('account' in scope) return target.username !== null && scope.account === target.username;
  return target.proxyId !== null && scope.proxy === target.proxyId;
}

function sameScope(a: FaultScope, b: FaultScope): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
