import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Issue 17: 1,000 unauthenticated slow-header sockets were all held open until 65 s, and nothing capped how many
 * sockets a client could hold. Now headers must arrive within HTTP_HEADERS_TIMEOUT_MS and connections are capped.
 */
let testDb: TestDatabase;
let server: HttpServer | undefined;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 2 });
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close(500);
  server = undefined;
});
afterAll(async () => testDb.drop());

/** A socket that sends the start of a request and never finishes its headers; resolves with what it got when closed. */
function slowHeaders(port: number): { socket: net.Socket; closed: Promise<{ afterMs: number; text: string }> } {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Slow: '));
  sockets.push(socket);
  let text = '';
  socket.on('data', (chunk) => (text += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; text: string }>((resolve) =>
    socket.on('close', () => resolve({ afterMs: Date.now() - started, text })),
  );
  return { socket, closed };
}

/** A keep-alive connection that has had one answer (so the server has accepted it) and stays open. */
async function keptAlive(port: number): Promise<{ socket: net.Socket; closed: Promise<unknown> }> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise((resolve) => socket.on('close', resolve));
  await new Promise<void>((resolve) => {
    socket.once('connect', () => socket.write('GET /api/health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'));
    socket.once('data', () => resolve());
  });
  return { socket, closed };
}

describe('HTTP server limits', () => {
  it('answers a client too slow with its headers 408 and closes the socket within the headers timeout', async () => {
    server = await startHttpServer(createTestApp(testDb).app, { port: 0, host: '127.0.0.1', headersTimeoutMs: 1_000 });
    const slow = Array.from({ length: 20 }, () => slowHeaders(server!.port));
    const results = await Promise.all(slow.map((s) => s.closed));
    for (const result of results) {
      expect(result.text).toMatch(/^HTTP\/1\.1 408/);
      expect(result.afterMs).toBeLessThan(10_000); // Node's default would keep them 60 s and more
    }
  });

  it('closes connections past the cap at once, and serves again when they are gone', async () => {
    server = await startHttpServer(createTestApp(testDb).app, { port: 0, host: '127.0.0.1', headersTimeoutMs: 30_000, maxConnections: 5 });
    // Five keep-alive connections, each proven accepted by an answer, then held open.
    const held = await Promise.all(Array.from({ length: 5 }, () => keptAlive(server!.port)));
    const extra = slowHeaders(server.port);
    const refused = await extra.closed;
    expect(refused.text).toBe('');
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    const response = await fetch(`http://127.0.0.1:${server.port}/api/health/live`);
    expect(response.status).toBe(200);
  });
});
