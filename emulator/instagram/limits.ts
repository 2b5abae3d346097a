/**
 * Standing behaviour: per-account request limits in a time window (→ 429) and session lifetimes
 * (→ login_required). Each can be set for everyone and overridden per account.
 */
export interface RateLimitRule {
  maxRequests: number;
  windowMs: number;
}

export interface SessionExpiryRule {
  /** A session dies after answering this many authenticated requests. */
  afterRequests?: number;
  /** …or this long after its login (emulator clock). */
  afterMs?: number;
}

export class Limits {
  private globalRate: RateLimitRule | null = null;
  private readonly accountRate = new Map<string, RateLimitRule | null>();
  private globalExpiry: SessionExpiryRule | null = null;
  private readonly accountExpiry = new Map<string, SessionExpiryRule | null>();
  /** Clock times of counted requests per account, oldest first. */
  private readonly history = new Map<string, number[]>();

  /** `account` omitted = default for all accounts; `null` rule = no limit. */
  setRateLimit(rule: RateLimitRule | null, account?: string): void {
    if (account === undefined) this.globalRate = rule;
    else this.accountRate.set(account, rule);
  }

  setSessionExpiry(rule: SessionExpiryRule | null, account?: string): void {
    if (account === undefined) this.globalExpiry = rule;
    else this.accountExpiry.set(account, rule);
  }

  rateLimitFor(account: string): RateLimitRule | null {
    return this.accountRate.has(account) ? (this.accountRate.get(account) ?? null) : this.globalRate;
  }

  expiryFor(account: string): SessionExpiryRule | null {
    return this.accountExpiry.has(account) ? (this.accountExpiry.get(account) ?? null) : this.globalExpiry;
  }

  /**
   * Counts a request of `account` at `now` unless the window is full. Returns false when the
   * request must be refused with 429; refused requests do not extend the window.
   */
  admit(account: string, now: number): boolean {
    const rule = this.rateLimitFor(account);
    if (!rule) return true;
    const recent = (this.history.get(account) ?? []).filter((t) => t > now - rule.windowMs);
    if (recent.length >= rule.maxRequests) {
      this.history.set(account, recent);
      return false;
    }
    recent.push(now);
    this.history.set(account, recent);
    return true;
  }

  /** Requests of `account` counted in the current window. */
  used(account: string, now: number): number {
    const rule = this.rateLimitFor(account);
    const windowMs = rule?.windowMs ?? Number.POSITIVE_INFINITY;
    return (this.history.get(account) ?? []).filter((t) => t > now - windowMs).length;
  }

  reset(): void {
    this.globalRate = null;
    this.accountRate.clear();
    this.globalExpiry = null;
    this.accountExpiry.clear();
    this.history.clear();
  }

  resetWindows(): void {
    this.history.clear();
  }
}
