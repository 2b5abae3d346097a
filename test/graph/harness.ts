import { createApp } from '../../src/http/app.js';
import { loadConfig } from '../../src/config.js';
import { createGraphSource } from '../../src/graph/source.js';
import { createLogger } from '../../src/logger.js';
import { TaskRegistry } from '../../src/queue/registry.js';
import { TaskRunner } from '../../src/queue/runner.js';
import type { Task } from '../../src/queue/task.js';
import { graphDiscoveryHandler, graphMediaSyncHandler } from '../../src/graph/tasks.js';
import { waitFor } from '../../src/util/wait.js';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/graph/index.js';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { TEST_API_KEY, TEST_SECRET_BOX, stubAccountOps } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/db.js';
import { RecordingAlerter } from '../helpers/pool.js';

export const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
export const REDIRECT_URL = 'http://127.0.0.1:8001/api/graph/callback';

/**
 * The daemon's Graph API source over the Graph emulator: the real app (routes), the connect service, the task
 * handlers on a real runner. The Instagram (private API) emulator runs on the same world only to show that the
 * Graph source never calls it. `now` moves the emulator's clock (token age, expiry).
 */
export interface GraphHarness {
  graph: GraphEmulator;
  instagram: InstagramEmulator;
  clock: { now: number };
  alerts: RecordingAlerter;
  source: ReturnType<typeof createGraphSource>;
  call(
    method: string,
    path: string,
    body?: unknown,
    auth?: boolean,
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  connect(): Promise<{ connectionId: number; igUserId: string; texts: string[] }>;
  startRunner(): { stop(): Promise<void> };
  waitForTask(id: number, statuses?: string[]): Promise<Task>;
  close(): Promise<void>;
}

export async function startGraphHarness(testDb: TestDatabase, env: Record<string, string> = {}): Promise<GraphHarness> {
  const instagram = await startInstagramEmulator({ seed: 21, proxies: 1 });
  const clock = { now: Date.now() };
  const graph = await startGraphEmulator({ world: instagram.world, now: () => clock.now });
  const alerts = new RecordingAlerter();
  const config = loadConfig({
    GRAPH_APP_ID: graph.app.id,
    GRAPH_APP_SECRET: graph.app.secret,
    GRAPH_REDIRECT_URL: REDIRECT_URL,
    GRAPH_API_BASE_URL: graph.baseUrl,
    GRAPH_USAGE_MAX_DELAY_MS: '50',
    ...env,
  });
  const source = createGraphSource({ db: testDb.db, box: TEST_SECRET_BOX, config, alerter: alerts, logger: silent });
  const app = createApp({
    db: testDb.db,
    logger: silent,
    apiKey: TEST_API_KEY,
    bodyLimitBytes: 1_000_000,
    maxAttempts: 3,
    isReady: () => true,
    version: 'test',
    secretBox: TEST_SECRET_BOX,
    accountOps: stubAccountOps,
    healthSettledCountsTtlMs: 0,
    healthCountsTtlMs: 0,
    graph: source.connect,
  });
  const call: GraphHarness['call'] = async (method, path, body, auth = true) => {
    const headers: Record<string, string> = auth ? { authorization: `Bearer ${TEST_API_KEY}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  const connect: GraphHarness['connect'] = async () => {
    const start = await call('GET', '/api/graph/connect');
    if (start.status !== 302) throw new Error(`connect answered ${start.status}: ${start.text}`);
    // The browser follows the dialog (the emulator consents at once) back to our redirect URL.
    const dialog = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(dialog.headers.get('location')!);
    const callback = await call('GET', `/api/graph/callback${back.search}`, undefined, false);
    if (callback.status !== 200) throw new Error(`callback answered ${callback.status}: ${callback.text}`);
    const page = callback.body.pages.find((p: any) => p.instagram_account);
    const picked = await call('PUT', `/api/graph/connections/${callback.body.connection.id}/account`, {
      ig_user_id: page.instagram_account.id,
    });
    if (picked.status !== 200) throw new Error(`pick answered ${picked.status}: ${picked.text}`);
    return {
      connectionId: callback.body.connection.id,
      igUserId: page.instagram_account.id,
      texts: [start.text, callback.text, picked.text],
    };
  };
  const startRunner = () => {
    const registry = new TaskRegistry()
      .register({ type: 'graph_discovery', handler: graphDiscoveryHandler(source.taskDeps) })
      .register({ type: 'graph_media_sync', handler: graphMediaSyncHandler(source.taskDeps) });
    const runner = new TaskRunner({
      db: testDb.db,
      registry,
      logger: silent,
      options: { workerId: 'graph-test', concurrency: 2, pollIntervalMs: 50, leaseMs: 10_000, backoffBaseMs: 50, backoffFactor: 1 },
    });
    runner.start();
    return { stop: () => runner.stop(0).then(() => undefined) };
  };
  const waitForTask: GraphHarness['waitForTask'] = async (id, statuses = ['done', 'failed']) => {
    let row: Task | undefined;
    await waitFor(
      async () => {
        row = await testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirst();
        return row !== undefined && statuses.includes(row.status);
      },
      { timeoutMs: 20_000, intervalMs: 25, what: `task ${id} ${statuses.join('/')}` },
    );
    return row!;
  };
  return {
    graph,
    instagram,
    clock,
    alerts,
    source,
    call,
    connect,
    startRunner,
    waitForTask,
    close: async () => {
      await graph.close();
      await instagram.close();
    },
  };
}
