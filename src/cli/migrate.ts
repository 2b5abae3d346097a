import { loadConfig } from '../config.js';
import { openConfiguredDatabase } from '../db/bootstrap.js';
import { createLogger } from '../logger.js';

/**
 * `npm run migrate`: brings the database (DATABASE_URL, or the embedded one in DATA_DIR) up to date and exits.
 * Safe beside a running daemon: migrations take a lock, and an embedded server the daemon runs is used, not stopped.
 */
const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
try {
  const database = await openConfiguredDatabase(config, logger, { adoptRunningEmbedded: false });
  await database.close();
  logger.info('database is up to date');
} catch (error) {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
}
