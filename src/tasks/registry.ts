import type { AccountPool } from '../accounts/pool.js';
import { TaskRegistry } from '../queue/registry.js';
import { audienceQualityHandler } from '../audience/quality-task.js';
import { discoverHandler } from '../scraping/discover.js';
import { followersHandler } from '../scraping/followers.js';
import { fullScrapeHandler } from '../scraping/full-scrape.js';
import { DEFAULT_SCRAPING_SETTINGS, type ScrapingSettings } from '../scraping/settings.js';

/** Settings the handlers need beyond the pool, taken from the configuration by the daemon; SPEC defaults otherwise. */
export interface TaskRegistrySettings {
  scraping?: ScrapingSettings;
}

/** Every task type the runner claims, registered in one place. */
export function createTaskRegistry(pool: AccountPool, settings: TaskRegistrySettings = {}): TaskRegistry {
  const scraping = settings.scraping ?? DEFAULT_SCRAPING_SETTINGS;
  return new TaskRegistry()
    .register({ type: 'full_scrape', needsAccount: true, handler: fullScrapeHandler(pool, scraping) })
    .register({ type: 'discover', needsAccount: true, handler: discoverHandler(pool, scraping) })
    .register({ type: 'followers', needsAccount: true, handler: followersHandler(pool) })
    .register({ type: 'audience_quality', needsAccount: true, handler: audienceQualityHandler(pool) });
  // ai_analysis is deliberately not here: those tasks are never claimed one by one by the runner. The batch
  // trigger (src/ai/submit.ts) claims them in bulk into `waiting_batch`, and the poller finishes them.
}
