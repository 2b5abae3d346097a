import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * LISTEN scrape_tasks on a dedicated connection, so an idle worker starts new work at once instead of at its next
 * poll. Where LISTEN is unavailable (a transaction-pooling proxy, the connection dropped) the runner's fallback poll
 * still finds the work; this only reconnects in the background, with backoff, and says so once per outage.
 */
export class NewWorkListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly connectionString: string,
    /** The NOTIFY's payload ('' from an enqueue), or undefined after a reconnect: anything may have changed. */
    private readonly onNotify: (payload?: string) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'ig-scout-listen' });
    client.on('notification', (message) => this.onNotify(message.payload ?? ''));
    client.on('error', (error) => this.reconnectLater(client, error));
    client.on('end', () => this.reconnectLater(client));
    try {
      await client.connect();
      await client.query('LISTEN scrape_tasks');
      if (this.stopped) return void client.end().catch(() => undefined);
      this.client = client;
      if (this.failures > 0) this.logger.info('LISTEN connection restored');
      this.failures = 0;
      this.onNotify(); // work may have arrived while we were not listening
    } catch (error) {
      this.reconnectLater(client, error as Error);
    }
  }

  private reconnectLater(client: pg.Client, error?: Error): void {
    if (this.stopped || this.retryTimer || (this.client && this.client !== client)) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.failures === 0) {
      this.logger.warn({ err: error?.message }, 'LISTEN unavailable; relying on the fallback poll until it is back');
    }
    this.failures++;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
