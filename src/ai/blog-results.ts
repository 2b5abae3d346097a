import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { markAiSponsored } from './ai-sponsored.js';
import type { AIInsights } from './insights.js';

/**
 * What an analysis does to a blog. A blog leaves `analyzing` for `active` whatever the outcome — with insights,
 * without them after a refusal, or with its scraped data only when AI failed for good (seed 003's fallback) — and
 * `status_reason` says which. A blog in another state (being re-scraped meanwhile) keeps it.
 */

type Db = Kysely<Database> | Transaction<Database>;

const activate = sql<'active'>`CASE WHEN scrape_status = 'analyzing' THEN 'active' ELSE scrape_status END`;

/** An analysis skipped because nothing changed: the stored insights stand, and the blog is active again. */
export async function keepInsights(db: Db, blogId: number): Promise<void> {
  await db.updateTable('blogs').set({ scrape_status: activate, updated_at: sql`now()` }).where('id', '=', blogId).execute();
}

export async function storeInsights(db: Db, blogId: number, insights: AIInsights, now: Date): Promise<{ categories: string[] }> {
  await db
    .updateTable('blogs')
    .set({
      ai_insights: JSON.stringify(insights),
      ai_confidence: Math.round(insights.confidence * 1000) / 1000,
      ai_analyzed_at: now,
      scrape_status: activate,
      status_reason: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', blogId)
    .execute();
  await markAiSponsored(db, blogId, insights.sponsored_posts);
  return { categories: await replaceCategories(db, blogId, insights.content.primary_topic, insights.content.secondary_topics) };
}

/**
 * The blog's categories become exactly the answer's topics, matched by name (case-insensitive) against the current
 * list; a topic deleted since the batch was built is skipped. Returns the names matched.
 */
async function replaceCategories(db: Db, blogId: number, primary: string, secondary: readonly string[]): Promise<string[]> {
  const names = [primary, ...secondary.filter((s) => s.toLowerCase() !== primary.toLowerCase())];
  const found = await db
    .selectFrom('categories')
    .select(['id', 'name'])
    .where(sql<boolean>`lower(name) = ANY (${names.map((n) => n.toLowerCase())}::text[])`)
    .execute();
  await db.deleteFrom('blog_categories').where('blog_id', '=', blogId).execute();
  if (found.length > 0) {
    const isPrimary = (name: string) => name.toLowerCase() === primary.toLowerCase();
    await db
      .insertInto('blog_categories')
      .values(found.map((c) => ({ blog_id: blogId, category_id: c.id, is_primary: isPrimary(c.name) })))
      .execute();
  }
  return found.map((c) => c.name);
}

/** The model declined: the blog is usable with its scraped data; earlier insights, if any, are kept. */
export async function markRefused(db: Db, blogId: number, refusal: string): Promise<void> {
  await db
    .updateTable('blogs')
    .set({
      scrape_status: activate,
      status_reason: `AI analysis refused by the model: ${refusal}`.slice(0, 1000),
      updated_at: sql`now()`,
    })
    .where('id', '=', blogId)
    .execute();
}

/** AI failed after every attempt: the blog is still usable with what was scraped, and says why it has no insights. */
export async function markAiFallback(db: Db, blogId: number, attempts: number, lastError: string): Promise<void> {
  await db
    .updateTable('blogs')
    .set({
      scrape_status: activate,
      status_reason: `AI analysis failed after ${attempts} attempt(s), scraped data only: ${lastError}`.slice(0, 1000),
      updated_at: sql`now()`,
    })
    .where('id', '=', blogId)
    .execute();
}
