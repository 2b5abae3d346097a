import type { Kysely } from 'kysely';
import type { AlertPayload } from '../alerts/webhook.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { emitWebhookEvent } from './outbox.js';

/**
 * `alert.raised`: every alert that passes the alerter's throttle (src/alerts/webhook.ts `forward`) becomes an outbox
 * event. An alert is not part of a transaction (it is raised from an error path of the pool), so it is written on
 * its own, in the background: like the alert webhook, a failure here costs one warn line and never the caller.
 */
export class AlertEventWriter {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
  ) {}

  readonly forward = (payload: AlertPayload): void => {
    const { kind, severity, message, subject, at, suppressed_repeats } = payload;
    const write = emitWebhookEvent(this.db, 'alert.raised', { kind, severity, message, subject, at, suppressed_repeats }).catch(
      (error: unknown) => this.logger.warn({ err: error, alert: kind }, 'alert.raised could not be written to the webhook outbox'),
    );
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  };

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
