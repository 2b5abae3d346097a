import { DEFAULT_GROWTH_SETTINGS } from './results/growth.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PoolOperations } from './accounts/admin.js';
import { createAiPipeline } from './ai/service.js';
import { createEmbeddingService } from './lookalikes/embedding-service.js';
import { warnAboutDirectAccounts } from './accounts/direct-connections.js';
import { sealDeviceSeeds } from './accounts/device-seed.js';
import { importFromConfig } from './accounts/import.js';
import { PoolMaintenance } from './accounts/maintenance.js';
import { AccountPool } from './accounts/pool.js';
import { poolSettings } from './accounts/settings.js';
import { createAlerter } from './alerts/webhook.js';
import { resolveApiKey } from './api-key.js';
import { resolveEncryptionKey } from './crypto/keys.js';
import type { Config } from './config.js';
import { openConfiguredDatabase, type DatabaseRuntime } from './db/bootstrap.js';
import type { SecretBox } from './crypto/secret-box.js';
import { createApp } from './http/app.js';
import { startHttpServer } from './http/server.js';
import type { Logger } from './logger.js';
import type { LogTail } from './observability/log-tail.js';
import type { TaskRegistry } from './queue/registry.js';
import { standardJobs } from './scheduler/jobs.js';
import { Scheduler } from './scheduler/scheduler.js';
import { Metrics } from './observability/metrics.js';
import { scrapingSettings } from './scraping/settings.js';
import { runnerOptionsFrom, wireAccountAwareRunner } from './tasks/wiring.js';
import { createTaskRegistry, type TaskRegistrySettings } from './tasks/registry.js';
import { projectRoot } from './util/paths.js';
import { AlertEventWriter } from './webhooks/alert-events.js';
import { WebhookDeliverer } from './webhooks/deliverer.js';
import { delivererSettings, selfAddress } from './webhooks/settings.js';
import { createGraphSource } from './graph/source.js';

export interface Daemon {
  port: number;
  workerId: string;
  apiKey: { key: string; generatedFile?: string };
  /** Graceful stop, in the reverse order of start. Idempotent. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Task types to run; the default is the production registry. Tests and benchmarks pass their own. */
  registry?: (pool: AccountPool, settings: TaskRegistrySettings) => TaskRegistry;
  /** The ring the logger taps (main.ts): the live tail's log lines. Without it the tail shows activity only. */
  logTail?: LogTail;
}

/**
 * The composition root: database → account pool → queue runner → scheduler → HTTP, started in that order and
 * stopped in reverse. Everything below receives its dependencies from here; nothing reaches for a global.
 */
export async function startDaemon(config: Config, logger: Logger, options: DaemonOptions = {}): Promise<Daemon> {
  const apiKey = await resolveApiKey(config);
  const { box } = await resolveEncryptionKey(config);
  const database = await openConfiguredDatabase(config, logger, { adoptRunningEmbedded: true, superviseEmbedded: true });
  // Anything that fails from here on during the start (an import, a setting the schema cannot judge, the port) must
  // not leave the database, and an embedded Postgres, running behind a dead daemon.
  try {
    return await startOnDatabase(config, logger, options, { apiKey, box, database });
  } catch (error) {
    await database.close().catch((closeError) => logger.warn({ err: closeError }, 'could not close the database after a failed start'));
    throw error;
  }
}

