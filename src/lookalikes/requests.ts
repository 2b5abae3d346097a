import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryOnConflict } from '../db/retry.js';
import { enqueueTask, type Enqueued } from '../queue/enqueue.js';
import { ensureBlog } from '../blogs/store.js';

export const similarAccountsDedupeKey = (username: string) => `similar_accounts:${username}`;

/** One `similar_accounts` task per username, bound to its blog (created as `pending` when new); a live one is reused. */
export async function requestSimilarAccounts(
  db: Kysely<Database>,
  request: { username: string; scrapeUnknown: boolean; priority: number; maxAttempts: number },
): Promise<Enqueued> {
  return retryOnConflict(db, () =>
    db.transaction().execute(async (trx) => {
      const blogId = await ensureBlog(trx, request.username);
      return enqueueTask(
        trx,
        {
          type: 'similar_accounts',
          priority: request.priority,
          blogId,
          dedupeKey: similarAccountsDedupeKey(request.username),
          payload: { username: request.username, scrape_unknown: request.scrapeUnknown, max_attempts: request.maxAttempts },
        },
        { maxAttempts: request.maxAttempts },
      );
    }),
  );
}
