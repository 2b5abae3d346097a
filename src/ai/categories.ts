import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The topic list the model chooses from (offered as an enum in each batch's schema). Names are stored trimmed,
 * lower-case and single-spaced, so "Family & Kids" and "family  & kids" are one category.
 */

export interface CategoryRow {
  id: number;
  name: string;
  blogs: number;
  primary_blogs: number;
  created_at: Date;
}

export const normalizeCategory = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

export async function listCategories(db: Kysely<Database>): Promise<CategoryRow[]> {
  const { rows } = await sql<CategoryRow>`
    SELECT c.id, c.name, c.created_at,
           count(bc.blog_id)::int AS blogs,
           count(bc.blog_id) FILTER (WHERE bc.is_primary)::int AS primary_blogs
      FROM categories c LEFT JOIN blog_categories bc ON bc.category_id = c.id
     GROUP BY c.id ORDER BY c.name`.execute(db);
  return rows;
}

/** undefined when a category of that name exists. */
export async function createCategory(db: Kysely<Database>, name: string): Promise<CategoryRow | undefined> {
  const row = await db
    .insertInto('categories')
    .values({ name: normalizeCategory(name) })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning(['id', 'name', 'created_at'])
    .executeTakeFirst();
  return row ? { ...row, blogs: 0, primary_blogs: 0 } : undefined;
}

/** Removes the category and its blog links; batches already sent may still answer with it (then it is skipped). */
export async function deleteCategory(db: Kysely<Database>, id: number): Promise<boolean> {
  const row = await db.deleteFrom('categories').where('id', '=', id).returning('id').executeTakeFirst();
  return row !== undefined;
}
