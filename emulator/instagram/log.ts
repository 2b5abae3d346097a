/**
 * The request log and counters. One entry per HTTP request that reached the API (after CONNECT
 * and TLS), with the account and proxy it came through, so tests can assert budgets, per-account
 * exclusivity (entries of one account never overlap in time) and requests per profile.
 */
export type LogStatus = number | 'dropped' | 'reset';

export interface LogEntry {
  seq: number;
  method: string;
  path: string;
  /** Normalised endpoint, e.g. `feed/user/{pk}`. */
  route: string;
  /** The `max_id` (pagination cursor) the request asked for, if any: lets tests prove no page was fetched twice. */
  maxId: string | null;
  /** The client's User-Agent (it carries the app version Instagram judges). */
  userAgent: string | null;
  /** Username of the session (or of the login form); null when unknown. */
  username: string | null;
  sessionId: string | null;
  proxyId: number | null;
  /** Emulator clock, ms. */
  startedAt: number;
  endedAt: number | null;
  /** Wall clock (Date.now()), ms: for asserting real delays between requests. */
  wallStartedAt: number;
  wallEndedAt: number | null;
  status: LogStatus | null;
  /** Kind of fault applied, if any. */
  fault: string | null;
}

export interface Tally {
  requests: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
}

export interface Counters {
  total: number;
  byAccount: Record<string, Tally & { logins: number; loginAttempts: number }>;
  byProxy: Record<string, Tally & { connections: number; refused: number }>;
}

const emptyTally = (): Tally => ({ requests: 0, byStatus: {}, byRoute: {} });

export class RequestLog {
  readonly entries: LogEntry[] = [];
  private seq = 0;
  private readonly logins = new Map<string, number>();
  private readonly loginAttempts = new Map<string, number>();
  private readonly connections = new Map<number, { connections: number; refused: number }>();
  private readonly listeners = new Set<(entry: LogEntry) => void>();

  /** Calls `listener` with every finished entry; returns the unsubscribe function. */
  onEntry(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(fields: Omit<LogEntry, 'seq' | 'endedAt' | 'wallEndedAt' | 'status' | 'fault' | 'wallStartedAt'>): LogEntry {
    const entry: LogEntry = {
      ...fields,
      seq: ++this.seq,
      endedAt: null,
      wallStartedAt: Date.now(),
      wallEndedAt: null,
      status: null,
      fault: null,
    };
    this.entries.push(entry);
    return entry;
  }

  end(entry: LogEntry, status: LogStatus, now: number): void {
    entry.status = status;
    entry.endedAt = now;
    entry.wallEndedAt = Date.now();
    for (const listener of this.listeners) listener(entry);
  }

  /**
   * Pairs of requests of the same account that were in flight at the same time (wall clock):
   * the daemon leases an account to one task at a time, so this should stay empty.
   */
  overlaps(): Array<[LogEntry, LogEntry]> {
    const pairs: Array<[LogEntry, LogEntry]> = [];
    const byAccount = new Map<string, LogEntry[]>();
    for (const entry of this.entries) {
      if (entry.username === null) continue;
      const list = byAccount.get(entry.username) ?? [];
      for (const earlier of list) {
        if (entry.wallStartedAt < (earlier.wallEndedAt ?? Number.POSITIVE_INFINITY)) pairs.push([earlier, entry]);
      }
      list.push(entry);
      byAccount.set(entry.username, list);
    }
    return pairs;
  }

  recordLogin(username: string, succeeded: boolean): void {
    this.loginAttempts.set(username, (this.loginAttempts.get(username) ?? 0) + 1);
    if (succeeded) this.logins.set(username, (this.logins.get(username) ?? 0) + 1);
  }

  recordConnection(proxyId: number, refused: boolean): void {
    const tally = this.connections.get(proxyId) ?? { connections: 0, refused: 0 };
    tally.connections += 1;
    if (refused) tally.refused += 1;
    this.connections.set(proxyId, tally);
  }

  /** Successful logins (accounts/login or two_factor_login) of `username`. */
  loginCount(username: string): number {
    return this.logins.get(username) ?? 0;
  }

  counters(): Counters {
    const counters: Counters = { total: this.entries.length, byAccount: {}, byProxy: {} };
    for (const entry of this.entries) {
      if (entry.username !== null) {
        const tally = (counters.byAccount[entry.username] ??= { ...emptyTally(), logins: 0, loginAttempts: 0 });
        add(tally, entry);
      }
      if (entry.proxyId !== null) {
        const tally = (counters.byProxy[String(entry.proxyId)] ??= { ...emptyTally(), connections: 0, refused: 0 });
        add(tally, entry);
      }
    }
    for (const [username, count] of this.loginAttempts) {
      const tally = (counters.byAccount[username] ??= { ...emptyTally(), logins: 0, loginAttempts: 0 });
      tally.loginAttempts = count;
      tally.logins = this.logins.get(username) ?? 0;
    }
    for (const [proxyId, conn] of this.connections) {
      const tally = (counters.byProxy[String(proxyId)] ??= { ...emptyTally(), connections: 0, refused: 0 });
      Object.assign(tally, conn);
    }
    return counters;
  }

  reset(): void {
    this.entries.length = 0;
    this.logins.clear();
    this.loginAttempts.clear();
    this.connections.clear();
  }
}

function add(tally: Tally, entry: LogEntry): void {
  tally.requests += 1;
  const status = String(entry.status ?? 'pending');
  tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
  tally.byRoute[entry.route] = (tally.byRoute[entry.route] ?? 0) + 1;
}
