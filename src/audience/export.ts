import type { Kysely, Selectable } from 'kysely';
import type { AudienceEdgesTable, AudienceKind, Database } from '../db/schema.js';
import { relationQuery, type Relation } from './mutuals.js';

type Edge = Selectable<AudienceEdgesTable>;

/** Which accounts an audience export lists: one fetched list as it is, or a relation between both. */
export type AudienceSelection = { list: AudienceKind } | { relation: Relation };

/**
 * Every account of the selection, in keyset batches on the primary key's last column (`platform_id > last`,
 * the key is blog_id, kind, platform_id): constant memory for a list of millions, no offset rescans.
 */
export async function* exportAudience(
  db: Kysely<Database>,
  blogId: number,
  selection: AudienceSelection,
  batchSize: number,
): AsyncGenerator<Edge> {
  let after = '';
  for (;;) {
    const base =
      'list' in selection
        ? db.selectFrom('audience_edges as e').where('e.blog_id', '=', blogId).where('e.kind', '=', selection.list)
        : relationQuery(db, blogId, selection.relation);
    const rows = await base.selectAll('e').where('e.platform_id', '>', after).orderBy('e.platform_id').limit(batchSize).execute();
    yield* rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.platform_id;
  }
}
