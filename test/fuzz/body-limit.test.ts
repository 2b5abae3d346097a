import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { checkProperty, errorShapeProblem } from './fuzz-kit.js';
import { operationsOf, type OpenApiDocument } from './openapi-requests.js';

/**
 * Oversized bodies, over a real socket: app.request() cannot lie about Content-Length or stream chunks the way a
 * client can, and Node's HTTP parser is part of what protects us. The claim under test (issue 8): a body over
 * HTTP_BODY_LIMIT_BYTES is refused with 413 *early* — before the client has sent it all — whether the size is
 * announced honestly, announced too high, or not announced at all (chunked); and a Content-Length that understates
 * the body never lets more than the limit into the app.
 */

const LIMIT = 4_096;
const RESPONSE_TIMEOUT_MS = 5_000;

let testDb: TestDatabase;
let server: HttpServer;
let bodyRoutes: string[];

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  const { app } = createTestApp(testDb, { bodyLimitBytes: LIMIT });
  server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  const doc = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  // Every operation that takes a body, with its path parameters filled in, so a new body route is covered too.
  bodyRoutes = operationsOf(doc)
    .filter((op) => op.body)
    .map((op) => `${op.method} ${op.path.replace(/\{[^}]+\}/g, '1')}`);
});
afterAll(async () => {
  await server?.close(1_000);
  await testDb?.drop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `head` and then `parts` and resolves with the first response, without
 * ever finishing the body unless `end` is set: a response that arrives anyway is, by construction, an early one.
 */
function rawExchange(head: string, parts: (string | Buffer)[], options: { end?: boolean } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response within ${RESPONSE_TIMEOUT_MS} ms to ${JSON.stringify(head.slice(0, 200))}`));
    }, RESPONSE_TIMEOUT_MS);
    const finish = (response: RawResponse) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    socket.on('error', (error) => {
      // The server may close on us once it has answered; only an error before any answer is a failure.
      const parsed = parseResponse(received);
      if (parsed) finish(parsed);
      else {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseResponse(received);
      if (parsed) finish(parsed);
    });
    socket.on('connect', () => {
      socket.write(head);
      for (const part of parts) if (!socket.destroyed) socket.write(part);
      if (options.end) socket.end();
    });
  });
}

/** The first complete HTTP/1.1 response in `data`, or undefined while it is still arriving. */
function parseResponse(data: Buffer): RawResponse | undefined {
  const text = data.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const rest = data.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1'));
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return undefined;
    return { status, headers, body: rest.subarray(0, length).toString('utf8') };
  }
  if (headers['transfer-encoding'] === 'chunked') {
    let body = '';
    let offset = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
      if (size === 0) return { status, headers, body };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body += rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8');
      offset = lineEnd + 2 + size + 2;
    }
  }
  return { status, headers, body: rest.toString('utf8') };
}

const head = (route: string, headers: Record<string, string | number>) => {
  const [method, path] = route.split(' ');
  const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
};

/** JSON-looking filler of exactly `size` bytes (multi-byte characters included, so bytes and characters differ). */
function filler(size: number): string {
  const open = '{"usernames":["';
  const close = '"]}';
  let room = size - Buffer.byteLength(open) - Buffer.byteLength(close);
  let middle = '';
  for (let i = 0; room > 0; i++) {
    const char = i % 7 === 3 && room >= 2 ? 'é' : 'a';
    middle += char;
    room -= Buffer.byteLength(char);
  }
  const body = `${open}${middle}${close}`;
  return size >= Buffer.byteLength(body) ? body : '{}'.slice(0, size);
}

/** Splits `text` into chunked transfer-encoding frames of the given sizes (the last frame takes the rest). */
function chunked(text: string, sizes: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const frames: Buffer[] = [];
  let offset = 0;
  for (const size of [...sizes, bytes.length]) {
    if (offset >= bytes.length) break;
    const part = bytes.subarray(offset, offset + Math.max(1, size));
    frames.push(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
    offset += part.length;
  }
  return frames;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function expect413(response: RawResponse, where: string) {
  expect(response.status, `${where} → ${response.status} ${response.body.slice(0, 200)}`).toBe(413);
  const parsed = parseJson(response.body);
  expect(errorShapeProblem(parsed), where).toBeUndefined();
  expect((parsed as { error: { code: string } }).error.code).toBe('payload_too_large');
}

const auth = fc.constantFrom<Record<string, string>>({ authorization: `Bearer ${TEST_API_KEY}` }, {}, { authorization: 'Bearer wrong' });
const overBy = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 }), fc.integer({ min: LIMIT, max: 4 * LIMIT }));

describe(`bodies over the limit (${LIMIT} bytes) are refused early with 413`, () => {
  it('an honest Content-Length over the limit: 413 before the body is sent', async () => {
    await checkProperty(
      'body limit: honest content-length',
      fc.asyncProperty(fc.constantFrom(...bodyRoutes), overBy, auth, async (route, over, headers) => {
        const size = LIMIT + over;
        // Only the first bytes go out; the answer must not wait for the rest.
        const response = await rawExchange(head(route, { ...headers, 'content-length': size }), [filler(size).slice(0, 100)]);
        expect413(response, `${route} content-length ${size}`);
      }),
      60,
    );
  });

  it('a Content-Length that claims more than is sent: 413 at once', async () => {
    await checkProperty(
      'body limit: content-length too high',
      fc.asyncProperty(
        fc.constantFrom(...bodyRoutes),
        overBy,
        fc.integer({ min: 0, max: 200 }),
        auth,
        async (route, over, sent, headers) => {
          const response = await rawExchange(
            head(route, { ...headers, 'content-length': LIMIT + over }),
            [filler(sent + 20).slice(0, sent)],
            { end: true },
          );
          expect413(response, `${route} content-length ${LIMIT + over}, ${sent} bytes sent`);
        },
      ),
      40,
    );
  });

  it('no Content-Length, chunked: 413 once the limit is passed, without the final chunk', async () => {
    await checkProperty(
      'body limit: chunked',
      fc.asyncProperty(
        fc.constantFrom(...bodyRoutes),
        overBy,
        fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 1, maxLength: 8 }),
        auth,
        async (route, over, sizes, headers) => {
          const frames = chunked(filler(LIMIT + over), sizes);
          const response = await rawExchange(head(route, { ...headers, 'transfer-encoding': 'chunked' }), frames);
          expect413(response, `${route} chunked ${LIMIT + over} bytes in ${frames.length} chunks`);
        },
      ),
      60,
    );
  });

  it('a Content-Length that understates the body: the app reads only that much, and never answers 2xx or 5xx', async () => {
    await checkProperty(
      'body limit: content-length too low',
      fc.asyncProperty(fc.constantFrom(...bodyRoutes), fc.integer({ min: 0, max: LIMIT }), overBy, async (route, claimed, over) => {
        const body = filler(LIMIT + over);
        const response = await rawExchange(head(route, { authorization: `Bearer ${TEST_API_KEY}`, 'content-length': claimed }), [body]);
        const where = `${route} content-length ${claimed}, ${LIMIT + over} bytes sent → ${response.status} ${response.body.slice(0, 200)}`;
        // The body the app sees is the first `claimed` bytes: cut JSON, so a refusal; the rest is Node's problem.
        expect(response.status, where).toBeGreaterThanOrEqual(400);
        expect(response.status, where).toBeLessThan(500);
        expect(response.status, where).not.toBe(413);
      }),
      40,
    );
  });

  it('Content-Length and Transfer-Encoding together, or a malformed Content-Length: refused, never a 5xx', async () => {
    const route = bodyRoutes[0]!;
    const cases: Record<string, string | number>[] = [
      { 'content-length': 10, 'transfer-encoding': 'chunked' },
      { 'content-length': -1 },
      { 'content-length': 'abc' },
      { 'content-length': `${LIMIT + 1}, ${LIMIT + 1}` },
      { 'content-length': '1e9' },
      { 'content-length': '99999999999999999999' },
      { 'transfer-encoding': 'gzip, chunked' },
      { 'transfer-encoding': 'identity' },
    ];
    for (const extra of cases) {
      const response = await rawExchange(
        head(route, { authorization: `Bearer ${TEST_API_KEY}`, ...extra }),
        [...chunked(filler(LIMIT + 10), [1000])],
        { end: true },
      );
      const where = `${JSON.stringify(extra)} → ${response.status} ${response.body.slice(0, 200)}`;
      expect(response.status, where).toBeGreaterThanOrEqual(400);
      expect(response.status, where).toBeLessThan(500);
      // Refused by Node's parser or by the app, the answer says why in the API's error shape.
      expect(errorShapeProblem(parseJson(response.body)), where).toBeUndefined();
    }
  });

  it('a request line or headers over 16 KB: 431 in the error shape, and the server goes on', async () => {
    const longQuery = `GET /api/blogs?q=${'a'.repeat(20_000)} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TEST_API_KEY}\r\n\r\n`;
    const longHeader = head('GET /api/tasks', { authorization: `Bearer ${TEST_API_KEY}`, 'x-padding': 'b'.repeat(20_000) });
    for (const [what, request] of [
      ['query string', longQuery],
      ['header', longHeader],
    ] as const) {
      const response = await rawExchange(request, []);
      expect(response.status, `${what}: ${response.body.slice(0, 200)}`).toBe(431);
      const body = parseJson(response.body) as { error: { code: string; message: string } };
      expect(errorShapeProblem(body), what).toBeUndefined();
      expect(body.error).toMatchObject({ code: 'headers_too_large', message: expect.stringContaining('16 KB') });
    }
    const ok = await rawExchange(head('GET /api/tasks?limit=1', { authorization: `Bearer ${TEST_API_KEY}` }), []);
    expect(ok.status, ok.body).toBe(200);
  });

  it('a client that sends its whole body before it reads still gets the 413, not a broken pipe (issue 17)', async () => {
    // Many clients (http.client, older urllib3, shell tools) write the whole request and only then read. The server
    // answers 413 early; closing the socket while such a client is still sending resets it, and the client reports
    // a broken pipe or a reset instead of the 413. The pace is the scenario: 2 MB over about a second, a slow uplink.
    const bodyBytes = 2_000_000;
    const piece = Buffer.alloc(64 * 1024, 'a');
    // allowHalfOpen: like a plain TCP client, it goes on sending after the server's FIN (Node's own would stop).
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let received = Buffer.alloc(0);
    let serverDone = false;
    socket.on('data', (chunk) => (received = Buffer.concat([received, chunk])));
    socket.on('end', () => (serverDone = true));
    const write = (data: string | Buffer) =>
      new Promise<void>((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
    let writeError: unknown;
    try {
      await write(head(bodyRoutes[0]!, { authorization: `Bearer ${TEST_API_KEY}`, 'content-length': bodyBytes }));
      for (let sent = 0; sent < bodyBytes; sent += piece.length) {
        await write(piece.subarray(0, Math.min(piece.length, bodyBytes - sent)));
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    } catch (error) {
      writeError = error;
    }
    const response = parseResponse(received);
    expect(writeError, `the upload failed after the 413 had been sent (${(writeError as Error | undefined)?.message})`).toBeUndefined();
    expect(response?.status).toBe(413);
    expect(response?.headers.connection).toBe('close'); // the server says it will close rather than leave the client guessing
    expect(serverDone).toBe(true); // and it did end its side, after the response
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end(); // the client is done too: the server lets the connection go
    await closed;
  });

  it('a body of exactly the limit is not refused for its size', async () => {
    for (const route of bodyRoutes) {
      const body = filler(LIMIT);
      const honest = await rawExchange(head(route, { authorization: `Bearer ${TEST_API_KEY}`, 'content-length': LIMIT }), [body]);
      expect(honest.status, `${route}: ${honest.body.slice(0, 200)}`).not.toBe(413);
      const streamed = await rawExchange(head(route, { authorization: `Bearer ${TEST_API_KEY}`, 'transfer-encoding': 'chunked' }), [
        ...chunked(body, [1000]),
        '0\r\n\r\n',
      ]);
      expect(streamed.status, `${route} chunked: ${streamed.body.slice(0, 200)}`).not.toBe(413);
    }
  });

  it('the server still answers normally afterwards', async () => {
    const body = JSON.stringify({ usernames: ['after_limits'] });
    const response = await rawExchange(
      head('POST /api/tasks/scrape', { authorization: `Bearer ${TEST_API_KEY}`, 'content-length': Buffer.byteLength(body) }),
      [body],
    );
    expect(response.status, response.body).toBe(202);
  });
});
