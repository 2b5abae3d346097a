import { DeferTaskError } from '../queue/errors.js';
import { sleep } from '../util/wait.js';
import type { GraphClient } from './client.js';
import { classifyGraphError, GraphApiError } from './errors.js';
import type { GraphPacing } from './settings.js';
import { pace, type GraphUsage } from './usage.js';

/**
 * The last usage each connected account's calls reported, shared by the tasks of this process, so a new task
 * starts from what the previous one saw instead of from "unknown". Entries older than the usage window are dropped.
 */
export class GraphUsageBook {
  private readonly entries = new Map<string, { usage: GraphUsage; at: number }>();
  constructor(private readonly maxAgeMs = 3_600_000) {}

  get(key: string, now = Date.now()): { usage: GraphUsage; at: number } | null {
    const entry = this.entries.get(key);
    return entry && now - entry.at < this.maxAgeMs ? entry : null;
  }

  set(key: string, usage: GraphUsage | null, now = Date.now()): void {
    if (usage) this.entries.set(key, { usage, at: now });
  }
}

/**
 * A task's Graph API calls, paced by the usage headers: before each call, go, pause (usage between the slowdown
 * and stop thresholds) or defer the task (at the stop threshold, or on a throttle answer) until access is expected
 * back — DeferTaskError gives the attempt back and keeps the checkpoint.
 */
export class GraphSession {
  calls = 0;
  pausedMs = 0;
  /** When lastUsage was read: a "wait" is over once that long has passed since (the reading is then stale). */
  private seenAt = 0;

  constructor(
    readonly client: GraphClient,
    private readonly pacing: GraphPacing,
    private readonly book: GraphUsageBook,
    private readonly key: string,
    private readonly signal: AbortSignal,
  ) {
    const known = book.get(key);
    client.lastUsage = known?.usage ?? null;
    this.seenAt = known?.at ?? 0;
  }

  async call<T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const decision = pace(this.client.lastUsage, this.pacing);
    if (decision.action === 'wait' && Date.now() - this.seenAt < decision.ms) {
      throw new DeferTaskError(
        `Graph API usage at ${this.client.lastUsage?.percent}%: waiting before ${what}`,
        new Date(Date.now() + decision.ms),
      );
    }
    if (decision.action === 'delay' && decision.ms > 0) {
      this.pausedMs += decision.ms;
      await sleep(decision.ms, this.signal);
    }
    this.calls += 1;
    try {
      return await fn(this.signal);
    } catch (error) {
      if (error instanceof GraphApiError && classifyGraphError(error) === 'throttled') {
        const waitMs = error.regainMs > 0 ? error.regainMs : this.pacing.throttleWaitMs;
        throw new DeferTaskError(
          `Graph API throttled ${what} (code ${error.code}): waiting ${Math.round(waitMs / 1000)} s`,
          new Date(Date.now() + waitMs),
        );
      }
      throw error;
    } finally {
      this.seenAt = Date.now();
      this.book.set(this.key, this.client.lastUsage, this.seenAt);
    }
  }
}
