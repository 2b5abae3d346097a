import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discoveryTruth, GRAPH_ERRORS, graphMediaOf, mediaInsightsTruth } from '../../emulator/graph/index.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startGraphHarness, type GraphHarness } from './harness.js';

/**
 * graph_discovery and graph_media_sync on the real runner against the Graph emulator: the figures match the
 * world's truth, no private-API request is made, and each failure (expired/revoked token, throttle, retired
 * metric, usage near 100 %) keeps what was written and spends only the attempts it should.
 */
describe('Graph API task kinds', () => {
  let testDb: TestDatabase;
  let h: GraphHarness;
  let runner: { stop(): Promise<void> };
  let connectionId: number;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // A throttle answer without a regain estimate waits 1 s here (10 min by default).
    h = await startGraphHarness(testDb, { GRAPH_THROTTLE_WAIT_MS: '1000' });
    ({ connectionId } = await h.connect());
    runner = h.startRunner();
  });
  afterAll(async () => {
    await runner.stop();
    await h.close();
    await testDb.drop();
  });
  afterEach(() => {
    h.graph.reset();
  });

  const connectedPk = () => h.graph.pages[0]!.ig!.pk;
  const sync = async () => (await h.call('POST', `/api/graph/connections/${connectionId}/sync`)).body.tasks[0].id as number;

  it("graph_discovery fills the blog, its posts and metrics like full_scrape, from the world's truth, with zero private-API requests", async () => {
    const world = h.instagram.world;
    const target = world.creators.find(
      (c) => (c.accountType === 2 || c.accountType === 3) && !c.isPrivate && c.pk !== connectedPk() && c.mediaCount >= 20,
    )!;
    const answer = await h.call('POST', '/api/graph/discovery', { usernames: [target.username] });
    expect(answer.status).toBe(202);
    const task = await h.waitForTask(answer.body.tasks[0].id);
    expect(task.error_message).toBeNull();
    expect(task.status).toBe('done');
    const truth = discoveryTruth(world, target.username, 20)!;
    const blog = await testDb.db.selectFrom('blogs').selectAll().where('username', '=', target.username).executeTakeFirstOrThrow();
    expect(blog.follower_count).toBe(truth.followers);
    expect(blog.media_count).toBe(truth.mediaCount);
    expect(blog.er).toBe(truth.er);
    expect(task.result).toMatchObject({ source: 'graph', er: truth.er, posts: truth.media.length, private_api_requests: 0 });
    const posts = await testDb.db
      .selectFrom('blog_posts')
      .select(['platform_id', 'like_count', 'comment_count', 'source', 'counts_hidden'])
      .where('blog_id', '=', blog.id)
      .execute();
    expect(posts.map((p) => p.platform_id).sort()).toEqual(truth.media.map((m) => m.pk).sort());
    expect(new Set(posts.map((p) => p.source))).toEqual(new Set(['graph']));
    const snapshot = await testDb.db
      .selectFrom('blog_snapshots')
      .select(['source', 'follower_count', 'er'])
      .where('blog_id', '=', blog.id)
      .executeTakeFirstOrThrow();
    expect(snapshot).toEqual({ source: 'graph', follower_count: truth.followers, er: truth.er });
    // Zero private-API requests: the Instagram emulator saw nothing, the ledger has no request.
    expect(h.instagram.log.length).toBe(0);
    const ledger = await testDb.db.selectFrom('activity_log').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(ledger.n).toBe(0);
  });

  it('hands a personal account that discovery cannot see to full_scrape', async () => {
    const personal = h.instagram.world.creators.find((c) => c.accountType === 1 && !c.isPrivate)!;
    const answer = await h.call('POST', '/api/graph/discovery', { usernames: [personal.username] });
    const task = await h.waitForTask(answer.body.tasks[0].id);
    expect(task.status).toBe('done');
    expect(task.result).toMatchObject({ business_account: false });
    const scrape = await testDb.db
      .selectFrom('scrape_tasks')
      .select(['task_type', 'status'])
      .where('id', '=', (task.result as any).full_scrape_task_id)
      .executeTakeFirstOrThrow();
    expect(scrape).toEqual({ task_type: 'full_scrape', status: 'pending' });
  });

  it('graph_media_sync writes one snapshot per media with the insights the world says', async () => {
    const task = await h.waitForTask(await sync());
    expect(task.error_message).toBeNull();
    expect(task.status).toBe('done');
    const media = graphMediaOf(h.instagram.world, connectedPk());
    const rows = await testDb.db
      .selectFrom('graph_media_snapshots as s')
      .innerJoin('graph_media as m', 'm.id', 's.media_id')
      .select(['m.ig_media_id', 's.reach', 's.views', 's.saved', 's.shares', 's.total_interactions', 's.avg_watch_time_ms'])
      .where('s.task_id', '=', task.id)
      .execute();
    expect(rows.length).toBe(media.length);
    for (const m of media) {
      const truth = mediaInsightsTruth(m);
      expect(rows.find((r) => r.ig_media_id === m.pk)).toEqual({
        ig_media_id: m.pk,
        reach: truth.reach,
        views: truth.views,
        saved: truth.saved,
        shares: truth.shares,
        total_interactions: truth.total_interactions,
        avg_watch_time_ms: truth.ig_reels_avg_watch_time,
      });
    }
  });

  it('drops a metric the API says is retired and keeps the others, without failing or spending an attempt', async () => {
    h.graph.fail(GRAPH_ERRORS.deprecatedMetric('views', 'v22.0'), { path: /insights$/, times: 1 });
    const task = await h.waitForTask(await sync());
    expect(task).toMatchObject({ status: 'done', attempts: 1 });
    expect(task.result).toMatchObject({ dropped_metrics: ['views'] });
    const rows = await testDb.db.selectFrom('graph_media_snapshots').select(['views', 'reach']).where('task_id', '=', task.id).execute();
    expect(rows.length).toBe(graphMediaOf(h.instagram.world, connectedPk()).length);
    expect(rows.every((r) => r.views === null && r.reach !== null)).toBe(true);
  });

  it('waits out a throttle (code 80002, regain in 5 min) without spending an attempt, then runs with one', async () => {
    h.graph.throttle('instagram', 5 * 60_000);
    const id = await sync();
    await waitDeferred(id);
    const row = await testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(0);
    expect(row.run_at.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000); // estimated_time_to_regain_access: 5 min
    expect(row.waiting_reason ?? '').toContain('throttled');
    // Access is back: the task runs when due and finishes with one attempt.
    h.graph.reset();
    await testDb.db.updateTable('scrape_tasks').set({ run_at: new Date() }).where('id', '=', id).execute();
    const done = await h.waitForTask(id);
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('slows down near 100 % usage and stops before it, keeping the media list it had read', async () => {
    h.graph.setUsage({ buc: 97, app: 10 });
    const id = await sync();
    await waitDeferred(id);
    const waiting = await testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(waiting.attempts).toBe(0);
    expect((waiting.progress as any).media_ids.length).toBeGreaterThan(0);
    const listCalls = () => h.graph.log.filter((e) => /\/media$/.test(e.path)).length;
    expect(listCalls()).toBe(1);
    // Usage falls to 85 %: calls go on, spaced out; the media list is not read again.
    h.graph.setUsage({ buc: 85, app: 10 });
    const done = await h.waitForTask(id);
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
    expect((done.result as any).paused_ms).toBeGreaterThan(0);
    expect(listCalls()).toBe(1);
  });

  it('an expired token ends the task at once (one attempt), marks the connection and alerts; nothing written is lost', async () => {
    const before = await testDb.db.selectFrom('graph_media_snapshots').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    h.graph.expireTokens();
    const task = await h.waitForTask(await sync());
    expect(task).toMatchObject({ status: 'failed', attempts: 1 });
    expect(task.error_message).toContain('Session has expired');
    const connection = await testDb.db
      .selectFrom('graph_connections')
      .select(['status'])
      .where('id', '=', connectionId)
      .executeTakeFirstOrThrow();
    expect(connection.status).toBe('expired');
    expect(h.alerts.kinds()).toContain('graph_token_refresh_failed');
    const after = await testDb.db.selectFrom('graph_media_snapshots').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // A revoked token (password changed), after connecting again: discovery fails the same way.
    ({ connectionId } = await h.connect());
    h.graph.revokeTokens();
    const target = h.instagram.world.creators.find(
      (c) => (c.accountType === 2 || c.accountType === 3) && !c.isPrivate && c.pk !== connectedPk(),
    )!;
    const discovery = await h.call('POST', '/api/graph/discovery', { usernames: [target.username] });
    const failed = await h.waitForTask(discovery.body.tasks[0].id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error_message).toContain('invalidated');
    expect(h.alerts.kinds()).toContain('graph_permission_revoked');
  });

  /** Deferred: handed back to pending by its run, with the reason it waits. */
  async function waitDeferred(id: number) {
    await waitFor(
      async () => {
        const row = await testDb.db
          .selectFrom('scrape_tasks')
          .select(['status', 'locked_by', 'waiting_reason'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return row.status === 'pending' && row.locked_by === null && row.waiting_reason !== null;
      },
      { timeoutMs: 20_000, intervalMs: 10, what: `task ${id} deferred` },
    );
  }
});