async function startOnDatabase(
  config: Config,
  logger: Logger,
  options: DaemonOptions,
  { apiKey, box, database }: { apiKey: Awaited<ReturnType<typeof resolveApiKey>>; box: SecretBox; database: DatabaseRuntime },
): Promise<Daemon> {
  const { db } = database.handle;
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let accepting = false;

  await sealDeviceSeeds(db, box, logger.child({ component: 'pool' }));
  await importFromConfig(db, box, config, logger);
  await warnAboutDirectAccounts(db, config.ACCOUNT_DIRECT_CONNECTIONS, logger);
  const alertEvents = new AlertEventWriter(db, logger.child({ component: 'webhooks' }));
  const alerter = createAlerter(config, logger.child({ component: 'alerts' }), alertEvents.forward);
  const settings = poolSettings(config);
  const pool = new AccountPool({ db, box, logger: logger.child({ component: 'pool' }), alerter, settings, workerId });
  const accountOps = new PoolOperations(pool);
  const maintenance = new PoolMaintenance(pool, accountOps, logger.child({ component: 'pool-maintenance' }));

  const graph = createGraphSource({ db, box, config, alerter, logger: logger.child({ component: 'graph' }) });
  const registry = (options.registry ?? createTaskRegistry)(pool, { scraping: scrapingSettings(config), graph: graph.taskDeps });
  const metrics = new Metrics(db, { aiPrices: config.AI_PRICES });
  const version = packageVersion();
  let listeningPort: number | undefined; // PORT=0 picks one at listen: known only then
  const deliverer = new WebhookDeliverer({
    db,
    box,
    logger: logger.child({ component: 'webhooks' }),
    workerId,
    settings: delivererSettings(config),
    userAgent: `ig-scout-webhooks/${version}`,
  });
  // The runner, its account-aware claim plan and LISTEN, wired as the bench and the tests' pool runner wire them.
  const {
    runner,
    listener,
    start: startRunner,
  } = wireAccountAwareRunner({
    db,
    queueDb: database.queue.db,
    registry,
    availability: (types) => pool.availability(types),
    accountsChanged: () => pool.accountsChanged(),
    connectionString: database.handle.connectionString,
    options: runnerOptionsFrom(config, workerId),
    observer: metrics.runnerObserver,
    logger: logger.child({ component: 'runner' }),
    listenerLogger: logger.child({ component: 'listen' }),
    // 'webhooks': the outbox has new deliveries (igscout_webhook_emit), nothing for the runner.
    channelShares: [{ payload: 'webhooks', wake: () => deliverer.wake() }],
  });
  const ai = createAiPipeline({ db, config, logger: logger.child({ component: 'ai' }), alerter, workerId });
  const embeddings = createEmbeddingService({ db, config, logger: logger.child({ component: 'embeddings' }) });
  const scheduler = new Scheduler({
    db,
    logger: logger.child({ component: 'scheduler' }),
    workerId,
    jobs: config.SCHEDULER_ENABLED
      ? standardJobs({ db, config, maintenance, ai: ai.enabled ? ai.cronJobs : undefined, graph: graph.jobs })
      : [],
  });

  const app = createApp({
    db,
    logger,
    apiKey: apiKey.key,
    bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
    retryAfterSeconds: config.HTTP_RETRY_AFTER_SECONDS,
    healthSettledCountsTtlMs: config.HEALTH_SETTLED_COUNTS_TTL_MS,
    healthCountsTtlMs: config.HEALTH_COUNTS_TTL_MS,
    directConnections: config.ACCOUNT_DIRECT_CONNECTIONS,
    consoleSessionTtlMs: config.CONSOLE_SESSION_TTL_MS,
    consoleRefreshMs: config.CONSOLE_REFRESH_MS,
    consoleBulkMax: config.CONSOLE_BULK_MAX,
    logTail: options.logTail,
    logStream: { pollMs: config.LOG_STREAM_POLL_MS, heartbeatMs: config.LOG_STREAM_HEARTBEAT_MS },
    maxAttempts: config.TASK_MAX_ATTEMPTS,
    isReady: () => accepting,
    isLive: () => database.isLive(),
    version,
    secretBox: box,
    accountOps,
    accountBudget: settings.budget,
    followersMaxDefault: config.FOLLOWERS_MAX_DEFAULT,
    exportBatchSize: config.EXPORT_BATCH_SIZE,
    growth: {
      settings: {
        ...DEFAULT_GROWTH_SETTINGS,
        madMultiplier: config.GROWTH_SPIKE_MAD_MULTIPLIER,
        minShareOfFollowers: config.GROWTH_SPIKE_MIN_SHARE,
        window: config.GROWTH_SPIKE_WINDOW_DAYS,
        seesawDays: config.GROWTH_SEESAW_DAYS,
      },
      erBands: config.ER_BANDS,
    },
    audience: { sampleDefault: config.AUDIENCE_SAMPLE_DEFAULT, deepBudgetMax: config.AUDIENCE_DEEP_BUDGET_MAX },
    similar: { databaseCandidates: config.SIMILAR_DATABASE_CANDIDATES },
    ai: { enabled: ai.enabled, model: config.AI_MODEL, prices: config.AI_PRICES },
    graph: graph.connect,
    metrics,
    webhooks: {
      secretGraceMs: config.WEBHOOK_SECRET_GRACE_MS,
      self: selfAddress(config.HOST, () => listeningPort ?? (config.PORT || undefined)),
    },
  });

  startRunner();
  scheduler.start();
  if (ai.enabled) ai.service.start();
  deliverer.start();
  embeddings?.start();
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    http = await startHttpServer(app, {
      port: config.PORT,
      host: config.HOST,
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
      maxConnections: config.HTTP_MAX_CONNECTIONS,
      lingerMs: config.HTTP_LINGER_MS,
    });
  } catch (error) {
    maintenance.stop();
    await scheduler.stop();
    if (ai.enabled) await ai.service.stop();
    await embeddings?.stop(0);
    await runner.stop(0);
    await deliverer.stop(0);
    await listener.stop();
    throw new Error(`cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`, { cause: error });
  }
  listeningPort = http.port;
  accepting = true;
  logger.info({ port: http.port, workerId, concurrency: config.WORKER_CONCURRENCY }, 'ig-scout is running');

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    accepting = false;
    const started = Date.now();
    // SHUTDOWN_GRACE_MS is the total: every step takes from what is left, and the last steps (alerts, closing
    // Postgres) keep a reserve, so the whole stop fits in Compose's stop_grace_period before SIGKILL.
    const left = () => Math.max(0, started + config.SHUTDOWN_GRACE_MS - Date.now());
    const reserveMs = Math.min(3_000, Math.floor(config.SHUTDOWN_GRACE_MS / 5));
    const upTo = (ms: number) => Math.min(ms, Math.max(0, left() - reserveMs));
    logger.info({ graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: no new requests or tasks');
    await http.close(upTo(5_000));
    maintenance.stop();
    await scheduler.stop(); // no new ticks; a running job (short by design) finishes
    await embeddings?.stop(upTo(5_000)); // embedding batches live in Postgres and at OpenAI: the next poll resumes them
    if (ai.enabled) await ai.service.stop(upTo(5_000)); // batch state is in Postgres: whatever is cut short resumes later
    const drained = await runner.stop(upTo(Number.POSITIVE_INFINITY));
    logger.info(drained, 'task runner stopped');
    await deliverer.stop(upTo(5_000)); // an attempt cut short is released: due again at once, on any process
    await Promise.race([
      alerter.flush().then(() => alertEvents.flush()),
      new Promise((resolve) => setTimeout(resolve, Math.max(0, left() - 500))),
    ]);
    await listener.stop();
    await database.close();
    logger.info({ tookMs: Date.now() - started }, 'shutdown complete');
  };
  return {
    port: http.port,
    workerId,
    apiKey,
    stop: () => (stopping ??= stop()),
  };
}

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}
