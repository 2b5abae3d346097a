import type { Kysely } from 'kysely';
import type OpenAI from 'openai';
import type { Alerter } from '../alerts/alerter.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { AiSettings } from './settings.js';

/** What every step of the batch pipeline needs; built once by the daemon (or a test) and passed down. */
export interface AiContext {
  db: Kysely<Database>;
  client: OpenAI;
  logger: Logger;
  alerter: Alerter;
  settings: AiSettings;
  workerId: string;
  /** Injectable clock: thresholds (max wait, stale batches, leases, backoff) are measured on it. */
  now: () => Date;
}

export const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms);

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
