import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Expected vs actual (seed 000): a brief (a campaign or script version with free-form expected figures) bound to a
 * media of the connected account, compared with the media's latest insights snapshot, plus its history.
 */

export interface BriefInput {
  name: string;
  script_version?: string | null;
  expected: Record<string, number>;
  notes?: string | null;
}

const BRIEF_COLUMNS = ['id', 'name', 'script_version', 'expected', 'notes', 'created_at', 'updated_at'] as const;

export async function createBrief(db: Kysely<Database>, input: BriefInput) {
  return db
    .insertInto('graph_briefs')
    .values({
      name: input.name,
      script_version: input.script_version ?? null,
      expected: JSON.stringify(input.expected),
      notes: input.notes ?? null,
    })
    .returning([...BRIEF_COLUMNS])
    .executeTakeFirstOrThrow();
}

export function listBriefs(db: Kysely<Database>) {
  return db
    .selectFrom('graph_briefs')
    .select([...BRIEF_COLUMNS])
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
}

/** Binds (or with null unbinds) a brief; false when the media or the brief does not exist. */
export async function bindBrief(db: Kysely<Database>, mediaId: number, briefId: number | null): Promise<'ok' | 'no_media' | 'no_brief'> {
  if (briefId !== null && !(await db.selectFrom('graph_briefs').select('id').where('id', '=', briefId).executeTakeFirst()))
    return 'no_brief';
  const updated = await db
    .updateTable('graph_media')
    .set({ brief_id: briefId, updated_at: sql`now()` })
    .where('id', '=', mediaId)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n ? 'ok' : 'no_media';
}

const SNAPSHOT_COLUMNS = [
  'taken_at',
  'like_count',
  'comments_count',
  'reach',
  'views',
  'saved',
  'shares',
  'total_interactions',
  'avg_watch_time_ms',
  'total_watch_time_ms',
] as const;
type Snapshot = { [K in (typeof SNAPSHOT_COLUMNS)[number]]: K extends 'taken_at' ? Date : number | null };

/** The figures a brief can name, from one snapshot; `er` is engagement by reach: total interactions / reach × 100. */
export function actualFigures(s: Snapshot): Record<string, number | null> {
  return {
    views: s.views,
    reach: s.reach,
    likes: s.like_count,
    comments: s.comments_count,
    saved: s.saved,
    shares: s.shares,
    total_interactions: s.total_interactions,
    avg_watch_time_ms: s.avg_watch_time_ms,
    er: s.total_interactions !== null && s.reach ? Math.round((s.total_interactions / s.reach) * 10_000) / 100 : null,
  };
}

export function listMedia(db: Kysely<Database>, options: { connectionId?: number; limit: number }) {
  let query = db
    .selectFrom('graph_media as m')
    .select([
      'm.id',
      'm.connection_id',
      'm.ig_media_id',
      'm.media_product_type',
      'm.permalink',
      'm.posted_at',
      'm.brief_id',
      'm.insights_at',
    ])
    .orderBy('m.posted_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(options.limit);
  if (options.connectionId !== undefined) query = query.where('m.connection_id', '=', options.connectionId);
  return query.execute();
}

/** One media: its brief, expected vs latest actual (difference and ratio per expected figure), and the history. */
export async function mediaReport(db: Kysely<Database>, mediaId: number, historyLimit: number) {
  const media = await db
    .selectFrom('graph_media')
    .select([
      'id',
      'connection_id',
      'ig_media_id',
      'media_type',
      'media_product_type',
      'permalink',
      'shortcode',
      'caption',
      'posted_at',
      'brief_id',
      'insights_at',
    ])
    .where('id', '=', mediaId)
    .executeTakeFirst();
  if (!media) return undefined;
  const brief =
    media.brief_id === null
      ? null
      : ((await db
          .selectFrom('graph_briefs')
          .select([...BRIEF_COLUMNS])
          .where('id', '=', media.brief_id)
          .executeTakeFirst()) ?? null);
  const history = (await db
    .selectFrom('graph_media_snapshots')
    .select([...SNAPSHOT_COLUMNS])
    .where('media_id', '=', mediaId)
    .orderBy('taken_at', 'desc')
    .orderBy('id', 'desc')
    .limit(historyLimit)
    .execute()) as Snapshot[];
  const latest = history[0] ? actualFigures(history[0]) : null;
  const comparison = brief
    ? // By figure name: jsonb does not keep the order the brief was written in.
      Object.entries(brief.expected)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([figure, expected]) => {
          const actual = latest?.[figure] ?? null;
          const exp = typeof expected === 'number' ? expected : null;
          return {
            figure,
            expected: exp,
            actual,
            difference: exp !== null && actual !== null ? Math.round((actual - exp) * 100) / 100 : null,
            ratio: exp && actual !== null ? Math.round((actual / exp) * 1000) / 1000 : null,
          };
        })
    : [];
  return {
    media,
    brief,
    actual: latest,
    actual_at: history[0]?.taken_at ?? null,
    comparison,
    history: history.map((s) => ({ taken_at: s.taken_at, ...actualFigures(s) })),
  };
}
