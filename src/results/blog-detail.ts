import type { Kysely, Selectable } from 'kysely';
import { erForSize, type ErBand } from './er-bands.js';
import { dailySeries, seesaws, type DayPoint, type GrowthSettings, type Seesaw } from './growth.js';
import { sponsorshipSummary, type SponsorshipSummary } from './sponsorship.js';
import type {
  AudienceListsTable,
  AudienceQualityTable,
  BlogHighlightsTable,
  BlogPostsTable,
  BlogSnapshotsTable,
  BlogsTable,
  Database,
} from '../db/schema.js';

/** Everything known about one blog, as GET /api/blogs/{username} shows it. */
export interface BlogDetail {
  blog: Selectable<BlogsTable>;
  categories: { name: string; is_primary: boolean }[];
  posts: Selectable<BlogPostsTable>[];
  highlights: Selectable<BlogHighlightsTable>[];
  /** Newest first. */
  snapshots: Selectable<BlogSnapshotsTable>[];
  audience: Selectable<AudienceListsTable>[];
  audienceQuality: Selectable<AudienceQualityTable> | undefined;
  sponsorship: SponsorshipSummary;
  growth: Growth;
}

export interface Growth {
  series: DayPoint[];
  spikes: string[];
  seesaws: Seesaw[];
  er_for_size: { tier_min: number; verdict: 'low' | 'average' | 'high' } | null;
}

export interface DetailLimits {
  posts: number;
  snapshots: number;
  /** GROWTH_* and ER_BANDS; defaults when absent. */
  growth?: GrowthSettings;
  erBands?: readonly ErBand[];
}

/** Snapshots the growth series reads: 30 days of history before the newest flagged day, with room to spare. */
const GROWTH_SNAPSHOTS = 400;

export async function findBlog(db: Kysely<Database>, username: string): Promise<Selectable<BlogsTable> | undefined> {
  return db.selectFrom('blogs').selectAll().where('platform', '=', 'instagram').where('username', '=', username).executeTakeFirst();
}

/** The blog and its related rows; undefined when the username is unknown. Eight small indexed reads; growth flags computed from the snapshots. */
export async function blogDetail(db: Kysely<Database>, username: string, limits: DetailLimits): Promise<BlogDetail | undefined> {
  const blog = await findBlog(db, username);
  if (!blog) return undefined;
  const [categories, posts, highlights, snapshots, audience, audienceQuality, sponsorship, history] = await Promise.all([
    db
      .selectFrom('blog_categories')
      .innerJoin('categories', 'categories.id', 'blog_categories.category_id')
      .select(['categories.name', 'blog_categories.is_primary'])
      .where('blog_categories.blog_id', '=', blog.id)
      .orderBy('blog_categories.is_primary', 'desc')
      .orderBy('categories.name')
      .execute(),
    db
      .selectFrom('blog_posts')
      .selectAll()
      .where('blog_id', '=', blog.id)
      // Pinned posts first, as the profile shows them; then newest first.
      .orderBy('is_pinned', 'desc')
      .orderBy('taken_at', (ob) => ob.desc().nullsLast())
      .orderBy('id', 'desc')
      .limit(limits.posts)
      .execute(),
    db.selectFrom('blog_highlights').selectAll().where('blog_id', '=', blog.id).orderBy('id').execute(),
    db
      .selectFrom('blog_snapshots')
      .selectAll()
      .where('blog_id', '=', blog.id)
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limits.snapshots)
      .execute(),
    db.selectFrom('audience_lists').selectAll().where('blog_id', '=', blog.id).orderBy('kind').execute(),
    db.selectFrom('audience_quality').selectAll().where('blog_id', '=', blog.id).executeTakeFirst(),
    sponsorshipSummary(db, blog.id),
    db
      .selectFrom('blog_snapshots')
      .select(['taken_at', 'follower_count', 'following_count', 'media_count'])
      .where('blog_id', '=', blog.id)
      .orderBy('taken_at', 'desc')
      .limit(GROWTH_SNAPSHOTS)
      .execute(),
  ]);
  const series = dailySeries(history, limits.growth);
  const growth: Growth = {
    series,
    spikes: series.filter((d) => d.spike).map((d) => d.day),
    seesaws: seesaws(series, limits.growth),
    er_for_size: erForSize(blog.er === null ? null : Number(blog.er), blog.follower_count, limits.erBands),
  };
  return { blog, categories, posts, highlights, snapshots, audience, audienceQuality, sponsorship, growth };
}
