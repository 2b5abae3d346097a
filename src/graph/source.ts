import type { Kysely } from 'kysely';
import type { Alerter } from '../alerts/alerter.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { GraphConnect } from './connect.js';
import { scheduleGraphMediaSync } from './requests.js';
import { GraphUsageBook } from './session.js';
import { graphSettings } from './settings.js';
import { GRAPH_SCHEDULED_PRIORITY, type GraphTaskDeps } from './tasks.js';

/** The Graph API source as the daemon wires it: the connect service, the task handlers' deps, and its cron jobs (when on). */
export function createGraphSource(deps: {
  db: Kysely<Database>;
  box: SecretBox;
  config: Config;
  alerter: Alerter;
  logger: Logger;
  fetchImpl?: typeof fetch;
}) {
  const settings = graphSettings(deps.config);
  const connect = new GraphConnect({
    db: deps.db,
    box: deps.box,
    settings,
    alerter: deps.alerter,
    logger: deps.logger,
    fetchImpl: deps.fetchImpl,
  });
  const taskDeps: GraphTaskDeps = {
    box: deps.box,
    settings,
    alerter: deps.alerter,
    mediaCount: deps.config.SCRAPE_MEDIA_COUNT,
    maxAttempts: deps.config.TASK_MAX_ATTEMPTS,
    usage: new GraphUsageBook(),
    fetchImpl: deps.fetchImpl,
  };
  if (!settings.enabled) deps.logger.info({ reason: settings.reason }, 'Graph API source off');
  const jobs = settings.enabled
    ? {
        refreshTokens: () => connect.refreshTokens(),
        scheduleMediaSync: () =>
          scheduleGraphMediaSync(deps.db, { priority: GRAPH_SCHEDULED_PRIORITY, maxAttempts: deps.config.TASK_MAX_ATTEMPTS }),
      }
    : undefined;
  return { settings, connect, taskDeps, jobs };
}
