import type { Logger } from '../logger.js';

/** What the supervisor needs of a server: a cheap aliveness probe and a way to start it again. */
export interface SupervisedServer {
  isRunning(): boolean;
  restart(): Promise<void>;
}

export interface SupervisorSettings {
  checkIntervalMs: number;
  /** First wait after a failed restart; doubles per failure up to `backoffMaxMs`. */
  backoffMs: number;
  backoffMaxMs: number;
  /** Failed restarts in a row after which the supervisor reports itself unhealthy (liveness fails). */
  maxFailures: number;
}

/**
 * Keeps the embedded Postgres of a zero-setup daemon running. Nothing else would: with DATABASE_URL an operator's
 * Postgres has its own supervisor (systemd, the platform), but the embedded one is our child, and a killed postmaster
 * used to leave the daemon answering 503 forever while it still looked alive. A restart is Postgres's own crash
 * recovery (WAL replay), so committed tasks survive; the pools reconnect by themselves on their next query.
 *
 * When restarts keep failing, `healthy` turns false and /api/health/live answers 503: a process whose database
 * cannot come back is better restarted by the orchestrator than left serving 503s. It keeps trying meanwhile, at the
 * longest backoff, and turns healthy again when a restart succeeds.
 */
export class PostgresSupervisor {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private failures = 0;
  private downSince: number | undefined;
  private restarting: Promise<void> | undefined;

  constructor(
    private readonly server: SupervisedServer,
    private readonly settings: SupervisorSettings,
    private readonly logger: Logger,
  ) {}

  get healthy(): boolean {
    return this.failures < this.settings.maxFailures;
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.settings.checkIntervalMs);
  }

  /** No restart after this; one in progress is awaited, so stop() of the server afterwards stops what it started. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.restarting;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check(), delayMs);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    if (this.server.isRunning()) return this.schedule(this.settings.checkIntervalMs);
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.logger.warn('the embedded Postgres is not running (killed or crashed); restarting it');
    }
    this.restarting = this.server.restart();
    try {
      await this.restarting;
      this.logger.info({ downMs: Date.now() - this.downSince, failedRestarts: this.failures }, 'embedded Postgres restarted');
      this.failures = 0;
      this.downSince = undefined;
      this.schedule(this.settings.checkIntervalMs);
    } catch (error) {
      this.failures++;
      const delayMs = Math.min(this.settings.backoffMaxMs, this.settings.backoffMs * 2 ** (this.failures - 1));
      const unhealthy = this.failures === this.settings.maxFailures;
      this.logger[unhealthy ? 'error' : 'warn'](
        { err: (error as Error).message.slice(0, 2000), failedRestarts: this.failures, retryInMs: delayMs },
        unhealthy
          ? 'could not restart the embedded Postgres; liveness now fails so that an orchestrator restarts the daemon'
          : 'could not restart the embedded Postgres yet; trying again',
      );
      this.schedule(delayMs);
    } finally {
      this.restarting = undefined;
    }
  }
}
