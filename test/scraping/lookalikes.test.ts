import OpenAI from 'openai';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { NICHES } from '../../emulator/world/vocab.js';
import type { WorldUser } from '../../emulator/world/index.js';
import { pollEmbeddings, submitEmbeddings, type EmbeddingContext } from '../../src/lookalikes/embedding-batches.js';
import { createLogger } from '../../src/logger.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, type PoolFixture, startPoolRunner } from '../helpers/pool.js';

/**
 * Lookalikes end to end: Instagram's similar accounts through the `similar_accounts` task (the account pool and the
 * real instagram-private-api against the emulator's similar-accounts graph), embeddings of the AI profile text
 * through the real openai SDK and the Batch API emulator (/v1/embeddings, reduced dimensions), stored as real[] and
 * ranked by the exact scan (the embedded Postgres has no pgvector). The AI analyses are written from the world's
 * truth (each creator's niche), as the AI pipeline would store them; that pipeline has tests of its own.
 */
let testDb: TestDatabase;
let fx: PoolFixture;
let openai: OpenAiEmulator;
let stopRunner: (() => Promise<void>) | undefined;
const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });

beforeAll(async () => {
  testDb = await createTestDatabase();
  openai = await startOpenAiEmulator({ seed: 5 });
});
afterAll(async () => {
  await openai.close();
  await testDb.drop();
});
afterEach(async () => {
  await stopRunner?.();
  stopRunner = undefined;
  await fx?.close();
});

/** What the AI pipeline stores for a creator: its niche as the topic, with the niche's words in the notes. */
function insightsOf(user: WorldUser) {
  const niche = NICHES.find((n) => n.name === user.niche)!;
  return {
    content: { primary_topic: niche.name, secondary_topics: [], content_language: ['ru'], content_tone: 'positive' },
    commercial: { detected_brand_categories: [] },
    audience_inference: { estimated_audience_gender: null, estimated_audience_age: null, estimated_audience_geo: 'kz' },
    notes: `${niche.name} creator: ${niche.topics.en.join(', ')}; ${niche.hashtags.join(' ')}`,
  };
}

async function addBlog(user: WorldUser, analysed = true) {
  await testDb.db
    .insertInto('blogs')
    .values({
      username: user.username,
      platform_id: String(user.pk),
      full_name: user.fullName,
      biography: user.biography,
      follower_count: user.followerCount,
      scrape_status: 'active',
      scraped_at: new Date(),
      ...(analysed ? { ai_insights: JSON.stringify(insightsOf(user)), ai_analyzed_at: new Date() } : {}),
    })
    .execute();
}

async function finished(api: ReturnType<typeof createTestApp>, id: number) {
  let task: any;
  await waitFor(
    async () => {
      task = (await api.call('GET', `/api/tasks/${id}`)).body;
      return task.status === 'done' || task.status === 'failed';
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `task ${id} finished` },
  );
  return task;
}

