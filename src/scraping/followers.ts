import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { InstagramSession } from '../accounts/session.js';
import type { AccountPool } from '../accounts/pool.js';
import { abandonList, countEdges, finishList, noteListProgress, startList, storeEdges, type ListRef } from '../audience/store.js';
import type { Database } from '../db/schema.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { PermanentTaskError, RetryableTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { ensureBlog } from '../blogs/store.js';
import { fetchFollowPage } from '../audience/follow-feed.js';

/**
 * `followers` (SPEC §6, seed 001): one account's follower or following list, page by page, each page stored as it
 * arrives and checkpointed in the task's progress. Whatever interrupts the fetch — a dead session (the pool logs in
 * again), a cooldown (the task is deferred with its progress), a killed process (its lease expires and another run
 * picks the task up) — the next run continues from the page after the last one checkpointed. Only a page fetched
 * but not yet checkpointed when the process died is asked for again, and storing it again changes nothing.
 */
export const FollowersPayload = z.object({
  username: z.string().min(1),
  kind: z.enum(['followers', 'following']),
  max: z.number().int().positive(),
});
export type FollowersPayload = z.infer<typeof FollowersPayload>;

/** What the task's progress holds after every page (shown on GET /api/tasks/{id}). */
const Checkpoint = z.object({
  kind: z.enum(['followers', 'following']),
  pk: z.string(),
  expected: z.number().int(),
  fetched: z.number().int(),
  pages: z.number().int(),
  /** `next_max_id` of the last stored page (null before the first page and at the end). */
  cursor: z.string().nullable(),
  /** The library feed's own serialized state (see follow-feed.ts): what a resumed run restores. */
  feed_state: z.string().nullable(),
  more: z.boolean(),
  /** Whether the last page was cut at `max` (then the list is not complete even without more pages). */
  truncated: z.boolean(),
  /** How many runs continued from a checkpoint instead of starting over. */
  resumed: z.number().int(),
  account: z.string().nullable(),
});
type Checkpoint = z.infer<typeof Checkpoint>;

export function followersHandler(pool: AccountPool): TaskHandler {
  return async (ctx) => {
    const parsed = FollowersPayload.safeParse(ctx.task.payload);
    if (!parsed.success)
      throw new PermanentTaskError(
        `invalid followers payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const payload = parsed.data;
    const blogId = ctx.task.blog_id ?? (await ensureBlog(ctx.db, payload.username));
    const list: ListRef = { blogId, kind: payload.kind, taskId: ctx.task.id };
    const session = new InstagramSession(pool, ctx.task.id, ctx.signal, ctx.logger);
    try {
      return await fetchList(ctx, session, payload, list);
    } catch (error) {
      if (error instanceof TargetNotFoundError) return unavailable(ctx.db, list, payload, 'deleted', error.message);
      if (error instanceof TargetPrivateError) return unavailable(ctx.db, list, payload, 'private', error.message);
      throw error;
    } finally {
      await session.close();
    }
  };
}

async function fetchList(ctx: TaskContext, session: InstagramSession, payload: FollowersPayload, list: ListRef) {
  let cp = resumeFrom(ctx, payload) ?? (await begin(ctx, session, payload, list));
  while (cp.more && !cp.truncated && cp.fetched < payload.max) {
    const page = await fetchFollowPage(session, payload.kind, cp.pk, cp.feed_state);
    const users = page.users.slice(0, payload.max - cp.fetched);
    await storeEdges(ctx.db, list, users);
    cp = {
      ...cp,
      fetched: cp.fetched + users.length,
      pages: cp.pages + 1,
      cursor: page.cursor,
      feed_state: page.state,
      more: page.more,
      truncated: users.length < page.users.length,
      account: session.account ?? null,
    };
    await checkpoint(ctx, list, cp);
  }
  const complete = !cp.more && !cp.truncated;
  const removed = await finishList(ctx.db, list, { fetched: cp.fetched, complete });
  const stored = await countEdges(ctx.db, list);
  ctx.logger.info({ kind: payload.kind, username: payload.username, fetched: cp.fetched, pages: cp.pages, complete }, 'list fetched');
  return {
    username: payload.username,
    kind: payload.kind,
    fetched: cp.fetched,
    stored,
    expected: cp.expected,
    pages: cp.pages,
    complete,
    removed,
    resumed: cp.resumed,
  };
}

/** The checkpoint of an earlier run of this task, if it has one for this list. */
function resumeFrom(ctx: TaskContext, payload: FollowersPayload): Checkpoint | undefined {
  const saved = Checkpoint.safeParse(ctx.task.progress);
  if (!saved.success || saved.data.kind !== payload.kind) return undefined;
  ctx.logger.info(
    { fetched: saved.data.fetched, pages: saved.data.pages, cursor: saved.data.cursor },
    'resuming the list from its checkpoint',
  );
  return { ...saved.data, resumed: saved.data.resumed + 1 };
}

/** A fresh fetch: resolve the user (one request), then checkpoint before the first page. */
async function begin(ctx: TaskContext, session: InstagramSession, payload: FollowersPayload, list: ListRef): Promise<Checkpoint> {
  const user = await session.call('usernameinfo', (ig) => ig.user.usernameinfo(payload.username));
  if (user.is_private) throw new TargetPrivateError(`${payload.username} is private: its lists are not visible`);
  const pk = String(user.pk);
  await ctx.db
    .updateTable('blogs')
    .set({ platform_id: pk, is_private: false, updated_at: sql`now()` })
    .where('id', '=', list.blogId)
    .execute();
  const count = payload.kind === 'followers' ? user.follower_count : user.following_count;
  const expected = Math.min(Number(count ?? 0), payload.max);
  await startList(ctx.db, list, expected);
  const cp: Checkpoint = {
    kind: payload.kind,
    pk,
    expected,
    fetched: 0,
    pages: 0,
    cursor: null,
    feed_state: null,
    more: true,
    truncated: false,
    resumed: 0,
    account: session.account ?? null,
  };
  await checkpoint(ctx, list, cp);
  return cp;
}

async function checkpoint(ctx: TaskContext, list: ListRef, cp: Checkpoint): Promise<void> {
  // The lease is gone (cancelled, or recovered by another process): stop without touching anything else.
  if (!(await ctx.saveProgress({ ...cp }))) throw new RetryableTaskError('the task lost its lease while checkpointing');
  await noteListProgress(ctx.db, list, cp.fetched);
}

/** SPEC §4: a private or deleted user is the answer, not a failure: the blog says so and the task is done. */
async function unavailable(db: Kysely<Database>, list: ListRef, payload: FollowersPayload, status: 'private' | 'deleted', reason: string) {
  await db
    .updateTable('blogs')
    .set({
      scrape_status: status,
      status_reason: reason.slice(0, 500),
      ...(status === 'private' ? { is_private: true } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', list.blogId)
    .execute();
  await abandonList(db, list);
  return { username: payload.username, kind: payload.kind, status, fetched: 0 };
}
