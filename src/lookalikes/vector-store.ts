import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Blog embeddings in Postgres (README "Similar creators"). Every vector is stored as a unit real[] (so cosine
 * similarity is the dot product) and, where the server has pgvector (migration 0022 adds `embedding_v` then), also
 * as a `vector` compared in C by `<=>`. Without pgvector, as in the embedded Postgres, the ranking is an exact scan
 * of the real[] column: one dot product per stored blog, fine for tens of thousands of blogs at 256 dimensions.
 */

export interface StoredEmbedding {
  blogId: number;
  model: string;
  dimensions: number;
  textHash: string;
  vector: readonly number[];
}

export function normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm === 0 ? [...vector] : vector.map((v) => v / norm);
}

const hasPgvectorCache = new WeakMap<object, Promise<boolean>>();

/** Whether this database has the pgvector column (asked once per Kysely instance). */
export function hasPgvector(db: Kysely<Database>): Promise<boolean> {
  let known = hasPgvectorCache.get(db);
  if (!known) {
    known = sql<{ found: boolean }>`SELECT EXISTS (
        SELECT 1 FROM information_schema.columns WHERE table_name = 'blog_embeddings' AND column_name = 'embedding_v') AS found`
      .execute(db)
      .then((r) => r.rows[0]?.found === true);
    hasPgvectorCache.set(db, known);
  }
  return known;
}

export async function saveEmbedding(db: Kysely<Database>, e: StoredEmbedding): Promise<void> {
  const vector = normalise(e.vector);
  const values = { model: e.model, dimensions: e.dimensions, text_hash: e.textHash, embedding: vector, embedded_at: new Date() };
  await db
    .insertInto('blog_embeddings')
    .values({ blog_id: e.blogId, ...values })
    .onConflict((oc) => oc.column('blog_id').doUpdateSet(values))
    .execute();
  if (await hasPgvector(db)) {
    await sql`UPDATE blog_embeddings SET embedding_v = ${`[${vector.join(',')}]`}::vector WHERE blog_id = ${e.blogId}`.execute(db);
  }
}

export interface Neighbour {
  blogId: number;
  similarity: number;
}

/**
 * Cosine similarity of `targetBlogId`'s embedding to the others made by the same model at the same size: the
 * `limit` nearest, or (with `among`) exactly those blogs. Empty when the target has no embedding.
 */
export async function nearestBlogs(
  db: Kysely<Database>,
  targetBlogId: number,
  options: { limit: number; among?: readonly number[] },
): Promise<Neighbour[]> {
  if (options.among && options.among.length === 0) return [];
  const among = options.among ? sql`AND e.blog_id = ANY(${[...options.among]}::bigint[])` : sql``;
  const similarity = (await hasPgvector(db))
    ? sql<number>`1 - (e.embedding_v <=> t.embedding_v)`
    : sql<number>`(SELECT sum(a * b) FROM unnest(e.embedding, t.embedding) AS u(a, b))`;
  const { rows } = await sql<{ blog_id: string | number; similarity: number }>`
    SELECT e.blog_id, ${similarity}::float8 AS similarity
    FROM blog_embeddings t
    JOIN blog_embeddings e ON e.blog_id <> t.blog_id AND e.model = t.model AND e.dimensions = t.dimensions
    WHERE t.blog_id = ${targetBlogId} ${among}
    ORDER BY similarity DESC, e.blog_id
    LIMIT ${options.limit}`.execute(db);
  return rows.map((r) => ({ blogId: Number(r.blog_id), similarity: Number(r.similarity) }));
}
