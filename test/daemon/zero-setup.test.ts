import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { startMain } from '../helpers/start-main.js';
import { waitFor } from '../../src/util/wait.js';

/**
 * `npm start` as a new user runs it: src/main.ts with no DATABASE_URL and no key, in an empty DATA_DIR. The daemon
 * starts its own Postgres, generates and keeps a key, serves, stops on SIGTERM, and keeps its data across restarts.
 */
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'igscout-zero-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe('zero-setup start', () => {
  it('serves with its own Postgres and key, drains on SIGTERM, and keeps data and key across a restart', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port) };
    const first = startMain(env);
    await first.running;
    const key = (await readFile(path.join(dataDir, 'api-key'), 'utf8')).trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(((await stat(path.join(dataDir, 'api-key'))).mode & 0o777).toString(8)).toBe('600');
    // The hint follows 'ig-scout is running' (it is printed once startDaemon has returned).
    await waitFor(() => first.output().includes('Bearer $(cat'), { timeoutMs: 5000, what: 'the API key hint' });
    expect(first.output()).toContain(`Bearer $(cat ${path.join(dataDir, 'api-key')})`);
    expect(first.output()).not.toContain(key);

    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    // A fresh install has no Instagram account: it serves and queues (200) but reports degraded.
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      database: { ok: true },
      tasks: { pending: 0 },
      accounts: { usable: 0 },
    });
    expect((await fetch(`${base}/api/tasks`)).status).toBe(401);
    const created = await fetch(`${base}/api/tasks/scrape`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ usernames: ['persisted_user'] }),
    });
    expect(created.status).toBe(202);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shutdown complete');
    expect(first.output()).toContain('embedded Postgres stopped');

    const second = startMain(env);
    await second.running;
    const tasks = await fetch(`${base}/api/tasks`, { headers: { authorization: `Bearer ${key}` } });
    expect(tasks.status).toBe(200);
    const body = (await tasks.json()) as { items: { payload: { username: string } }[] };
    expect(body.items.map((t) => t.payload.username)).toEqual(['persisted_user']);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);

  it('refuses to start with DATABASE_URL but no API key, saying why', async () => {
    const run = startMain({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db' });
    await expect(run.running).rejects.toThrow(/SCRAPER_API_KEY is required when DATABASE_URL is set/);
    expect(await run.exited).toBe(1);
  });

  it('refuses a bad configuration with exit code 2, naming the variable', async () => {
    const run = startMain({ DATA_DIR: dataDir, PORT: 'eighty' });
    await expect(run.running).rejects.toThrow(/PORT: must be a number/);
    expect(await run.exited).toBe(2);
  });

  it('refuses a bad cron pattern or hashtag the same way, before anything starts (issue 15)', async () => {
    const cron = startMain({ DATA_DIR: dataDir, CRON_DISCOVER_WEEKLY: 'every monday' });
    await expect(cron.running).rejects.toThrow(/CRON_DISCOVER_WEEKLY: not a cron pattern \("every monday"\)/);
    expect(await cron.exited).toBe(2);
    const tags = startMain({ DATA_DIR: dataDir, DISCOVER_HASHTAGS: 'food, not-a-tag' });
    await expect(tags.running).rejects.toThrow(/DISCOVER_HASHTAGS: not valid hashtags: not-a-tag/);
    expect(await tags.exited).toBe(2);
  });
});
