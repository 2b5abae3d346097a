import type { AccountPool } from '../accounts/pool.js';
import { PermanentTaskError } from '../queue/errors.js';
import { TaskRegistry, type TaskHandler } from '../queue/registry.js';
import { followersHandler } from '../scraping/followers.js';

/**
 * Every task type the daemon runs, registered in one place. Types whose feature is not built yet fail at once with
 * a clear reason instead of pretending to succeed.
 */
export function createTaskRegistry(pool: AccountPool): TaskRegistry {
  return new TaskRegistry()
    .register({ type: 'full_scrape', needsAccount: true, handler: notImplemented('full_scrape (profile scraping)') })
    .register({ type: 'discover', needsAccount: true, handler: notImplemented('discover (hashtag discovery)') })
    .register({ type: 'followers', needsAccount: true, handler: followersHandler(pool) })
    .register({ type: 'ai_analysis', handler: notImplemented('ai_analysis (OpenAI batch analysis)') });
}

function notImplemented(what: string): TaskHandler {
  return async () => {
    throw new PermanentTaskError(`not implemented yet: ${what} is not available in this version of ig-scout`);
  };
}
