import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sseReader } from '../helpers/sse.js';
import { startMain } from '../helpers/start-main.js';

/** `npm start` (src/main.ts in its own process): its own log lines reach GET /api/logs/stream, and an open stream does not hold the stop. */
let testDb: TestDatabase;
const KEY = 'stream-key-0123456789abcdef0123456789';

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb?.drop());

it("streams the daemon's own log lines with curl -N semantics, and stops cleanly with a stream open", async () => {
  const port = await freePort();
  const daemon = startMain({
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: KEY,
    ENCRYPTION_KEY: 'ab'.repeat(32),
    PORT: String(port),
    HOST: '127.0.0.1',
    WORKER_CONCURRENCY: '0',
    SCHEDULER_ENABLED: 'false',
  });
  try {
    await daemon.running;
    const response = await fetch(`http://127.0.0.1:${port}/api/logs/stream?backlog=50&activity=false`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(response.status).toBe(200);
    const events = sseReader(response);
    const running = JSON.parse((await events.next((e) => e.data.includes('ig-scout is running'))).data);
    expect(running).toMatchObject({ level: 'info', fields: { port } });
    await events.next((e) => e.data.includes(`web console: http://localhost:${port}/ui`));
    expect(events.seen.some((e) => e.data.includes(KEY))).toBe(false);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).toContain('shutdown complete');
  } finally {
    daemon.child.kill('SIGKILL');
  }
}, 60_000);
