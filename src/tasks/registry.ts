import type { AccountPool } from '../accounts/pool.js';
import { PermanentTaskError } from '../queue/errors.js';
import { TaskRegistry, type TaskHandler } from '../queue/registry.js';
import { discoverHandler } from '../scraping/discover.js';
import { followersHandler } from '../scraping/followers.js';
import { fullScrapeHandler } from '../scraping/full-scrape.js';
import { DEFAULT_SCRAPING_SETTINGS, type ScrapingSettings } from '../scraping/settings.js';

/** Settings the handlers need beyond the pool, taken from the configuration by the daemon; SPEC defaults otherwise. */
export interface TaskRegistrySettings {
  scraping?: ScrapingSettings;
}

/**
 * Every task type the daemon runs, registered in one place. Types whose feature is not built yet fail at once with
 * a clear reason instead of pretending to succeed.
 */
export function createTaskRegistry(pool: AccountPool, settings: TaskRegistrySettings = {}): TaskRegistry {
  const scraping = settings.scraping ?? DEFAULT_SCRAPING_SETTINGS;
  return new TaskRegistry()
    .register({ type: 'full_scrape', needsAccount: true, handler: fullScrapeHandler(pool, scraping) })
    .register({ type: 'discover', needsAccount: true, handler: discoverHandler(pool, scraping) })
    .register({ type: 'followers', needsAccount: true, handler: followersHandler(pool) })
    .register({ type: 'ai_analysis', handler: notImplemented('ai_analysis (OpenAI batch analysis)') });
}

function notImplemented(what: string): TaskHandler {
  return async () => {
    throw new PermanentTaskError(`not implemented yet: ${what} is not available in this version of ig-scout`);
  };
}
