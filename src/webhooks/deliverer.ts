import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import {
  claimDeliveries,
  markAttemptFailed,
  markDelivered,
  releaseDelivery,
  type ClaimedDelivery,
  type RetryPolicy,
} from './delivery-store.js';
import { signedHeaders } from './signing.js';
import { signingSecrets } from './store.js';

export interface DelivererSettings extends RetryPolicy {
  concurrency: number;
  pollIntervalMs: number;
  timeoutMs: number;
  leaseMs: number;
}

export interface DelivererDeps {
  db: Kysely<Database>;
  box: SecretBox;
  logger: Logger;
  workerId: string;
  settings: DelivererSettings;
  userAgent?: string;
}

/**
 * Sends the outbox's deliveries: a small poll loop (woken by NOTIFY 'webhooks', else every WEBHOOK_POLL_INTERVAL_MS)
 * that claims as many due deliveries as it has free slots, POSTs each signed, and records the outcome under its
 * lease. Any number of processes run one; the claim's SKIP LOCKED and the lease keep each attempt with one of them.
 * At least once: a process killed after the receiver answered but before the outcome was written sends it again
 * after the lease, under the same webhook-id, so receivers drop the repeat.
 */
export class WebhookDeliverer {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private seq = 0;
  /** A wake that came while the loop was not asleep: the next sleep returns at once. */
  private woken = false;
  private failingSince: number | undefined;

  constructor(private readonly deps: DelivererDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** New deliveries may be due (a NOTIFY, or an attempt finished and freed a slot). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming; attempts in flight get up to `graceMs`, then are cut and released (due again at once). */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), graceOver]);
    clearTimeout(timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const { settings, logger } = this.deps;
    while (!this.stopped) {
      this.woken = false; // wakes from here on (during the claim) cut the next sleep short
      let claimed = 0;
      const free = settings.concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          const token = `${this.deps.workerId}:w${++this.seq}`; // one lease token per claim
          const rows = await claimDeliveries(this.deps.db, token, free, settings.leaseMs);
          claimed = rows.length;
          if (rows.length > 0) this.startAttempts(rows, token);
          if (this.failingSince !== undefined) logger.info('webhook deliveries can be claimed again');
          this.failingSince = undefined;
        } catch (error) {
          // The database is down or restarting: say so once, then keep polling at the normal pace.
          if (this.failingSince === undefined) logger.warn({ err: error }, 'cannot claim webhook deliveries; retrying');
          this.failingSince ??= Date.now();
        }
      }
      if (claimed > 0 && claimed === free) continue; // a full batch: more may be due
      await this.sleep(settings.pollIntervalMs);
    }
  }

  private startAttempts(rows: ClaimedDelivery[], token: string): void {
    const secrets = signingSecrets(this.deps.db, this.deps.box, [...new Set(rows.map((r) => r.endpoint_id))]);
    for (const row of rows) {
      const attempt = this.attempt(row, token, secrets).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, delivery: row.id }, 'webhook attempt could not be recorded; it runs again after its lease');
      });
      this.inFlight.add(attempt);
      void attempt.finally(() => {
        this.inFlight.delete(attempt);
        this.wake();
      });
    }
  }

  private async attempt(row: ClaimedDelivery, token: string, secretsOf: Promise<Map<number, string[]>>): Promise<void> {
    const { db, settings } = this.deps;
    const body = JSON.stringify(row.payload);
    let statusCode: number | null = null;
    let error: string;
    try {
      const headers = signedHeaders((await secretsOf).get(row.endpoint_id) ?? [], row.message_id, new Date(), body);
      const response = await fetch(row.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': this.deps.userAgent ?? 'ig-scout-webhooks', ...headers },
        body,
        redirect: 'manual', // Standard Webhooks: a redirect is a failed attempt, never followed (nor to the daemon)
        signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), this.abort.signal]),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        await markDelivered(db, row.id, token, response.status);
        return;
      }
      error = `the receiver answered ${response.status}`;
    } catch (caught) {
      if (this.abort.signal.aborted) return releaseDelivery(db, row.id, token);
      error = describe(caught, settings.timeoutMs);
    }
    const recorded = await markAttemptFailed(db, row.id, token, { statusCode, error }, settings);
    if (recorded)
      this.deps.logger.info(
        { delivery: row.id, event: row.event_type, attempt: row.attempts, status: statusCode, reason: error },
        'webhook attempt failed',
      );
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

/** A network error's code (ECONNREFUSED, …) or the timeout; never the URL, whose path may hold a token. */
function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]');
}
