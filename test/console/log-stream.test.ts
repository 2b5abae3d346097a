import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { LogTail } from '../../src/observability/log-tail.js';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { sseReader } from '../helpers/sse.js';

/** GET /api/logs/stream over real HTTP, read as a curl -N or an EventSource would. */
let testDb: TestDatabase;
let server: HttpServer;
let base: string;
let logger: Logger;
let tail: LogTail;

beforeAll(async () => {
  testDb = await createTestDatabase();
  tail = new LogTail(50);
  // The daemon's arrangement (src/main.ts): a real pino root whose lines also go to the ring.
  logger = createLogger({
    level: 'debug',
    format: 'json',
    destination: new Writable({ write: (_c, _e, done) => done() }),
    tap: (line) => tail.push(line),
  });
  const { app } = createTestApp(testDb, { logger, logTail: tail, logStream: { pollMs: 50, heartbeatMs: 1000 } });
  server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.close(500);
  await testDb?.drop();
});

const open = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/logs/stream${query}`, { headers: { authorization: `Bearer ${TEST_API_KEY}`, ...headers } });

describe('GET /api/logs/stream', () => {
  it("streams a task's log lines as they are logged, and not those of task 420 when asked for 42", async () => {
    const response = await open('?task=42&backlog=0');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = sseReader(response);
    const runner = logger.child({ component: 'runner' });
    runner.child({ taskId: 420 }).info('page fetched for the other task');
    runner.child({ taskId: 42 }).info({ fetched: 25 }, 'page fetched');
    const event = await events.next((e) => e.event === 'log');
    const line = JSON.parse(event.data);
    expect(line).toMatchObject({ msg: 'page fetched', task_id: 42, level: 'info', component: 'runner' });
    expect(line.fields.fetched).toBe(25);
    expect(event.id).toMatch(/^\d+-\d+$/);
    expect(events.seen.some((e) => e.data.includes('other task'))).toBe(false);
    await events.close();
  });

  it('sends activity rows (Instagram calls) of the account asked for, and redacted lines only', async () => {
    const [account] = await testDb.db
      .insertInto('ig_accounts')
      .values({ username: 'stream_acc', password_encrypted: 'x', device_seed_encrypted: 'x' })
      .returning('id')
      .execute();
    const response = await open(`?account=stream_acc&backlog=0`);
    const events = sseReader(response);
    await testDb.db
      .insertInto('activity_log')
      .values({
        account_id: account!.id,
        kind: 'request',
        action: 'usernameinfo',
        outcome: 'rate_limited',
        http_status: 429,
        duration_ms: 120,
      })
      .execute();
    logger.info({ account: 'stream_acc', password: 'hunter2-secret' }, 'logged in');
    const activity = JSON.parse((await events.next((e) => e.event === 'activity')).data);
    expect(activity).toMatchObject({ action: 'usernameinfo', outcome: 'rate_limited', level: 'warn', account: { username: 'stream_acc' } });
    const log = await events.next((e) => e.event === 'log');
    expect(log.data).toContain('logged in');
    expect(log.data).not.toContain('hunter2-secret');
    await events.close();
  });

  it('resumes after Last-Event-ID with the lines logged while away, and nothing before', async () => {
    const first = sseReader(await open('?task=7&backlog=0&activity=false'));
    logger.child({ taskId: 7 }).info('before the break');
    const seen = await first.next((e) => e.event === 'log');
    await first.close();
    logger.child({ taskId: 7 }).info('while away');
    const again = sseReader(await open('?task=7&backlog=0&activity=false', { 'last-event-id': seen.id! }));
    const next = JSON.parse((await again.next((e) => e.event === 'log')).data);
    expect(next.msg).toBe('while away');
    expect(again.seen.some((e) => e.data.includes('before the break'))).toBe(false);
    await again.close();
  });

  it('says how many lines it no longer holds when a reader was away too long', async () => {
    const first = sseReader(await open('?task=8&backlog=0&activity=false'));
    logger.child({ taskId: 8 }).info('seen');
    const seen = await first.next((e) => e.event === 'log');
    await first.close();
    for (let i = 0; i < 60; i++) logger.child({ taskId: 8 }).info(`line ${i}`);
    const again = sseReader(await open('?task=8&activity=false', { 'last-event-id': seen.id! }));
    const gap = JSON.parse((await again.next()).data);
    expect(gap.missed_log_lines).toBeGreaterThan(0);
    const line = JSON.parse((await again.next((e) => e.event === 'log')).data);
    expect(line.msg).toBe('line 10'); // the ring holds the last 50 lines
    await again.close();
  });

  it('filters by level: warn and above', async () => {
    const events = sseReader(await open('?level=warn&backlog=0&activity=false'));
    logger.info('quiet info');
    logger.warn('loud warning');
    const line = JSON.parse((await events.next((e) => e.event === 'log')).data);
    expect(line.msg).toBe('loud warning');
    expect(events.seen.some((e) => e.data.includes('quiet info'))).toBe(false);
    await events.close();
  });

  it('opens with a backlog of recent lines when not resuming', async () => {
    logger.child({ taskId: 99 }).info('old news');
    const events = sseReader(await open('?task=99&backlog=5&activity=false'));
    expect(JSON.parse((await events.next((e) => e.event === 'log')).data).msg).toBe('old news');
    await events.close();
  });

  it('resumes in the middle of the backlog: a reader cut off after the first line gets the rest', async () => {
    for (const n of [1, 2, 3]) logger.child({ taskId: 77 }).info(`backlog ${n}`);
    const first = sseReader(await open('?task=77&backlog=10&activity=false'));
    const one = await first.next((e) => e.event === 'log');
    expect(JSON.parse(one.data).msg).toBe('backlog 1');
    await first.close();
    const again = sseReader(await open('?task=77&activity=false', { 'last-event-id': one.id! }));
    expect(JSON.parse((await again.next((e) => e.event === 'log')).data).msg).toBe('backlog 2');
    expect(JSON.parse((await again.next((e) => e.event === 'log')).data).msg).toBe('backlog 3');
    await again.close();
  });

  it('refuses bad input with a 4xx and no stream', async () => {
    expect((await open('?level=loud')).status).toBe(400);
    expect((await open('?task=abc')).status).toBe(400);
    expect((await open('', { 'last-event-id': 'yesterday' })).status).toBe(400);
    const unknown = await open('?account=nobody_here');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/nobody_here/);
    expect((await fetch(`${base}/api/logs/stream`)).status).toBe(401);
  });
});

describe('shutdown', () => {
  it('ends open streams once the daemon stops being ready, so they never hold the shutdown', async () => {
    let ready = true;
    const { app } = createTestApp(testDb, { logger, logTail: tail, ready: () => ready, logStream: { pollMs: 50, heartbeatMs: 1000 } });
    const own = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`http://127.0.0.1:${own.port}/api/logs/stream?backlog=0&activity=false`, {
        headers: { authorization: `Bearer ${TEST_API_KEY}` },
      });
      const events = sseReader(response);
      logger.info('still serving');
      await events.next((e) => e.data.includes('still serving'));
      ready = false; // what Daemon.stop() does first
      logger.info('wake the stream');
      await expect(events.next((e) => e.data.includes('never logged'))).rejects.toThrow(/stream ended/);
    } finally {
      await own.close(500);
    }
  });
});

describe('LogTail', () => {
  it('keeps only its capacity and counts what fell out', () => {
    const ring = new LogTail(3);
    for (let i = 1; i <= 5; i++) ring.push(JSON.stringify({ level: 30, msg: `m${i}`, time: new Date().toISOString() }));
    const { lines, missed } = ring.since(1);
    expect(lines.map((l) => l.msg)).toEqual(['m3', 'm4', 'm5']);
    expect(missed).toBe(1);
    expect(ring.since(4).lines.map((l) => l.msg)).toEqual(['m5']);
    ring.push('not json');
    expect(ring.lastSeq).toBe(5);
  });
});