describe('similar creators', () => {
  it("Instagram's similar accounts in one request, re-ranked by the embeddings of the AI profile text; unknown ones scraped on request", {
    timeout: 120_000,
  }, async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1 });
    stopRunner = startPoolRunner(testDb, fx.pool, createTaskRegistry(fx.pool), {}, silent).stop;
    const api = createTestApp(testDb);
    const world = fx.emulator.world;
    const target = world.creators.find((c) => !c.isPrivate && c.niche === 'food' && world.similarOf(c).length >= 8)!;
    const similar = world.similarOf(target);
    const sameNiche = similar.filter((u) => u.niche === target.niche);
    const otherNiche = similar.filter((u) => u.niche !== target.niche);
    expect(sameNiche.length).toBeGreaterThanOrEqual(5);
    expect(otherNiche).toHaveLength(2);
    // In the database: the target, four of its same-niche lookalikes, the two off-niche ones, and three creators
    // Instagram did not suggest. The rest of Instagram's list is unknown here.
    const knownSame = sameNiche.slice(0, 4);
    const unknown = sameNiche.slice(4);
    const dbOnly = world.creators.filter((c) => c !== target && !similar.includes(c) && c.niche !== target.niche).slice(0, 3);
    for (const user of [target, ...knownSame, ...otherNiche, ...dbOnly]) await addBlog(user);

    // 1. Instagram's list: one discover/chaining request through the pool (the pk is known: no profile lookup).
    const logStart = fx.emulator.log.length;
    const post = await api.call('POST', `/api/blogs/${target.username}/similar`, {});
    expect(post.status).toBe(202);
    const task = await finished(api, post.body.tasks[0].id);
    expect(task).toMatchObject({ status: 'done', task_type: 'similar_accounts' });
    expect(task.result).toMatchObject({ candidates: similar.length, scrapes_queued: 0 });
    const igRequests = fx.emulator.log
      .slice(logStart)
      .filter((e) => e.status === 200 && !['accounts/login', 'qe/sync', 'launcher/sync', 'accounts/current_user'].includes(e.route));
    expect(igRequests.map((e) => e.route)).toEqual(['discover/chaining']);

    // Before any embedding: Instagram's order.
    let res = await api.call('GET', `/api/blogs/${target.username}/similar?limit=100`);
    expect(res.status).toBe(200);
    expect(res.body.ranked_by).toBe('instagram_order');
    expect(res.body.items.map((c: any) => c.username)).toEqual(similar.map((u) => u.username));
    expect(res.body.unknown).toEqual(unknown.map((u) => u.username));

    // 2. Embeddings through the Batch API: every analysed blog, once.
    const ctx: EmbeddingContext = {
      db: testDb.db,
      client: new OpenAI({ apiKey: 'test', baseURL: openai.baseUrl, maxRetries: 0 }),
      logger: silent,
      settings: { model: 'text-embedding-3-small', dimensions: 128, batchMax: 1_000 },
    };
    expect(await submitEmbeddings(ctx)).toMatchObject({ blogs: 1 + knownSame.length + otherNiche.length + dbOnly.length });
    expect(await submitEmbeddings(ctx)).toEqual({ blogs: 0 }); // all in a batch already
    await waitFor(async () => (await pollEmbeddings(ctx)).processed === 1, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the embeddings batch processed',
    });
    const stored = await testDb.db
      .selectFrom('blog_embeddings')
      .select(['dimensions', sql<number>`cardinality(embedding)`.as('n')])
      .execute();
    expect(stored).toHaveLength(1 + knownSame.length + otherNiche.length + dbOnly.length);
    expect(stored.every((e) => e.dimensions === 128 && Number(e.n) === 128)).toBe(true);
    expect(await submitEmbeddings(ctx)).toEqual({ blogs: 0 }); // nothing changed since

    // 3. Ranked by profile text: scored candidates first, most similar first; the same niche above the others; then
    // Instagram's candidates unknown here, in Instagram's order.
    res = await api.call('GET', `/api/blogs/${target.username}/similar?limit=100`);
    const body = res.body;
    expect(body.ranked_by).toBe('profile_text');
    const names = body.items.map((c: any) => c.username);
    expect([...names].sort()).toEqual([...similar, ...dbOnly].map((u) => u.username).sort());
    const scored = body.items.filter((c: any) => c.similarity !== null);
    expect(scored.map((c: any) => c.similarity)).toEqual([...scored.map((c: any) => c.similarity)].sort((a, b) => b - a));
    expect(
      scored
        .slice(0, knownSame.length)
        .map((c: any) => c.username)
        .sort(),
    ).toEqual(knownSame.map((u) => u.username).sort());
    expect(body.items.slice(scored.length).map((c: any) => c.username)).toEqual(unknown.map((u) => u.username));
    const byName = new Map(body.items.map((c: any) => [c.username, c]));
    expect(byName.get(knownSame[0]!.username)).toMatchObject({
      sources: ['instagram', 'database'],
      in_database: true,
      instagram_position: similar.indexOf(knownSame[0]!),
    });
    expect(byName.get(dbOnly[0]!.username)).toMatchObject({ sources: ['database'], instagram_position: null });
    expect(byName.get(unknown[0]!.username)).toMatchObject({ sources: ['instagram'], in_database: false, similarity: null });
    expect(names).not.toContain(target.username);
    expect((await api.call('GET', `/api/blogs/${target.username}/similar?limit=3`)).body.items.map((c: any) => c.username)).toEqual(
      names.slice(0, 3),
    );

    // 4. Unknown candidates queued as scrapes on request; asking again finds them queued.
    res = await api.call('GET', `/api/blogs/${target.username}/similar?scrape_unknown=true`);
    expect(res.body.scrapes_queued).toHaveLength(unknown.length);
    const scrapes = await testDb.db
      .selectFrom('scrape_tasks')
      .innerJoin('blogs', 'blogs.id', 'scrape_tasks.blog_id')
      .select(['blogs.username', 'blogs.source'])
      .where('scrape_tasks.task_type', '=', 'full_scrape')
      .execute();
    expect(scrapes.map((s) => s.username).sort()).toEqual(unknown.map((u) => u.username).sort());
    expect(new Set(scrapes.map((s) => s.source))).toEqual(new Set([`similar:${target.username}`]));
    res = await api.call('GET', `/api/blogs/${target.username}/similar?scrape_unknown=true`);
    expect(res.body.unknown).toEqual([]); // they are blogs now (pending)

    // 5. A blog analysed again with a different outcome is embedded again; the others are not.
    await testDb.db
      .updateTable('blogs')
      .set({
        ai_insights: JSON.stringify({ ...insightsOf(dbOnly[0]!), notes: 'now a travel creator' }),
        ai_analyzed_at: new Date(Date.now() + 1_000),
      })
      .where('username', '=', dbOnly[0]!.username)
      .execute();
    expect(await submitEmbeddings(ctx)).toMatchObject({ blogs: 1 });
  });

  it('a failed embeddings batch is closed with its error, and its blogs are sent again', async () => {
    await sql`TRUNCATE scrape_tasks, blogs, embedding_batches RESTART IDENTITY CASCADE`.execute(testDb.db);
    const world = (await import('../../emulator/world/index.js')).createWorld({ seed: 2 });
    for (const user of world.creators.slice(0, 3)) await addBlog(user);
    await addBlog(world.creators[3]!, false); // not analysed: nothing to embed
    const ctx: EmbeddingContext = {
      db: testDb.db,
      client: new OpenAI({ apiKey: 'test', baseURL: openai.baseUrl, maxRetries: 0 }),
      logger: silent,
      settings: { model: 'text-embedding-3-small', dimensions: 32, batchMax: 2 },
    };
    openai.setBatchFault({ kind: 'fail', code: 'token_limit_exceeded', message: 'Enqueued token limit reached.' }, { times: 1 });
    expect(await submitEmbeddings(ctx)).toMatchObject({ blogs: 2 }); // batchMax
    expect(await submitEmbeddings(ctx)).toMatchObject({ blogs: 1 }); // the rest, in a second batch
    await waitFor(async () => (await pollEmbeddings(ctx)).open === 0, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'both batches processed',
    });
    const batches = await testDb.db
      .selectFrom('embedding_batches')
      .select(['status', 'ok_count', 'error_count', 'error'])
      .orderBy('id')
      .execute();
    expect(batches).toEqual([
      { status: 'failed', ok_count: 0, error_count: 2, error: 'Enqueued token limit reached.' },
      { status: 'completed', ok_count: 1, error_count: 0, error: null },
    ]);
    // The failed batch's blogs go out again; the embedded one does not.
    expect(await submitEmbeddings(ctx)).toMatchObject({ blogs: 2 });
  });

  it('bad input is a 400 with a message; an unknown blog a 404', async () => {
    const api = createTestApp(testDb);
    await testDb.db
      .insertInto('blogs')
      .values({ username: 'known.one' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    for (const query of ['limit=0', 'limit=101', 'scrape_unknown=maybe', 'extra=1']) {
      const res = await api.call('GET', `/api/blogs/known.one/similar?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toBeTruthy();
    }
    expect((await api.call('POST', '/api/blogs/known.one/similar', { scrape_unknown: 'yes' })).status).toBe(400);
    expect((await api.call('POST', '/api/blogs/known.one/similar', { other: 1 })).status).toBe(400);
    const missing = await api.call('GET', '/api/blogs/nobody.here/similar');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/POST \/api\/blogs\/nobody.here\/similar/);
  });
});
