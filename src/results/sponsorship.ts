import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { median } from '../scraping/metrics.js';

/**
 * A blog's sponsored posts at a glance (README "Sponsored posts and brands"): how many of its stored posts are
 * sponsored, the brands they name (most posts first), and Paid Post Performance (Modash) = median ER of sponsored
 * posts ÷ median ER of organic posts × 100 %. ER of a post is (likes + comments) ÷ followers; the follower count is
 * the same for every post of the blog, so the ratio is that of the median interactions. Pinned posts are left
 * out, as for the blog's ER. Null when either side has no post.
 */
export interface SponsorshipSummary {
  sponsored_posts: number;
  organic_posts: number;
  brands: { username: string; posts: number }[];
  paid_post_performance: number | null;
}

export async function sponsorshipSummary(db: Kysely<Database>, blogId: number): Promise<SponsorshipSummary> {
  const posts = await db
    .selectFrom('blog_posts')
    .select(['like_count', 'comment_count', 'is_sponsored', 'brands', 'counts_hidden'])
    .where('blog_id', '=', blogId)
    .where('is_pinned', '=', false)
    .execute();
  // A post whose like count is hidden has no interaction figure (Instagram shows a stand-in): it counts as a post only.
  const interactions = (sponsored: boolean) =>
    posts.filter((p) => p.is_sponsored === sponsored && !p.counts_hidden).map((p) => (p.like_count ?? 0) + (p.comment_count ?? 0));
  const paid = median(interactions(true));
  const organic = median(interactions(false));
  const counts = new Map<string, number>();
  for (const post of posts) for (const brand of post.brands) counts.set(brand, (counts.get(brand) ?? 0) + 1);
  return {
    sponsored_posts: posts.filter((p) => p.is_sponsored).length,
    organic_posts: posts.filter((p) => !p.is_sponsored).length,
    brands: [...counts]
      .map(([username, n]) => ({ username, posts: n }))
      .sort((a, b) => b.posts - a.posts || a.username.localeCompare(b.username)),
    paid_post_performance: paid === null || organic === null || organic === 0 ? null : Math.round((paid / organic) * 1000) / 10,
  };
}
