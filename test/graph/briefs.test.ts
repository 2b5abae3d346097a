import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphMediaOf, mediaInsightsTruth } from '../../emulator/graph/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startGraphHarness, type GraphHarness } from './harness.js';

/** Expected vs actual: a brief bound to a reel of the connected account, read after two syncs. */
describe('Graph briefs: expected vs actual', () => {
  let testDb: TestDatabase;
  let h: GraphHarness;
  let runner: { stop(): Promise<void> };
  let connectionId: number;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    h = await startGraphHarness(testDb);
    ({ connectionId } = await h.connect());
    runner = h.startRunner();
  });
  afterAll(async () => {
    await runner.stop();
    await h.close();
    await testDb.drop();
  });

  const syncOnce = async () => {
    const id = (await h.call('POST', `/api/graph/connections/${connectionId}/sync`)).body.tasks[0].id;
    expect((await h.waitForTask(id)).status).toBe('done');
  };

  it('binds a reel to a brief and shows expected against the latest insights, with the history', async () => {
    await syncOnce();
    const reel = graphMediaOf(h.instagram.world, h.graph.pages[0]!.ig!.pk).find((m) => m.kind === 'reel')!;
    const truth = mediaInsightsTruth(reel);
    const listed = await h.call('GET', `/api/graph/media?connection_id=${connectionId}`);
    const media = listed.body.items.find((m: any) => m.ig_media_id === reel.pk);
    expect(media).toMatchObject({ media_product_type: 'REELS', brief_id: null });

    const brief = await h.call('POST', '/api/graph/briefs', {
      name: 'Spring launch',
      script_version: 'v3',
      expected: { views: 50_000, reach: 30_000, er: 4.5 },
    });
    expect(brief.status).toBe(201);
    const bound = await h.call('PUT', `/api/graph/media/${media.id}/brief`, { brief_id: brief.body.id });
    expect(bound.status).toBe(200);

    await syncOnce(); // a second snapshot
    const report = await h.call('GET', `/api/graph/media/${media.id}`);
    expect(report.status).toBe(200);
    expect(report.body.brief).toMatchObject({ name: 'Spring launch', script_version: 'v3' });
    const er = Math.round((truth.total_interactions! / truth.reach!) * 10_000) / 100;
    expect(report.body.comparison).toEqual([
      {
        figure: 'er',
        expected: 4.5,
        actual: er,
        difference: Math.round((er - 4.5) * 100) / 100,
        ratio: Math.round((er / 4.5) * 1000) / 1000,
      },
      {
        figure: 'reach',
        expected: 30_000,
        actual: truth.reach,
        difference: truth.reach! - 30_000,
        ratio: Math.round((truth.reach! / 30_000) * 1000) / 1000,
      },
      {
        figure: 'views',
        expected: 50_000,
        actual: truth.views,
        difference: truth.views! - 50_000,
        ratio: Math.round((truth.views! / 50_000) * 1000) / 1000,
      },
    ]);
    expect(report.body.history).toHaveLength(2);
    expect(report.body.history[0]).toMatchObject({
      views: truth.views,
      reach: truth.reach,
      avg_watch_time_ms: truth.ig_reels_avg_watch_time,
    });
  });

  it('refuses bad input with a 4xx that says what is wrong', async () => {
    expect((await h.call('POST', '/api/graph/briefs', { name: '', expected: {} })).status).toBe(400);
    const badFigure = await h.call('POST', '/api/graph/briefs', { name: 'x', expected: { views: 'lots' } });
    expect(badFigure.status).toBe(400);
    expect(badFigure.body.error.message).toContain('expected.views');
    expect((await h.call('PUT', '/api/graph/media/999999/brief', { brief_id: null })).status).toBe(404);
    const media = (await h.call('GET', '/api/graph/media')).body.items[0];
    expect((await h.call('PUT', `/api/graph/media/${media.id}/brief`, { brief_id: 424242 })).status).toBe(404);
    expect((await h.call('GET', '/api/graph/media/abc')).status).toBe(400);
  });
});
