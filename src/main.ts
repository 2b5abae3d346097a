import { ApiKeyError } from './api-key.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startDaemon, type Daemon } from './daemon.js';
import { createLogger, type Logger } from './logger.js';
import { LogTail } from './observability/log-tail.js';
import { stopOnSignals } from './signals.js';

/**
 * Entry point of `npm start`: read the configuration, start the daemon, stop it gracefully on SIGTERM/SIGINT.
 * A second signal exits at once.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md ("Configuration") for every variable and its default.\n`);
      process.exit(2);
    }
    throw error;
  }
  // The live tail (GET /api/logs/stream, the console's Logs page) reads the daemon's own lines from this ring.
  const logTail = new LogTail(config.LOG_TAIL_LINES);
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, tap: (line) => logTail.push(line) });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  let daemon: Daemon;
  try {
    daemon = await startDaemon(config, logger, { logTail });
  } catch (error) {
    logger.fatal({ err: error instanceof ApiKeyError ? error.message : error }, 'ig-scout could not start');
    logger.flush?.();
    process.exit(1);
  }
  if (daemon.apiKey.generatedFile) printKeyHint(logger, daemon);
  logger.info({ url: `http://localhost:${daemon.port}/ui` }, `web console: http://localhost:${daemon.port}/ui (sign in with the API key)`);
  stopOnSignals(daemon, logger, config.SHUTDOWN_GRACE_MS);
}

function printKeyHint(logger: Logger, daemon: Daemon): void {
  const file = daemon.apiKey.generatedFile!;
  logger.info(
    { apiKeyFile: file },
    `API key kept in ${file} (set SCRAPER_API_KEY to choose your own). Try:\n` +
      `  curl -H "Authorization: Bearer $(cat ${file})" http://localhost:${daemon.port}/api/tasks`,
  );
}

await main();
