import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { isRaw } from '../scraping/parse.js';
import { brandsNamed } from '../scraping/sponsorship.js';
import type { AIInsights } from './insights.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The AI's verdict on sponsorship (issue 19, part 3; README "Sponsored posts and brands"): each post the answer lists
 * in `sponsored_posts` — named by the code the prompt shows, its shortcode (or Instagram id when it has none) — is
 * marked sponsored with the signal 'ai'. Marking only adds: Instagram's label and the ad-hashtag rule stay as they
 * are, and a post the AI does not list is never unmarked (a later answer that omits it leaves it sponsored). A post
 * that was organic gets the brands a sponsored post names (sponsor tags, tagged users, @mentions). The model's reason
 * stays in the stored insights. Returns how many posts gained the signal.
 */
export async function markAiSponsored(db: Db, blogId: number, listed: AIInsights['sponsored_posts']): Promise<number> {
  const codes = [...new Set(listed.map((p) => p.post.trim().replace(/^\[|\]$/g, '')).filter(Boolean))];
  if (codes.length === 0) return 0;
  const posts = await db
    .selectFrom('blog_posts')
    .select(['id', 'is_sponsored', 'brands', 'mentions', 'raw'])
    .where('blog_id', '=', blogId)
    .where((eb) => eb.or([eb('shortcode', 'in', codes), eb('platform_id', 'in', codes)]))
    .where(sql<boolean>`NOT ('ai' = ANY (sponsor_signals))`)
    .execute();
  for (const post of posts) {
    const raw = isRaw(post.raw) ? post.raw : {};
    const brands = post.is_sponsored ? post.brands : brandsNamed(raw, post.mentions);
    await db
      .updateTable('blog_posts')
      .set({ is_sponsored: true, sponsor_signals: sql`array_append(sponsor_signals, 'ai')`, brands, updated_at: sql`now()` })
      .where('id', '=', post.id)
      .execute();
  }
  return posts.length;
}
