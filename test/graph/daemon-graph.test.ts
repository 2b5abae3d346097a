import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { waitFor } from '../../src/util/wait.js';
import { startGraphEmulator, graphMediaOf, mediaInsightsTruth, type GraphEmulator } from '../../emulator/graph/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startMain } from '../helpers/start-main.js';

/**
 * As a new user would: the real daemon (src/main.ts) configured for the Graph emulator; connect through the
 * redirect flow over HTTP, pick the account, watch graph_media_sync run on its schedule, bind a reel to a brief
 * and read expected vs actual. No log line carries a token.
 */
describe('the daemon with the Graph API source', () => {
  let testDb: TestDatabase;
  let graph: GraphEmulator;
  let dataDir: string;
  let main: ReturnType<typeof startMain>;
  let base: string;
  const key = 'graph-daemon-test-key-0123456789abcdef';

  beforeAll(async () => {
    testDb = await createTestDatabase();
    graph = await startGraphEmulator({ seed: 21 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'igscout-graph-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    main = startMain({
      DATABASE_URL: testDb.url,
      SCRAPER_API_KEY: key,
      ENCRYPTION_KEY: SecretBox.generateKey(),
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      GRAPH_APP_ID: graph.app.id,
      GRAPH_APP_SECRET: graph.app.secret,
      GRAPH_API_BASE_URL: graph.baseUrl,
      GRAPH_REDIRECT_URL: `${base}/api/graph/callback`,
      CRON_GRAPH_MEDIA_SYNC: '*/2 * * * * *',
      QUEUE_POLL_INTERVAL_MS: '200',
    });
    await main.running;
  });
  afterAll(async () => {
    main.child.kill('SIGTERM');
    await main.exited;
    await graph.close();
    await testDb.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${base}${route}`, {
      method,
      redirect: 'manual',
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: response.headers.get('content-type')?.includes('json') ? ((await response.json()) as any) : null,
    };
  };

  it("connects by the redirect flow, refreshes the reels' insights on schedule and shows expected vs actual", async () => {
    const start = await api('GET', '/api/graph/connect');
    expect(start.status).toBe(302);
    // The browser: dialog → back to the daemon's callback (no API key: it is public), as Facebook would send it.
    const dialog = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = await fetch(dialog.headers.get('location')!.replace(/#_=_$/, ''));
    expect(callback.status).toBe(200);
    const connected = (await callback.json()) as any;
    const ig = connected.pages.find((p: any) => p.instagram_account).instagram_account;
    expect((await api('PUT', `/api/graph/connections/${connected.connection.id}/account`, { ig_user_id: ig.id })).status).toBe(200);

    // graph_media_sync runs on its own (every 2 s here): wait for two scheduled runs.
    await waitFor(async () => (await api('GET', '/api/tasks?task_type=graph_media_sync&status=done')).body.items.length >= 2, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'two scheduled graph_media_sync runs',
    });
    const media = (await api('GET', `/api/graph/media?connection_id=${connected.connection.id}`)).body.items;
    const reel = graphMediaOf(graph.world, graph.pages[0]!.ig!.pk).find((m) => m.kind === 'reel')!;
    const row = media.find((m: any) => m.ig_media_id === reel.pk);
    const brief = await api('POST', '/api/graph/briefs', { name: 'Script v2', expected: { views: 10_000 } });
    expect((await api('PUT', `/api/graph/media/${row.id}/brief`, { brief_id: brief.body.id })).status).toBe(200);
    const report = (await api('GET', `/api/graph/media/${row.id}`)).body;
    expect(report.history.length).toBeGreaterThanOrEqual(2);
    expect(report.comparison).toEqual([
      {
        figure: 'views',
        expected: 10_000,
        actual: mediaInsightsTruth(reel).views,
        difference: mediaInsightsTruth(reel).views! - 10_000,
        ratio: Math.round((mediaInsightsTruth(reel).views! / 10_000) * 1000) / 1000,
      },
    ]);
    // No token in the daemon's log.
    for (const token of graph.tokens().map((t) => t.token)) expect(main.output()).not.toContain(token);
  });
});
