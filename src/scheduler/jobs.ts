import type { Kysely } from 'kysely';
import type { PoolMaintenance } from '../accounts/maintenance.js';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { recoverExpiredLeases } from '../queue/recover.js';
import { discoverWeekly, parseHashtags, scheduleUpdates } from './enqueue-jobs.js';
import { pruneOldRows } from './housekeeping.js';
import type { JobDefinition } from './scheduler.js';

/** What the AI pipeline exposes to the scheduler; absent until it is wired. */
export interface AiJobs {
  pollBatches(): Promise<Record<string, unknown> | void>;
  retryStaleBatches(): Promise<Record<string, unknown> | void>;
}

/** The Graph API source's jobs (src/graph/), absent while it is off. */
export interface GraphJobs {
  refreshTokens(): Promise<Record<string, unknown> | void>;
  scheduleMediaSync(): Promise<Record<string, unknown> | void>;
}

/** SPEC §8's jobs (and the pool's upkeep), each a short piece of database work on a configurable schedule. */
export function standardJobs(deps: {
  db: Kysely<Database>;
  config: Config;
  maintenance: PoolMaintenance;
  ai?: AiJobs;
  graph?: GraphJobs;
}): JobDefinition[] {
  const { db, config, maintenance, ai, graph } = deps;
  const hashtags = parseHashtags(config.DISCOVER_HASHTAGS);
  const jobs: JobDefinition[] = [
    { name: 'recover_tasks', schedule: config.CRON_RECOVER_TASKS, run: () => recoverExpiredLeases(db) },
    {
      name: 'schedule_updates',
      schedule: config.CRON_SCHEDULE_UPDATES,
      run: () =>
        scheduleUpdates(db, {
          afterDays: config.RESCRAPE_AFTER_DAYS,
          maxAttempts: config.TASK_MAX_ATTEMPTS,
          profileRefreshAfterHours: config.PROFILE_REFRESH_AFTER_HOURS,
        }),
    },
    {
      name: 'discover_weekly',
      schedule: config.CRON_DISCOVER_WEEKLY,
      run: () => discoverWeekly(db, { hashtags, maxAttempts: config.TASK_MAX_ATTEMPTS }),
    },
    {
      name: 'validate_sessions',
      schedule: config.CRON_VALIDATE_SESSIONS,
      run: async () => ({ checked: await maintenance.validateSessions() }),
    },
    { name: 'check_proxies', schedule: config.CRON_CHECK_PROXIES, run: async () => ({ checked: await maintenance.checkProxies() }) },
    {
      name: 'housekeeping',
      schedule: config.CRON_HOUSEKEEPING,
      maxRuntimeMs: 60 * 60_000,
      run: () =>
        pruneOldRows(db, {
          tasksAfterDays: config.PRUNE_TASKS_AFTER_DAYS,
          failedTasksAfterDays: config.PRUNE_FAILED_TASKS_AFTER_DAYS,
          activityAfterDays: config.PRUNE_ACTIVITY_AFTER_DAYS,
          batchSize: config.PRUNE_BATCH_SIZE,
        }),
    },
  ];
  if (ai) {
    jobs.push(
      { name: 'poll_batches', schedule: config.CRON_POLL_BATCHES, run: () => ai.pollBatches() },
      { name: 'retry_stale_batches', schedule: config.CRON_RETRY_STALE_BATCHES, run: () => ai.retryStaleBatches() },
    );
  }
  if (graph) {
    jobs.push(
      { name: 'refresh_tokens', schedule: config.CRON_REFRESH_TOKENS, run: () => graph.refreshTokens() },
      { name: 'graph_media_sync', schedule: config.CRON_GRAPH_MEDIA_SYNC, run: () => graph.scheduleMediaSync() },
    );
  }
  return jobs;
}
