import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { sponsorshipOf, type Sponsorship } from './sponsorship.js';
import { postFields, type HighlightFields, type Raw, type StoryExtras } from './parse.js';

/**
 * Posts and highlights, upserted on their natural keys (blog, Instagram id): running a scrape twice updates the
 * same rows. Raw answers are kept whole for fields we do not map yet.
 */

const POST_COLUMNS = [
  'shortcode',
  'caption_text',
  'hashtags',
  'mentions',
  'like_count',
  'comment_count',
  'play_count',
  'media_type',
  'product_type',
  'thumbnail_url',
  'location_name',
  'location_lat',
  'location_lng',
  'taken_at',
  'is_pinned',
  'counts_hidden',
  'author_username',
  'coauthors',
  'raw',
] as const;

/**
 * Upserts items of the blog's own feed as posts; returns their platform ids in feed order (duplicates in the feed
 * dropped). The blog's Instagram pk is the feed owner's: a collab post in it may have been posted by someone else.
 */
export async function upsertPosts(
  db: Kysely<Database>,
  blog: { id: number; platformId: string },
  items: readonly Raw[],
  adHashtags: ReadonlySet<string>,
): Promise<string[]> {
  const blogId = blog.id;
  const rows = new Map<string, ReturnType<typeof postFields> & Sponsorship & { raw: string }>();
  for (const item of items) {
    const post = postFields(item, blog.platformId);
    if (!rows.has(post.platform_id))
      rows.set(post.platform_id, { ...post, ...sponsorshipOf(item, post, adHashtags), raw: JSON.stringify(item) });
  }
  if (rows.size === 0) return [];
  await db
    .insertInto('blog_posts')
    .values([...rows.values()].map((row) => ({ ...row, blog_id: blogId })))
    .onConflict((oc) =>
      oc.columns(['blog_id', 'platform_id']).doUpdateSet((eb) => ({
        ...Object.fromEntries(POST_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)])),
        // The AI's verdict (signal 'ai', src/ai/ai-sponsored.ts) outlives a re-scrape: the scrape recomputes only
        // Instagram's label and the ad hashtags, and the AI never unmarks.
        is_sponsored: sql<boolean>`excluded.is_sponsored OR 'ai' = ANY (blog_posts.sponsor_signals)`,
        sponsor_signals: sql<
          string[]
        >`excluded.sponsor_signals || CASE WHEN 'ai' = ANY (blog_posts.sponsor_signals) THEN '{ai}'::text[] ELSE '{}'::text[] END`,
        brands: sql<
          string[]
        >`CASE WHEN excluded.is_sponsored OR NOT ('ai' = ANY (blog_posts.sponsor_signals)) THEN excluded.brands ELSE blog_posts.brands END`,
        updated_at: sql`now()`,
      })),
    )
    .execute();
  return [...rows.keys()];
}

/**
 * Upserts the highlights tray (titles, counts, covers) and removes highlights the owner deleted: the tray is
 * always complete, unlike the media feed, so a highlight missing from it is gone.
 */
export async function upsertHighlights(
  db: Kysely<Database>,
  blogId: number,
  entries: ReadonlyArray<{ fields: HighlightFields; raw: Raw }>,
) {
  const ids = entries.map((e) => e.fields.platform_id);
  await db.transaction().execute(async (trx) => {
    let remove = trx.deleteFrom('blog_highlights').where('blog_id', '=', blogId);
    if (ids.length > 0) remove = remove.where('platform_id', 'not in', ids);
    await remove.execute();
    if (entries.length === 0) return;
    await trx
      .insertInto('blog_highlights')
      .values(
        entries.map(({ fields, raw }) => ({
          blog_id: blogId,
          platform_id: fields.platform_id,
          title: fields.title,
          media_count: fields.media_count,
          cover_url: fields.cover_url,
          raw: JSON.stringify({ tray: raw }),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['blog_id', 'platform_id']).doUpdateSet((eb) => ({
          title: eb.ref('excluded.title'),
          media_count: eb.ref('excluded.media_count'),
          cover_url: eb.ref('excluded.cover_url'),
          // Keeps the stories' raw answer of a previous scrape until this one fetches them again.
          raw: sql`coalesce(blog_highlights.raw, '{}'::jsonb) || excluded.raw`,
          updated_at: sql`now()`,
        })),
      )
      .execute();
  });
}

/** Stores what a highlight's stories point at, with the reel's raw answer next to the tray's. */
export async function saveHighlightStories(db: Kysely<Database>, blogId: number, platformId: string, extras: StoryExtras, reel: Raw) {
  await db
    .updateTable('blog_highlights')
    .set({
      ...extras,
      raw: sql`coalesce(raw, '{}'::jsonb) || jsonb_build_object('reel', ${JSON.stringify(reel)}::jsonb)`,
      updated_at: sql`now()`,
    })
    .where('blog_id', '=', blogId)
    .where('platform_id', '=', platformId)
    .execute();
}
