import { sql, type Kysely, type Selectable } from 'kysely';
import type { BlogHighlightsTable, BlogPostsTable, BlogsTable, Database } from '../db/schema.js';

/** What the prompt of one blog is built from: the scraped profile, its latest media and its highlights. */
export interface BlogProfile {
  blog: Selectable<BlogsTable>;
  posts: Selectable<BlogPostsTable>[];
  highlights: Selectable<BlogHighlightsTable>[];
}

/** The latest media a prompt shows per blog (a full scrape fetches 20). */
export const POSTS_PER_PROFILE = 20;
const HIGHLIGHTS_PER_PROFILE = 20;

/** Loads many profiles in three queries; blogs that no longer exist are absent from the map. */
export async function loadProfiles(db: Kysely<Database>, blogIds: readonly number[]): Promise<Map<number, BlogProfile>> {
  const profiles = new Map<number, BlogProfile>();
  if (blogIds.length === 0) return profiles;
  const ids = [...blogIds];
  const blogs = await db.selectFrom('blogs').selectAll().where('id', 'in', ids).execute();
  for (const blog of blogs) profiles.set(blog.id, { blog, posts: [], highlights: [] });

  // Per blog, its newest posts only: re-scrapes keep older rows, which must not crowd the prompt.
  const { rows: posts } = await sql<Selectable<BlogPostsTable>>`
    SELECT p.* FROM (
      SELECT bp.*, row_number() OVER (PARTITION BY bp.blog_id ORDER BY bp.taken_at DESC NULLS LAST, bp.id DESC) AS rn
        FROM blog_posts bp WHERE bp.blog_id = ANY (${ids}::bigint[])
    ) p WHERE p.rn <= ${POSTS_PER_PROFILE} ORDER BY p.blog_id, p.rn`.execute(db);
  for (const post of posts) profiles.get(post.blog_id)?.posts.push(post);

  const highlights = await db
    .selectFrom('blog_highlights')
    .selectAll()
    .where('blog_id', 'in', ids)
    .orderBy('blog_id')
    .orderBy('id')
    .execute();
  for (const highlight of highlights) {
    const profile = profiles.get(highlight.blog_id);
    if (profile && profile.highlights.length < HIGHLIGHTS_PER_PROFILE) profile.highlights.push(highlight);
  }
  return profiles;
}
