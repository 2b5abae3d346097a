import type { Config } from '../config.js';
import { maskUrl, type Logger } from '../logger.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded.js';
import { migrate } from './migrate.js';

export interface DatabaseRuntime {
  handle: DatabaseHandle;
  /** The task runner's own small pool: its statements are prepared and planned once per connection. */
  queue: DatabaseHandle;
  embedded: EmbeddedPostgresHandle | undefined;
  /** Closes the pool, then stops the embedded server if this process owns it. */
  close(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded Postgres in DATA_DIR. Either way the schema is brought up to date
 * (under the migration lock) before anything else touches it.
 */
export async function openConfiguredDatabase(
  config: Config,
  logger: Logger,
  options: { adoptRunningEmbedded: boolean },
): Promise<DatabaseRuntime> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
      logger,
      adoptRunning: options.adoptRunningEmbedded,
    });
    url = embedded.connectionString;
  }
  const dbLogger = logger.child({ component: 'db' });
  const onPoolError = (error: Error) => dbLogger.warn({ err: error.message }, 'idle database connection lost');
  const handle = openDatabase(url, { poolMax: config.DB_POOL_MAX, onPoolError });
  const queue = openDatabase(url, { poolMax: config.DB_QUEUE_POOL_MAX, onPoolError, queuePool: true });
  try {
    await migrate(handle.pool, dbLogger);
  } catch (error) {
    await handle.close();
    await queue.close();
    await embedded?.stop();
    throw new Error(`cannot prepare the database at ${maskUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  dbLogger.info({ database: maskUrl(url), embedded: !!embedded }, 'database ready');
  return {
    handle,
    queue,
    embedded,
    close: async () => {
      await handle.close();
      await queue.close();
      await embedded?.stop();
    },
  };
}
