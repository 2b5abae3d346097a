import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nearestBlogs } from './vector-store.js';

/**
 * GET /api/blogs/{username}/similar (README "Similar creators"). Candidates come from two places: Instagram's
 * similar accounts of the blog (the `similar_accounts` task) and the blogs of this database whose embedding is
 * nearest to the blog's. They are ranked by the cosine similarity of their AI profile text's embedding to the
 * blog's; a candidate without one (not in the database yet, or not analysed) follows, in Instagram's order. Without
 * an embedding of the blog itself, the list is Instagram's order.
 */
export interface SimilarCandidate {
  username: string;
  full_name: string | null;
  sources: Array<'instagram' | 'database'>;
  /** Cosine similarity of the embeddings (−1…1), null without one on either side. */
  similarity: number | null;
  /** Position in Instagram's list (0 first), null for a candidate only this database proposed. */
  instagram_position: number | null;
  in_database: boolean;
  scrape_status: string | null;
  follower_count: number | null;
  er: number | null;
  credibility: number | null;
}

export interface SimilarResult {
  username: string;
  ranked_by: 'profile_text' | 'instagram_order';
  instagram: { fetched_at: Date | null; candidates: number };
  candidates: number;
  /** Instagram's candidates not in the database (scrape them with ?scrape_unknown=true). */
  unknown: string[];
  items: SimilarCandidate[];
}

export interface SimilarOptions {
  limit: number;
  /** Nearest blogs of this database considered beside Instagram's list. */
  databaseCandidates: number;
}

export async function similarCreators(db: Kysely<Database>, username: string, options: SimilarOptions): Promise<SimilarResult | undefined> {
  const blog = await db
    .selectFrom('blogs')
    .select(['id', 'username'])
    .where('platform', '=', 'instagram')
    .where('username', '=', username)
    .executeTakeFirst();
  if (!blog) return undefined;
  const [instagram, hasEmbedding, nearest] = await Promise.all([
    db.selectFrom('similar_accounts').selectAll().where('blog_id', '=', blog.id).orderBy('position').execute(),
    db.selectFrom('blog_embeddings').select('blog_id').where('blog_id', '=', blog.id).executeTakeFirst(),
    nearestBlogs(db, blog.id, { limit: options.databaseCandidates }),
  ]);
  const igNames = instagram.map((s) => s.username).filter((u) => u !== blog.username);
  const known = igNames.length > 0 ? await blogRows(db, { usernames: igNames }) : [];
  const knownByName = new Map(known.map((b) => [b.username, b]));
  const igScores = hasEmbedding ? await nearestBlogs(db, blog.id, { limit: known.length, among: known.map((b) => b.id) }) : [];
  const nearestRows = await blogRows(db, { ids: nearest.map((n) => n.blogId) });
  const score = new Map([...nearest, ...igScores].map((n) => [n.blogId, n.similarity]));

  const byName = new Map<string, SimilarCandidate>();
  instagram.forEach((s) => {
    if (s.username === blog.username || byName.has(s.username)) return;
    const row = knownByName.get(s.username);
    byName.set(s.username, {
      username: s.username,
      full_name: row?.full_name ?? s.full_name,
      sources: ['instagram'],
      similarity: row ? (score.get(row.id) ?? null) : null,
      instagram_position: s.position,
      in_database: row !== undefined,
      scrape_status: row?.scrape_status ?? null,
      follower_count: row?.follower_count ?? null,
      er: row?.er === null || row?.er === undefined ? null : Number(row.er),
      credibility: row?.credibility ?? null,
    });
  });
  for (const row of nearestRows) {
    const existing = byName.get(row.username);
    if (existing) {
      existing.sources.push('database');
      continue;
    }
    byName.set(row.username, {
      username: row.username,
      full_name: row.full_name,
      sources: ['database'],
      similarity: score.get(row.id) ?? null,
      instagram_position: null,
      in_database: true,
      scrape_status: row.scrape_status,
      follower_count: row.follower_count,
      er: row.er === null ? null : Number(row.er),
      credibility: row.credibility,
    });
  }
  const all = [...byName.values()].sort(compare);
  return {
    username: blog.username,
    ranked_by: hasEmbedding ? 'profile_text' : 'instagram_order',
    instagram: { fetched_at: instagram[0]?.fetched_at ?? null, candidates: instagram.length },
    candidates: all.length,
    unknown: all.filter((c) => !c.in_database).map((c) => c.username),
    items: all.slice(0, options.limit),
  };
}

/** Scored first, most similar first; then Instagram's order; then by name (stable). */
function compare(a: SimilarCandidate, b: SimilarCandidate): number {
  if (a.similarity !== null || b.similarity !== null) {
    if (a.similarity === null) return 1;
    if (b.similarity === null) return -1;
    if (a.similarity !== b.similarity) return b.similarity - a.similarity;
  }
  const pa = a.instagram_position ?? Number.MAX_SAFE_INTEGER;
  const pb = b.instagram_position ?? Number.MAX_SAFE_INTEGER;
  return pa !== pb ? pa - pb : a.username.localeCompare(b.username);
}

function blogRows(db: Kysely<Database>, where: { usernames?: string[]; ids?: number[] }) {
  let query = db
    .selectFrom('blogs')
    .leftJoin('audience_quality', 'audience_quality.blog_id', 'blogs.id')
    .select([
      'blogs.id',
      'blogs.username',
      'blogs.full_name',
      'blogs.scrape_status',
      'blogs.follower_count',
      'blogs.er',
      'audience_quality.credibility',
    ])
    .where('blogs.platform', '=', 'instagram');
  if (where.usernames) query = query.where('blogs.username', 'in', where.usernames.length > 0 ? where.usernames : ['']);
  if (where.ids) {
    if (where.ids.length === 0) return Promise.resolve([]);
    query = query.where('blogs.id', 'in', where.ids);
  }
  return query.execute();
}
