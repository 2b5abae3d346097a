import type { Config } from '../config.js';
import { maskUrl, type Logger } from '../logger.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded.js';
import { migrate } from './migrate.js';
import { PostgresSupervisor } from './supervisor.js';

export interface DatabaseRuntime {
  handle: DatabaseHandle;
  /** The task runner's own small pool: its statements are prepared and planned once per connection. */
  queue: DatabaseHandle;
  embedded: EmbeddedPostgresHandle | undefined;
  /** False while an embedded Postgres that died cannot be restarted: liveness reports it. Always true with DATABASE_URL. */
  isLive(): boolean;
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
  options: {
    adoptRunningEmbedded: boolean /** Restart the embedded Postgres if it dies (the daemon; not one-shot commands). */;
    superviseEmbedded?: boolean;
  },
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
  const conflictRetry = { attempts: config.DB_CONFLICT_ATTEMPTS, backoffMs: config.DB_CONFLICT_BACKOFF_MS };
  const handle = openDatabase(url, { poolMax: config.DB_POOL_MAX, onPoolError, conflictRetry });
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
  const supervisor =
    embedded && options.superviseEmbedded
      ? new PostgresSupervisor(
          embedded,
          {
            checkIntervalMs: config.EMBEDDED_PG_CHECK_INTERVAL_MS,
            backoffMs: config.EMBEDDED_PG_RESTART_BACKOFF_MS,
            backoffMaxMs: config.EMBEDDED_PG_RESTART_BACKOFF_MAX_MS,
            maxFailures: config.EMBEDDED_PG_RESTART_ATTEMPTS,
          },
          logger.child({ component: 'embedded-postgres' }),
        )
      : undefined;
  supervisor?.start();
  return {
    handle,
    queue,
    embedded,
    isLive: () => supervisor?.healthy ?? true,
    close: async () => {
      await supervisor?.stop();
      await handle.close();
      await queue.close();
      await embedded?.stop();
    },
  };
}
