import { sql, type Kysely } from 'kysely';
import type { AudienceKind, Database } from '../db/schema.js';

/** One account of a follower or following list, with the public fields the list shows. */
export interface AudienceUser {
  platformId: string;
  username: string;
  fullName: string | null;
  isPrivate: boolean | null;
  isVerified: boolean | null;
  avatarUrl: string | null;
  /** `has_anonymous_profile_picture` of the list entry (audience quality reads it; not stored as an edge field). */
  anonymousPicture?: boolean | null;
}

export interface ListRef {
  blogId: number;
  kind: AudienceKind;
  taskId: number;
}

/**
 * Stores one page of a list. Idempotent: a page fetched again (the one interrupted by a kill) only refreshes the
 * rows, so a resumed fetch never duplicates an edge. `seen_by_task` marks which fetch saw the edge last.
 */
export async function storeEdges(db: Kysely<Database>, list: ListRef, users: readonly AudienceUser[]): Promise<void> {
  if (users.length === 0) return;
  // A page may repeat an account (Instagram's lists shift while they are read); one row per account per statement.
  const unique = [...new Map(users.map((u) => [u.platformId, u])).values()];
  await db
    .insertInto('audience_edges')
    .values(
      unique.map((u) => ({
        blog_id: list.blogId,
        kind: list.kind,
        platform_id: u.platformId,
        username: u.username,
        full_name: u.fullName,
        is_private: u.isPrivate,
        is_verified: u.isVerified,
        avatar_url: u.avatarUrl,
        seen_by_task: list.taskId,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['blog_id', 'kind', 'platform_id']).doUpdateSet((eb) => ({
        username: eb.ref('excluded.username'),
        full_name: eb.ref('excluded.full_name'),
        is_private: eb.ref('excluded.is_private'),
        is_verified: eb.ref('excluded.is_verified'),
        avatar_url: eb.ref('excluded.avatar_url'),
        seen_by_task: eb.ref('excluded.seen_by_task'),
        last_seen_at: sql`now()`,
      })),
    )
    .execute();
}

/** Marks the list as being fetched by this task (a new fetch, not a resumed one). */
export async function startList(db: Kysely<Database>, list: ListRef, expected: number): Promise<void> {
  await db
    .insertInto('audience_lists')
    .values({ blog_id: list.blogId, kind: list.kind, task_id: list.taskId, status: 'fetching', fetched: 0, expected })
    .onConflict((oc) =>
      oc.columns(['blog_id', 'kind']).doUpdateSet({
        task_id: list.taskId,
        status: 'fetching',
        fetched: 0,
        expected,
        complete: false,
        started_at: sql`now()`,
        completed_at: null,
      }),
    )
    .execute();
}

export async function noteListProgress(db: Kysely<Database>, list: ListRef, fetched: number): Promise<void> {
  await db
    .updateTable('audience_lists')
    .set({ fetched })
    .where('blog_id', '=', list.blogId)
    .where('kind', '=', list.kind)
    .where('task_id', '=', list.taskId)
    .execute();
}

/**
 * Ends the fetch. A complete list replaces the previous one: edges this fetch did not see are accounts that
 * unfollowed (or were unfollowed) since. A list cut at `max` keeps them, since it says nothing about the rest.
 */
export async function finishList(db: Kysely<Database>, list: ListRef, outcome: { fetched: number; complete: boolean }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let removed = 0;
    if (outcome.complete) {
      const deleted = await trx
        .deleteFrom('audience_edges')
        .where('blog_id', '=', list.blogId)
        .where('kind', '=', list.kind)
        .where('seen_by_task', '<>', list.taskId)
        .executeTakeFirst();
      removed = Number(deleted.numDeletedRows);
    }
    await trx
      .insertInto('audience_lists')
      .values({
        blog_id: list.blogId,
        kind: list.kind,
        task_id: list.taskId,
        status: 'done',
        fetched: outcome.fetched,
        complete: outcome.complete,
        completed_at: sql`now()`,
      })
      .onConflict((oc) =>
        oc.columns(['blog_id', 'kind']).doUpdateSet({
          task_id: list.taskId,
          status: 'done',
          fetched: outcome.fetched,
          complete: outcome.complete,
          completed_at: sql`now()`,
        }),
      )
      .execute();
    return removed;
  });
}

/** Edges of one list stored by this task (what a fetch really holds, whatever pages were fetched twice). */
export async function countEdges(db: Kysely<Database>, list: ListRef): Promise<number> {
  const row = await db
    .selectFrom('audience_edges')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('blog_id', '=', list.blogId)
    .where('kind', '=', list.kind)
    .where('seen_by_task', '=', list.taskId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The fetch ended without a list (the user turned private or was deleted): nothing is being fetched any more. */
export async function abandonList(db: Kysely<Database>, list: ListRef): Promise<void> {
  await db
    .updateTable('audience_lists')
    .set({ status: 'done', complete: false, completed_at: sql`now()` })
    .where('blog_id', '=', list.blogId)
    .where('kind', '=', list.kind)
    .where('task_id', '=', list.taskId)
    .execute();
}
