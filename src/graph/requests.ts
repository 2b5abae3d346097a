import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryOnConflict } from '../db/retry.js';
import { enqueueTask, enqueueTasks, type Enqueued } from '../queue/enqueue.js';
import { blogIdsFor } from '../blogs/store.js';
import { USABLE_STATUSES } from './store.js';

/** Graph API work on the queue: business discovery of usernames, and the media sync of a connected account. */

export const graphDiscoveryDedupeKey = (username: string) => `graph_discovery:${username}`;
export const graphMediaSyncDedupeKey = (connectionId: number) => `graph_media_sync:${connectionId}`;

export async function requestGraphDiscovery(
  db: Kysely<Database>,
  request: { usernames: readonly string[]; priority: number; maxAttempts: number; connectionId?: number; fallback: boolean },
): Promise<Enqueued[]> {
  const usernames = [...new Set(request.usernames)].sort();
  if (usernames.length === 0) return [];
  return retryOnConflict(db, () =>
    db.transaction().execute(async (trx) => {
      const blogIds = await blogIdsFor(trx, usernames, 'graph');
      return enqueueTasks(
        trx,
        usernames.map((username) => ({
          type: 'graph_discovery',
          priority: request.priority,
          blogId: blogIds.get(username)!,
          dedupeKey: graphDiscoveryDedupeKey(username),
          payload: {
            username,
            fallback_full_scrape: request.fallback,
            ...(request.connectionId ? { connection_id: request.connectionId } : {}),
          },
        })),
        { maxAttempts: request.maxAttempts },
      );
    }),
  );
}

export async function requestGraphMediaSync(
  db: Kysely<Database>,
  request: { connectionId: number; priority: number; maxAttempts: number },
): Promise<Enqueued> {
  return enqueueTask(
    db,
    {
      type: 'graph_media_sync',
      priority: request.priority,
      dedupeKey: graphMediaSyncDedupeKey(request.connectionId),
      payload: { connection_id: request.connectionId },
    },
    { maxAttempts: request.maxAttempts },
  );
}

/** The cron job: one graph_media_sync per active connection with a picked account (deduplicated while live). */
export async function scheduleGraphMediaSync(
  db: Kysely<Database>,
  options: { priority: number; maxAttempts: number },
): Promise<{ enqueued: number; existing: number }> {
  const connections = await db
    .selectFrom('graph_connections')
    .select('id')
    .where('status', 'in', [...USABLE_STATUSES])
    .where('ig_user_id', 'is not', null)
    .execute();
  let enqueued = 0;
  for (const { id } of connections) {
    const result = await requestGraphMediaSync(db, { connectionId: id, ...options });
    if (result.created) enqueued += 1;
  }
  return { enqueued, existing: connections.length - enqueued };
}
