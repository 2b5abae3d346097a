/**
 * Programmatic entry point of the offline Instagram private-API emulator.
 *
 *   const ig = await startInstagramEmulator({ seed: 7, proxies: 3 });
 *   client.state.proxyUrl = ig.proxyUrls[0];
 *   ig.setAccountFault('scout.kz.01', { kind: 'rate_limit', times: 1 });
 *   await ig.close();
 */
import { createWorld, type LoginOutcome, type World, type WorldOptionsInput } from '../world/index.js';
import { systemClock, type EmulatorClock } from './clock.js';
import type { Fault, FaultScope, FaultSpec } from './faults.js';
import type { RateLimitRule, SessionExpiryRule } from './limits.js';
import type { Counters, LogEntry } from './log.js';
import { createPasswordKey } from './password.js';
import { ProxyFleet, type ProxyInfo } from './proxy.js';
import type { Session } from './sessions.js';
import { EmulatorState } from './state.js';
import { createTlsMaterial, type TlsMaterial } from './tls.js';

export { ManualClock, scaledClock, systemClock, type EmulatorClock } from './clock.js';
export type { Fault, FaultKind, FaultScope, FaultSpec } from './faults.js';
export type { RateLimitRule, SessionExpiryRule } from './limits.js';
export type { Counters, LogEntry } from './log.js';
export type { ProxyInfo } from './proxy.js';
export { toJson } from './json.js';

export interface InstagramEmulatorOptions {
  /** World seed (also `world.seed`); default 1. */
  seed?: number;
  /** Number of proxy ports, each a distinct proxy id 0..n-1; default 3. */
  proxies?: number;
  world?: WorldOptionsInput;
  /** Clock for rate-limit windows and session lifetimes; default the system clock. */
  clock?: EmulatorClock;
  host?: string;
  /** Fixed ports per proxy id; missing entries (and the default) use OS-assigned ports. */
  ports?: readonly number[];
  /** Reuse a certificate (e.g. across emulators in one test run); default a fresh one. */
  tls?: TlsMaterial;
}

export class InstagramEmulator {
  readonly world: World;
  readonly clock: EmulatorClock;
  private readonly state: EmulatorState;
  private readonly fleet: ProxyFleet;

  constructor(options: InstagramEmulatorOptions) {
    this.world = createWorld({ ...options.world, seed: options.seed ?? options.world?.seed ?? 1 });
    this.clock = options.clock ?? systemClock();
    this.state = new EmulatorState(this.world, this.clock, createPasswordKey(this.world.options.seed));
    this.fleet = new ProxyFleet(this.state, options.tls ?? createTlsMaterial(), options.host ?? '127.0.0.1');
  }

  /** @internal used by startInstagramEmulator */
  async listen(count: number, ports?: readonly number[]): Promise<void> {
    await this.fleet.start(count, ports);
  }

  /** `http://127.0.0.1:<port>` per proxy id (index = proxy id). */
  get proxyUrls(): string[] {
    return this.fleet.list().map((p) => p.url);
  }

  proxies(): ProxyInfo[] {
    return this.fleet.list();
  }

  // ---- faults -------------------------------------------------------------------------------

  addFault(scope: FaultScope, spec: FaultSpec): Fault {
    return this.state.faults.add(scope, spec);
  }

  setGlobalFault(spec: FaultSpec): Fault {
    return this.addFault({ global: true }, spec);
  }

  setAccountFault(username: string, spec: FaultSpec): Fault {
    return this.addFault({ account: username.toLowerCase() }, spec);
  }

  setProxyFault(proxyId: number, spec: FaultSpec): Fault {
    return this.addFault({ proxy: proxyId }, spec);
  }

  removeFault(id: number): boolean {
    return this.state.faults.remove(id);
  }

  clearFaults(scope?: FaultScope): void {
    this.state.faults.clear(scope);
  }

  faults(): Fault[] {
    return this.state.faults.list();
  }

