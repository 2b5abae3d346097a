import type { AccountPool } from '../accounts/pool.js';
import { audienceQualityHandler } from '../audience/quality-task.js';
import { TaskRegistry, type TaskHandler } from '../queue/registry.js';
import { TASK_KINDS, type RunnerTaskType, type TaskKind } from '../queue/task.js';
import { discoverHandler } from '../scraping/discover.js';
import { followersHandler } from '../scraping/followers.js';
import { fullScrapeHandler } from '../scraping/full-scrape.js';
import { profileRefreshHandler } from '../scraping/profile-refresh.js';
import { similarAccountsHandler } from '../lookalikes/similar-task.js';
import { DEFAULT_SCRAPING_SETTINGS, type ScrapingSettings } from '../scraping/settings.js';
import { graphDiscoveryHandler, graphMediaSyncHandler, UNWIRED_GRAPH_DEPS, type GraphTaskDeps } from '../graph/tasks.js';

/** Settings the handlers need beyond the pool, taken from the configuration by the daemon; SPEC defaults otherwise. */
export interface TaskRegistrySettings {
  scraping?: ScrapingSettings;
  /** The Graph API source (src/graph/); its tasks fail at once, saying why, where it is not wired. */
  graph?: GraphTaskDeps;
}

/** Kept for callers of the earlier export; the list itself is derived from TASK_KINDS (src/queue/task.ts). */
export { ACCOUNT_TASK_TYPES } from '../queue/task.js';

/**
 * Every task type the runner claims, registered in one place. The handler map is typed by RunnerTaskType, so a kind
 * added to TASK_KINDS fails to compile here until it has its handler; whether it needs an account comes from there.
 * ai_analysis is not here: TASK_KINDS marks it bulk-claimed (the AI batch builder takes it, src/ai/build.ts).
 */
export function createTaskRegistry(pool: AccountPool, settings: TaskRegistrySettings = {}): TaskRegistry {
  const scraping = settings.scraping ?? DEFAULT_SCRAPING_SETTINGS;
  const handlers: Record<RunnerTaskType, TaskHandler> = {
    full_scrape: fullScrapeHandler(pool, scraping),
    discover: discoverHandler(pool, scraping),
    followers: followersHandler(pool),
    audience_quality: audienceQualityHandler(pool),
    profile_refresh: profileRefreshHandler(pool),
    similar_accounts: similarAccountsHandler(pool),
    graph_discovery: graphDiscoveryHandler(settings.graph ?? UNWIRED_GRAPH_DEPS),
    graph_media_sync: graphMediaSyncHandler(settings.graph ?? UNWIRED_GRAPH_DEPS),
  };
  const registry = new TaskRegistry();
  for (const [type, handler] of Object.entries(handlers) as Array<[RunnerTaskType, TaskHandler]>) {
    registry.register({ type, handler, needsAccount: (TASK_KINDS[type] as TaskKind).needsAccount === true });
  }
  return registry;
}
