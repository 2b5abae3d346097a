import type { AccountPool } from '../accounts/pool.js';
import { TaskRegistry } from '../queue/registry.js';
import { audienceQualityHandler } from '../audience/quality-task.js';
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

/** The task types that run on an Instagram account (the claim plan holds them back while none is usable). */
export const ACCOUNT_TASK_TYPES: readonly string[] = ['full_scrape', 'discover', 'followers', 'audience_quality', 'profile_refresh', 'similar_accounts'];
const needsAccount = (type: string) => ACCOUNT_TASK_TYPES.includes(type);

/** Every task type the runner claims, registered in one place. */
export function createTaskRegistry(pool: AccountPool, settings: TaskRegistrySettings = {}): TaskRegistry {
  const scraping = settings.scraping ?? DEFAULT_SCRAPING_SETTINGS;
  return new TaskRegistry()
    .register({ type: 'full_scrape', needsAccount: needsAccount('full_scrape'), handler: fullScrapeHandler(pool, scraping) })
    .register({ type: 'discover', needsAccount: needsAccount('discover'), handler: discoverHandler(pool, scraping) })
    .register({ type: 'followers', needsAccount: needsAccount('followers'), handler: followersHandler(pool) })
    .register({ type: 'audience_quality', needsAccount: needsAccount('audience_quality'), handler: audienceQualityHandler(pool) })
    .register({ type: 'profile_refresh', needsAccount: needsAccount('profile_refresh'), handler: profileRefreshHandler(pool) })
    .register({ type: 'similar_accounts', needsAccount: needsAccount('similar_accounts'), handler: similarAccountsHandler(pool) })
    // The Graph API source runs on a connected token, never on a pool account.
    .register({ type: 'graph_discovery', handler: graphDiscoveryHandler(settings.graph ?? UNWIRED_GRAPH_DEPS) })
    .register({ type: 'graph_media_sync', handler: graphMediaSyncHandler(settings.graph ?? UNWIRED_GRAPH_DEPS) });
  // ai_analysis is deliberately not here: those tasks are never claimed one by one by the runner. The batch
  // trigger (src/ai/submit.ts) claims them in bulk into `waiting_batch`, and the poller finishes them.
}
