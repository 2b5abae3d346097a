import type { Kysely, Selectable } from 'kysely';
import type { AudienceEdgesTable, AudienceKind, AudienceListsTable, Database } from '../db/schema.js';

/**
 * Seed 001's question over the stored lists of one blog: who both follows it and is followed by it (`mutual`),
 * who follows it without being followed back (`followers_only`), and whom it follows without a follow back
 * (`following_only`). Answered only when both lists were fetched to the end of a fetch; otherwise the caller is
 * told which list is missing or still being fetched.
 */
export type Relation = 'mutual' | 'followers_only' | 'following_only';

export type ListState = Selectable<AudienceListsTable>;

export type ListsReadiness =
  | { ready: true; followers: ListState; following: ListState }
  | { ready: false; missing: AudienceKind[]; fetching: ListState[] };

export async function listsReadiness(db: Kysely<Database>, blogId: number): Promise<ListsReadiness> {
  const rows = await db.selectFrom('audience_lists').selectAll().where('blog_id', '=', blogId).execute();
  const byKind = new Map(rows.map((r) => [r.kind, r]));
  const followers = byKind.get('followers');
  const following = byKind.get('following');
  if (followers?.status === 'done' && following?.status === 'done') return { ready: true, followers, following };
  const kinds: AudienceKind[] = ['followers', 'following'];
  return {
    ready: false,
    missing: kinds.filter((kind) => !byKind.has(kind)),
    fetching: rows.filter((r) => r.status === 'fetching'),
  };
}

export interface RelationPage {
  items: Selectable<AudienceEdgesTable>[];
  total: number;
  hasMore: boolean;
}

export async function relationPage(
  db: Kysely<Database>,
  blogId: number,
  relation: Relation,
  page: { limit: number; offset: number },
): Promise<RelationPage> {
  const base = relationQuery(db, blogId, relation);
  const [rows, count] = await Promise.all([
    base
      .selectAll('e')
      .orderBy('e.username')
      .orderBy('e.platform_id')
      .limit(page.limit + 1)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.slice(0, page.limit), total: Number(count.n), hasMore: rows.length > page.limit };
}

/** Edges of one list, kept or dropped by whether the same account is on the other list. */
export function relationQuery(db: Kysely<Database>, blogId: number, relation: Relation) {
  const kind: AudienceKind = relation === 'following_only' ? 'following' : 'followers';
  const other: AudienceKind = kind === 'followers' ? 'following' : 'followers';
  return db
    .selectFrom('audience_edges as e')
    .where('e.blog_id', '=', blogId)
    .where('e.kind', '=', kind)
    .where(({ exists, not, selectFrom }) => {
      const onOther = exists(
        selectFrom('audience_edges as o')
          .select('o.platform_id')
          .whereRef('o.blog_id', '=', 'e.blog_id')
          .whereRef('o.platform_id', '=', 'e.platform_id')
          .where('o.kind', '=', other),
      );
      return relation === 'mutual' ? onOther : not(onOther);
    });
}
