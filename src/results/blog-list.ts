import { sql, type Kysely, type Selectable } from 'kysely';
import type { BlogsTable, Database, ScrapeStatus } from '../db/schema.js';
import { fetchPage } from '../db/page.js';

/** What GET /api/blogs and its export filter on. Validated at the edge (src/http/schemas-blogs.ts). */
export interface BlogFilters {
  /** Category name, case-insensitive. */
  category?: string;
  minFollowers?: number;
  maxFollowers?: number;
  minEr?: number;
  /** Lower bound of the audience-quality credibility (0–1); blogs without a deep-tier estimate drop out. */
  minCredibility?: number;
  /** Worked with this brand (lower-case username): one of the blog's sponsored posts names it. */
  brand?: string;
  scrapeStatus?: ScrapeStatus;
  /** Exact source (`manual`, `discover:almatyfood`), or a prefix ending in `*` (`discover:*`). */
  source?: string;
  /** Substring of the username, full name or biography, case-insensitive. */
  q?: string;
}

/** What GET /api/blogs can ask for: the filters, a sort and a page. */
export interface BlogFilter extends BlogFilters {
  sort: 'followers' | 'er' | 'scraped_at';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** A blog with its category names and its latest audience-quality credibility (null without a deep-tier estimate). */
export type BlogRow = Selectable<BlogsTable> & {
  categories: string[];
  credibility: number | null;
  credibility_low: number | null;
  credibility_high: number | null;
  /** Profiles the credibility was estimated from (the deep tier's sample), 0 without one. */
  credibility_sample: number | null;
};

const SORT_COLUMN = { followers: 'follower_count', er: 'er', scraped_at: 'scraped_at' } as const;

/** `%`, `_` and `\` are LIKE wildcards: a search for "a_b" means those three characters. */
export const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of blogs. Blogs without the sorted value (never scraped) come last in either order; `id` breaks ties so
 * pages are stable. One row more than asked says whether there is a next page, without counting the table.
 */
export async function listBlogs(db: Kysely<Database>, filter: BlogFilter): Promise<{ items: BlogRow[]; hasMore: boolean }> {
  const column = SORT_COLUMN[filter.sort];
  const query = filteredBlogs(db, filter);
  const ordered = query
    .orderBy(`blogs.${column}`, (ob) => (filter.order === 'asc' ? ob.asc() : ob.desc()).nullsLast())
    .orderBy('blogs.id', filter.order);
  const page = await fetchPage(ordered, filter);
  return { ...page, items: page.items as BlogRow[] };
}

/** Blogs with their category names, narrowed by the filters (shared by the list and the export). */
export function filteredBlogs(db: Kysely<Database>, filter: BlogFilters) {
  let query = db
    .selectFrom('blogs')
    // At most one audience_quality row per blog (its primary key): the join never repeats a blog.
    .leftJoin('audience_quality', 'audience_quality.blog_id', 'blogs.id')
    .selectAll('blogs')
    .select(() => categoryNames().as('categories'))
    .select([
      'audience_quality.credibility',
      'audience_quality.credibility_low',
      'audience_quality.credibility_high',
      'audience_quality.deep_sample_size as credibility_sample',
    ]);
  if (filter.category !== undefined) {
    const name = filter.category.toLowerCase();
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('blog_categories')
          .innerJoin('categories', 'categories.id', 'blog_categories.category_id')
          .whereRef('blog_categories.blog_id', '=', 'blogs.id')
          .where(sql`lower(categories.name)`, '=', name),
      ),
    );
  }
  // follower_count is an integer column; the API accepts any safe integer, which Postgres would refuse to compare
  // as one ("out of range", a 500). As bigint the comparison just matches all or nothing, and still uses the index.
  if (filter.minFollowers !== undefined) query = query.where('blogs.follower_count', '>=', sql<number>`${filter.minFollowers}::bigint`);
  if (filter.maxFollowers !== undefined) query = query.where('blogs.follower_count', '<=', sql<number>`${filter.maxFollowers}::bigint`);
  if (filter.minEr !== undefined) query = query.where('blogs.er', '>=', filter.minEr);
  if (filter.minCredibility !== undefined) {
    query = query.where('audience_quality.credibility', '>=', filter.minCredibility);
  }
  if (filter.brand !== undefined) {
    const brand = filter.brand;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('blog_posts')
          .whereRef('blog_posts.blog_id', '=', 'blogs.id')
          .where(sql<boolean>`blog_posts.brands @> ARRAY[${brand}]::text[]`),
      ),
    );
  }
  if (filter.scrapeStatus !== undefined) query = query.where('blogs.scrape_status', '=', filter.scrapeStatus);
  if (filter.source !== undefined) {
    query = filter.source.endsWith('*')
      ? query.where('blogs.source', 'like', `${likeEscape(filter.source.slice(0, -1))}%`)
      : query.where('blogs.source', '=', filter.source);
  }
  if (filter.q !== undefined) {
    const pattern = `%${likeEscape(filter.q)}%`;
    query = query.where((eb) =>
      eb.or([eb('blogs.username', 'ilike', pattern), eb('blogs.full_name', 'ilike', pattern), eb('blogs.biography', 'ilike', pattern)]),
    );
  }
  return query;
}

/** The blog's category names, the primary one first. */
function categoryNames() {
  return sql<string[]>`coalesce((
    SELECT array_agg(c.name ORDER BY bc.is_primary DESC, c.name)
    FROM blog_categories bc JOIN categories c ON c.id = bc.category_id
    WHERE bc.blog_id = blogs.id), '{}')`;
}
