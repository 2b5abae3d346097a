import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { WebhookEventType } from './events.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Writes an event to the outbox (SQL function igscout_webhook_emit, migration 0021): one delivery per enabled
 * endpoint subscribed to it, nothing when there is none. Call it with the transaction of the change it reports.
 * Returns the event's id, or null when no endpoint wanted it.
 */
export async function emitWebhookEvent(db: Db, type: WebhookEventType, data: Record<string, unknown>): Promise<number | null> {
  const result = await sql<{ id: number | null }>`SELECT igscout_webhook_emit(${type}, ${JSON.stringify(data)}::jsonb) AS id`.execute(db);
  return result.rows[0]?.id ?? null;
}
