import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AccountPool } from '../accounts/pool.js';
import { InstagramSession } from '../accounts/session.js';
import { requestsSpentBy } from '../accounts/events.js';
import type { Database } from '../db/schema.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { PermanentTaskError } from '../queue/errors.js';
import { PRIORITY } from '../queue/task.js';
import type { TaskHandler } from '../queue/registry.js';
import { blogForTask } from '../scraping/blog-store.js';
import { requestScrapes } from '../tasks/requests.js';

/**
 * `similar_accounts` (README "Similar creators"): Instagram's own similar-accounts list of a blog, the
 * "Suggested for you" of its profile: instagram-private-api's `ig.discover.chaining(pk)`, one request to
 * `GET /api/v1/discover/chaining/?target_id=<pk>` (one more, `usernameinfo`, when the blog's pk is not known yet).
 * It is a task of its own, through the account pool and its budget like any other, rather than a stage of
 * full_scrape: every scrape would then pay a sixth request for a list only wanted when someone asks for lookalikes.
 * The answer replaces the blog's previous list. With `scrape_unknown`, candidates not in the database yet are queued
 * as full scrapes (source `similar:<username>`).
 */
export const SimilarAccountsPayload = z.object({
  username: z.string().min(1),
  scrape_unknown: z.boolean().default(false),
  max_attempts: z.number().int().positive().default(3),
});

const ChainingUser = z.looseObject({
  pk: z.union([z.number(), z.string()]),
  username: z.string().min(1),
  full_name: z.string().nullish(),
  is_private: z.boolean().nullish(),
  is_verified: z.boolean().nullish(),
});

export function similarAccountsHandler(pool: AccountPool): TaskHandler {
  return async (ctx) => {
    const parsed = SimilarAccountsPayload.safeParse(ctx.task.payload);
    if (!parsed.success)
      throw new PermanentTaskError(
        `invalid similar_accounts payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const blog = await blogForTask(ctx.db, ctx.task);
    const session = new InstagramSession(pool, ctx.task.id, ctx.signal, ctx.logger);
    try {
      let pk = blog.platform_id;
      if (!pk) {
        const user = await session.call('usernameinfo', (ig) => ig.user.usernameinfo(blog.username));
        pk = String(user.pk);
      }
      const targetPk = pk;
      const answer = await session.call('discover_chaining', (ig) => ig.discover.chaining(targetPk));
      const users = (Array.isArray(answer?.users) ? answer.users : []).flatMap((u: unknown) => {
        const ok = ChainingUser.safeParse(u);
        return ok.success ? [ok.data] : [];
      });
      await replaceSimilar(ctx.db, blog.id, ctx.task.id, users);
      const queued = parsed.data.scrape_unknown
        ? await queueUnknown(
            ctx.db,
            blog.username,
            users.map((u) => u.username.toLowerCase()),
            parsed.data.max_attempts,
          )
        : [];
      return {
        username: blog.username,
        candidates: users.length,
        scrapes_queued: queued.length,
        requests: await requestsSpentBy(ctx.db, ctx.task.id),
      };
    } catch (error) {
      if (error instanceof TargetNotFoundError || error instanceof TargetPrivateError) {
        return { username: blog.username, status: error instanceof TargetPrivateError ? 'private' : 'deleted', reason: error.message };
      }
      throw error;
    } finally {
      await session.close();
    }
  };
}

async function replaceSimilar(db: Kysely<Database>, blogId: number, taskId: number, users: z.infer<typeof ChainingUser>[]): Promise<void> {
  const seen = new Set<string>();
  const rows = users.flatMap((u, position) => {
    const username = u.username.toLowerCase();
    if (seen.has(username)) return [];
    seen.add(username);
    return [
      {
        blog_id: blogId,
        username,
        platform_id: String(u.pk),
        full_name: u.full_name ?? null,
        is_private: u.is_private ?? null,
        is_verified: u.is_verified ?? null,
        position,
        task_id: taskId,
      },
    ];
  });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('similar_accounts').where('blog_id', '=', blogId).execute();
    if (rows.length > 0) await trx.insertInto('similar_accounts').values(rows).execute();
  });
}

/** Full scrapes for the usernames not in the database yet (deduplicated like any scrape request). */
export async function queueUnknown(db: Kysely<Database>, of: string, usernames: readonly string[], maxAttempts: number) {
  if (usernames.length === 0) return [];
  const known = new Set(
    (
      await db
        .selectFrom('blogs')
        .select('username')
        .where('platform', '=', 'instagram')
        .where('username', 'in', [...usernames])
        .execute()
    ).map((b) => b.username),
  );
  const unknown = usernames.filter((u) => !known.has(u));
  if (unknown.length === 0) return [];
  return requestScrapes(db, { usernames: unknown, priority: PRIORITY.discoveredScrape, source: `similar:${of}`, maxAttempts });
}
