import type { Logger } from './logger.js';

/**
 * SIGTERM/SIGINT stop the daemon gracefully (SPEC §10); a second signal exits at once; a watchdog bounds a shutdown
 * that hangs.
 */
export function stopOnSignals(daemon: { stop(): Promise<void> }, logger: Logger, graceMs: number): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalled = true;
    logger.info({ signal }, 'signal received; stopping gracefully (send it again to exit at once)');
    // Keeps the process alive until shutdown completes, and bounds it if something hangs.
    const watchdog = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, graceMs + 15_000);
    daemon.stop().then(
      () => {
        clearTimeout(watchdog);
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