  // ---- standing behaviour ---------------------------------------------------------------------

  /** Per-account request budget; `username` omitted = default for every account; null = unlimited. */
  setRateLimit(rule: RateLimitRule | null, username?: string): void {
    this.state.limits.setRateLimit(rule, username?.toLowerCase());
  }

  /** Requests of `username` counted in its current rate-limit window. */
  rateLimitUsed(username: string): number {
    return this.state.limits.used(username.toLowerCase(), this.clock.now());
  }

  setSessionExpiry(rule: SessionExpiryRule | null, username?: string): void {
    this.state.limits.setSessionExpiry(rule, username?.toLowerCase());
  }

  /** Ends every session of the account now: its next requests get login_required. */
  expireSessions(username: string): number {
    return this.state.sessions.expireAll(username.toLowerCase());
  }

  /** Overrides how logins of `username` end; null restores the world's behaviour. */
  setLoginOutcome(username: string, outcome: LoginOutcome | null): void {
    if (outcome === null) this.state.loginOutcomes.delete(username.toLowerCase());
    else this.state.loginOutcomes.set(username.toLowerCase(), outcome);
  }

  /** Bans an account: every request and login answers inactive user (or sentry_block). */
  ban(username: string, how: 'inactive' | 'sentry_block' = 'inactive'): void {
    this.setLoginOutcome(username, how);
    this.setAccountFault(username, { kind: how });
  }

  unban(username: string): void {
    this.setLoginOutcome(username, null);
    this.clearFaults({ account: username.toLowerCase() });
  }

  takeProxyDown(proxyId: number): Promise<void> {
    return this.fleet.takeDown(proxyId);
  }

  bringProxyUp(proxyId: number): Promise<void> {
    return this.fleet.bringUp(proxyId);
  }

  // ---- observation ----------------------------------------------------------------------------

  /** Every API request so far, oldest first. */
  get log(): readonly LogEntry[] {
    return this.state.log.entries;
  }

  counters(): Counters {
    return this.state.log.counters();
  }

  /** Successful logins of `username` since the start (or the last resetLog). */
  loginCount(username: string): number {
    return this.state.log.loginCount(username.toLowerCase());
  }

  /** Pairs of same-account requests that overlapped in time (should be empty for a leasing daemon). */
  overlappingRequests(): Array<[LogEntry, LogEntry]> {
    return this.state.log.overlaps();
  }

  /** Called after every API request with its log entry; returns the unsubscribe function. */
  onRequest(listener: (entry: LogEntry) => void): () => void {
    return this.state.log.onEntry(listener);
  }

  sessions(): Session[] {
    return this.state.sessions.list().map((s) => ({ ...s }));
  }

  /**
   * Profiles answer with the counts of day `day` of the world's growth series (0 … GROWTH_DAYS − 1, the last being
   * today), or today's with null: a test takes one snapshot per simulated day. Nothing else changes with the day.
   */
  setDay(day: number | null): void {
    this.state.day = day;
  }

  get day(): number | null {
    return this.state.day;
  }

  resetLog(): void {
    this.state.log.reset();
  }

  resetFaults(): void {
    this.state.faults.clear();
  }

  /** Clears rate limits (and their windows), session rules and login overrides. */
  resetBehaviour(): void {
    this.state.limits.reset();
    this.state.loginOutcomes.clear();
  }

  /** Back to a fresh start except for the world and the ports: also forgets all sessions. */
  reset(): void {
    this.resetLog();
    this.resetFaults();
    this.resetBehaviour();
    this.state.sessions.clear();
    this.state.pendingTwoFactor.clear();
    this.state.day = null;
  }

  async close(): Promise<void> {
    await this.fleet.close();
  }
}

export async function startInstagramEmulator(options: InstagramEmulatorOptions = {}): Promise<InstagramEmulator> {
  const emulator = new InstagramEmulator(options);
  await emulator.listen(options.proxies ?? 3, options.ports);
  return emulator;
}
