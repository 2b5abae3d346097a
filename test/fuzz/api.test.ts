import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createTestApp, stubAccountOps, TEST_API_KEY, TEST_SECRET_BOX } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { checkProperty, errorShapeProblem } from './fuzz-kit.js';
import {
  badAuth,
  goodAuth,
  operationsOf,
  RequestFactory,
  type FuzzRequest,
  type OpenApiDocument,
  type Operation,
} from './openapi-requests.js';

/**
 * Property-based fuzzing of every route in the OpenAPI document (issue 8, "bad input"): bodies, path parameters,
 * query strings and headers, valid and broken, against the real app on a real Postgres. Properties:
 *   - no request gets a 5xx;
 *   - every 4xx is the one error shape `{error:{code,message}}` with a non-empty message;
 *   - without a valid key every non-public operation (and /metrics) answers 401, whatever else is wrong;
 *   - the same holds when writes race each other (each sent twice at once);
 *   - no path trick (dot segments, encoded slashes, case) reaches data without a key;
 *   - a password or proxy credential sent in a body never comes back in the answer;
 *   - after all of it, ordinary requests still work and the data is consistent.
 * Body size limits are fuzzed over real sockets in body-limit.test.ts; the pure parsers in parsers.test.ts.
 */

/** The routes anyone may call: they carry no data. Everything else needs the key. */
const PUBLIC = new Set(['GET /api/health', 'GET /api/health/live', 'GET /openapi.json', 'GET /docs']);
/**
 * Public too, but not data-free: Facebook Login sends the browser to the Graph callback without the key; its one-time
 * `state` is its guard. Without a key it must still never answer 401 nor succeed on a fuzzed request.
 */
const PUBLIC_GUARDED = new Set(['GET /api/graph/callback']);

/** Runs per operation: ~30 operations × (120 + 25) requests take ~15 s on 2 cores (FUZZ_RUNS scales them). */
const RUNS_VALID_KEY = 120;
const RUNS_BAD_KEY = 25;

// The document is read from an app built without a database: rendering /openapi.json touches none, and the list of
// operations must exist when vitest collects the tests (one test per operation, so a new route gets its own).
const docApp = createApp({
  db: undefined as never,
  logger: createLogger({ level: 'silent', format: 'json' }),
  apiKey: TEST_API_KEY,
  bodyLimitBytes: 1_000_000,
  maxAttempts: 3,
  isReady: () => true,
  version: 'fuzz',
  secretBox: TEST_SECRET_BOX,
  accountOps: stubAccountOps,
});
const doc = (await (await docApp.request('/openapi.json')).json()) as OpenApiDocument;
// Deletions last, so the seeded rows are still there while the other operations are fuzzed.
const operations = operationsOf(doc).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
const factory = new RequestFactory(doc);
const label = (op: Operation) => `${op.method} ${op.path}`;

let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb, { metrics: new Metrics(testDb.db) });
  await seed();
  const graphStatus = await api.call('GET', '/api/graph');
  expect(graphStatus.body.enabled, 'this suite runs with the Graph API source off').toBe(false);
  graphOffReason = graphStatus.body.reason;
  expect(graphOffReason).toMatch(/Graph API source/);
});
afterAll(async () => testDb?.drop());

/** A few rows of every kind, so that ids 1–6 and "natgeo" often hit something real and the handlers past the 404 run. */
async function seed() {
  const ok = (response: { status: number; text: string }) => {
    expect(response.status, response.text).toBeLessThan(300);
  };
  ok(await api.call('POST', '/api/tasks/scrape', { usernames: ['natgeo', 'nasa', 'a1', 'b_2', 'c.3'] }));
  ok(await api.call('POST', '/api/tasks/discover', { hashtag: 'food' }));
  ok(await api.call('POST', '/api/tasks/followers', { username: 'natgeo', kind: 'followers', max: 10 }));
  ok(await api.call('POST', '/api/proxies/import', { text: '1.2.3.4:8080\nsocks5://u:p@5.6.7.8:1080\n9.9.9.9:3128:user:pass' }));
  ok(
    await api.call('POST', '/api/accounts/import', {
      text: 'scout1:pw1\nscout2:pw2:http://u:p@10.0.0.1:8080\nscout3:pw3',
      assign_proxies: true,
    }),
  );
  ok(await api.call('POST', '/api/categories', { name: 'fuzz alpha' }));
  ok(await api.call('POST', '/api/categories', { name: 'fuzz beta' }));
  await sql`UPDATE blogs SET follower_count = 1000, er = 2.5, full_name = 'National Geographic', scrape_status = 'active' WHERE username = 'natgeo'`.execute(
    testDb.db,
  );
  // Activity for /api/logs and /api/stats to page through, across accounts, outcomes and days.
  await sql`
    INSERT INTO activity_log (account_id, proxy_id, task_id, kind, action, outcome, http_status, duration_ms, error, created_at)
    SELECT (SELECT min(id) FROM ig_accounts) + i % 3, NULL, 1 + i % 5, (ARRAY['request', 'login', 'status', 'proxy_check', 'validation'])[1 + i % 5],
           'users/web_profile_info', (ARRAY['ok', 'rate_limited', 'challenge', 'login_required'])[1 + i % 4], 200, 120, NULL,
           now() - make_interval(hours => i * 7)
      FROM generate_series(1, 40) i`.execute(testDb.db);
  // Both audience lists of natgeo fetched, so /mutuals answers pages instead of 409.
  await sql`
    INSERT INTO audience_lists (blog_id, kind, task_id, status, fetched, expected, complete, completed_at)
    SELECT id, kind, 1, 'done', 3, 3, true, now() FROM blogs, (VALUES ('followers'), ('following')) k(kind) WHERE username = 'natgeo'`.execute(
    testDb.db,
  );
  await sql`
    INSERT INTO audience_edges (blog_id, kind, platform_id, username, seen_by_task)
    SELECT b.id, e.kind, e.pk, e.username, 1 FROM blogs b,
      (VALUES ('followers', '1', 'fan_one'), ('followers', '2', 'fan_two'), ('following', '2', 'fan_two'), ('following', '3', 'idol')) e(kind, pk, username)
    WHERE b.username = 'natgeo'`.execute(testDb.db);
}

/** Status codes seen per operation; FUZZ_STATS=1 prints them, to see that the generators get past validation. */
const seen = new Map<string, Map<number, number>>();
afterAll(() => {
  if (!process.env.FUZZ_STATS) return;
  for (const [name, counts] of seen)
    console.log(name.padEnd(40), JSON.stringify(Object.fromEntries([...counts].sort(([a], [b]) => a - b))));
});

async function send(request: FuzzRequest, op?: Operation) {
  const init: RequestInit = { method: request.method, headers: request.headers };
  if (request.body !== undefined) init.body = request.body;
  const response = await api.app.request(request.url, init);
  // A valid Server-Sent Events answer never ends (GET /api/logs/stream): its status and headers are the answer to
  // judge, and the body is cancelled, which ends the stream as a client leaving does.
  const streaming = /^text\/event-stream/.test(response.headers.get('content-type') ?? '');
  if (streaming) await response.body?.cancel();
  const text = streaming ? '' : await response.text();
  if (op) {
    const counts = seen.get(label(op)) ?? new Map<number, number>();
    counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
    seen.set(label(op), counts);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  // A HEAD's 503 has no body to judge: it is judged by the body of the GET it mirrors (isDocumentedOff).
  if (request.method.toUpperCase() === 'HEAD' && response.status === 503) {
    const mirrored = await api.app.request(request.url, { ...init, method: 'GET' });
    if (mirrored.status === 503) body = await mirrored.json().catch(() => undefined);
    else await mirrored.body?.cancel();
  }
  return { status: response.status, text, body, headers: response.headers };
}

/** Short enough for an assertion message: huge generated bodies would bury the point. */
const show = (request: FuzzRequest) =>
  JSON.stringify({
    ...request,
    body: request.body && request.body.length > 300 ? `${request.body.slice(0, 300)}… (${request.body.length} chars)` : request.body,
  });

/**
 * The operations whose documented answers include 503 because a feature they need is off in this app (the Graph API
 * source: no GRAPH_* settings here), as regular expressions of their paths.
 */
const documented503 = operations
  .filter((op) => doc.paths[op.path]?.[op.method.toLowerCase()]?.responses?.['503'] !== undefined)
  .map((op) => ({ method: op.method, path: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
/** What GET /api/graph says when the source is off: the only 503 message accepted, and only where 503 is documented. */
let graphOffReason: string;

/**
 * A 503 is a server error, except the one a route documents for a feature that is off: same method, a documented
 * path, and the exact "off" reason in the error shape. Anything else, every 500 included, still fails.
 */
function isDocumentedOff(request: FuzzRequest, response: Awaited<ReturnType<typeof send>>): boolean {
  if (response.status !== 503) return false;
  const path = new URL(request.url, 'http://x').pathname;
  const method = request.method.toUpperCase() === 'HEAD' ? 'GET' : request.method.toUpperCase();
  if (!documented503.some((op) => op.method === method && op.path.test(path))) return false;
  return (response.body as { error?: { message?: unknown } } | undefined)?.error?.message === graphOffReason;
}

function expectWellFormed(request: FuzzRequest, response: Awaited<ReturnType<typeof send>>) {
  const where = `${show(request)} → ${response.status} ${response.text.slice(0, 500)}`;
  if (!isDocumentedOff(request, response)) expect(response.status, `5xx for ${where}`).toBeLessThan(500);
  if (response.status >= 400 && request.method !== 'HEAD') {
    expect(errorShapeProblem(response.body), `error shape for ${where}`).toBeUndefined();
    expect(response.headers.get('content-type'), `content type for ${where}`).toMatch(/^application\/json/);
  }
}

describe('the OpenAPI document', () => {
  it('lists the routes to fuzz, and marks exactly the public ones as needing no key', () => {
    expect(operations.length).toBeGreaterThan(20);
    const unsecured = operations.filter((op) => !op.secured).map(label);
    expect(
      unsecured.every((name) => PUBLIC.has(name) || PUBLIC_GUARDED.has(name)),
      `operations without security: ${unsecured.join(', ')}`,
    ).toBe(true);
    expect(unsecured).toContain('GET /api/graph/callback');
  });

  it('holds the Graph API routes (503 documented where the source is needed) and the live log stream', () => {
    const names = operations.map(label);
    expect(names.filter((name) => name.includes('/api/graph')).length).toBeGreaterThanOrEqual(13);
    expect(names).toContain('GET /api/logs/stream');
    const stream = doc.paths['/api/logs/stream']!.get as unknown as {
      parameters: { name: string; in: string }[];
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(stream.responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(stream.parameters.map((p) => `${p.in} ${p.name}`)).toEqual(
      expect.arrayContaining(['query task', 'query account', 'query level', 'header last-event-id']),
    );
    const with503 = operations
      .filter((op) => op.path.startsWith('/api/graph') && doc.paths[op.path]?.[op.method.toLowerCase()]?.responses?.['503'])
      .map(label);
    expect(with503.sort()).toEqual(
      [
        'GET /api/graph/connect',
        'GET /api/graph/callback',
        'GET /api/graph/connections',
        'GET /api/graph/connections/{id}/pages',
        'PUT /api/graph/connections/{id}/account',
        'POST /api/graph/connections/{id}/sync',
        'POST /api/graph/discovery',
      ].sort(),
    );
  });
});

describe('integer parameters', () => {
  const bounded = operations
    .filter((op) => op.method === 'GET')
    .flatMap((op) => op.parameters.filter((p) => p.in !== 'header' && p.schema.type === 'integer').map((p) => ({ op, p })));

  it('are documented with the bounds the API enforces, in the path and in the query', async () => {
    expect(bounded.filter(({ p }) => p.in === 'path').length).toBeGreaterThanOrEqual(3);
    expect(bounded.filter(({ p }) => p.in === 'query').length).toBeGreaterThan(10);
    for (const { op, p } of bounded) {
      const where = `${label(op)} ${p.in} ${p.name}`;
      const { minimum, maximum } = p.schema;
      expect(minimum, `${where}: minimum`).toBeTypeOf('number');
      expect(maximum, `${where}: maximum`).toBeTypeOf('number');
      const url = (value: number) => {
        const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (p.in === 'path' && name === p.name ? String(value) : '1'));
        return p.in === 'query' ? `${path}?${p.name}=${value}` : path;
      };
      const headers = { authorization: `Bearer ${TEST_API_KEY}` };
      for (const inside of [minimum!, maximum!]) {
        const response = await send({ method: 'GET', url: url(inside), headers });
        expect(response.status, `${where}=${inside}: ${response.text.slice(0, 200)}`).not.toBe(400);
      }
      for (const outside of [minimum! - 1, maximum! + 1]) {
        const response = await send({ method: 'GET', url: url(outside), headers });
        expect(response.status, `${where}=${outside}`).toBe(400);
        expect((response.body as { error: { message: string } }).error.message, where).toContain(p.in === 'path' ? 'id' : p.name);
      }
    }
  });
});

describe('with a valid key, any request gets a non-5xx answer, and every 4xx has the error shape', () => {
  it.each(operations.map((op) => [label(op), op] as const))('%s', async (name, op) => {
    await checkProperty(
      `valid key: ${name}`,
      fc.asyncProperty(factory.request(op, goodAuth(TEST_API_KEY)), async (request) => expectWellFormed(request, await send(request, op))),
      RUNS_VALID_KEY,
    );
  });

  it('a wrong method on a documented path is a 404 in the error shape, not a 5xx', async () => {
    const paths = [...new Set(operations.map((op) => factory.samplePath(op)))];
    const arb = fc.record({
      path: fc.constantFrom(...paths),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'M-SEARCH'),
    });
    await checkProperty(
      'wrong method',
      fc.asyncProperty(arb, async ({ path, method }) => {
        const request: FuzzRequest = { method, url: path, headers: { authorization: `Bearer ${TEST_API_KEY}` } };
        expectWellFormed(request, await send(request));
      }),
      40,
    );
  });
});

describe('concurrent requests', () => {
  // Races are where unique constraints fire (two creates of one username, two binds of one proxy): each copy of a
  // request is sent twice at once, next to others, and every answer must still be a non-5xx in the right shape.
  const writes = operations.filter((op) => op.method !== 'GET' && op.method !== 'HEAD');

  it('the same writes sent at the same time never produce a 5xx', async () => {
    const batch = fc.array(
      fc.constantFrom(...writes).chain((op) => factory.request(op, goodAuth(TEST_API_KEY))),
      { minLength: 1, maxLength: 4 },
    );
    await checkProperty(
      'concurrent writes',
      fc.asyncProperty(batch, async (requests) => {
        const doubled = requests.flatMap((r) => [r, r]);
        const responses = await Promise.all(doubled.map((r) => send(r)));
        responses.forEach((response, i) => expectWellFormed(doubled[i]!, response));
      }),
      150,
    );
  });
});

describe('without a valid key, every non-public route answers 401', () => {
  const secured = operations.filter((op) => !PUBLIC.has(label(op)) && !PUBLIC_GUARDED.has(label(op)));
  // /metrics is not in the document (it is Prometheus text), but it is behind the key like the API.
  const metrics: Operation = { method: 'GET', path: '/metrics', parameters: [], secured: true };

  it.each([...secured, metrics].map((op) => [label(op), op] as const))('%s', async (name, op) => {
    await checkProperty(
      `bad key: ${name}`,
      fc.asyncProperty(factory.request(op, badAuth(TEST_API_KEY)), async (request) => {
        const response = await send(request);
        const where = `${show(request)} → ${response.status} ${response.text.slice(0, 300)}`;
        expect(response.status, where).toBe(401);
        if (request.method !== 'HEAD') expect(errorShapeProblem(response.body), where).toBeUndefined();
        expect(response.headers.get('www-authenticate'), where).toMatch(/^Bearer /);
      }),
      RUNS_BAD_KEY,
    );
  });

  it('no path trick (dot segments, encoded slashes, case, doubled slashes, suffixes) reaches data without a key', async () => {
    const paths = [...new Set([...operations.map((op) => factory.samplePath(op)), '/metrics'])];
    const tricks: ((path: string) => string)[] = [
      (p) => `/api/health/..${p.slice(4)}`,
      (p) => `/api/health/%2e%2e${p.slice(4)}`,
      (p) => `/api/health%2F..${p.slice(4)}`,
      (p) => `/api/health/live/../..${p.slice(4)}`,
      (p) => `/${p}`,
      (p) => p.replace('/api/', '/api//'),
      (p) => p.replace('/api/', '/api/./'),
      (p) => `${p}/`,
      (p) => `${p};x`,
      (p) => `${p}%00`,
      (p) => `${p}%2F`,
      (p) => `${p}?__proto__=1`,
      (p) => `${p}#/api/health`,
      (p) => p.toUpperCase(),
      (p) => p.replace('/api/', '/%61pi/'),
      (p) => p.replace('/api/', '/api%2F'),
      (p) => `/api/healthz${p.slice(4)}`,
      (p) => `/api/health${p}`,
      (p) => p.replace(/\//g, '\\'),
    ];
    await checkProperty(
      'path tricks without a key',
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.constantFrom(...tricks),
        fc.constantFrom('GET', 'POST', 'HEAD'),
        badAuth(TEST_API_KEY),
        async (path, trick, method, headers) => {
          const url = trick(path);
          const response = await send({ method, url, headers });
          const where = `${method} ${url} → ${response.status} ${response.text.slice(0, 200)}`;
          expect(response.status, where).toBeLessThan(500);
          // A success is only acceptable when the URL, as the server resolved it (dot segments, then percent-decoding
          // of unreserved characters like Hono's router), is a public route.
          const resolved = new URL(url, 'http://x').pathname;
          let decoded = resolved;
          try {
            decoded = decodeURI(resolved);
          } catch {
            // Not decodable: compared as is.
          }
          if (response.status < 300) expect(PUBLIC.has(`${method === 'HEAD' ? 'GET' : method} ${decoded}`), where).toBe(true);
        },
      ),
      400,
    );
  });

  it('the public routes answer without a key', async () => {
    for (const name of PUBLIC) {
      const [method, path] = name.split(' ') as [string, string];
      const response = await send({ method, url: path, headers: {} });
      expect(response.status, name).toBe(200);
    }
    for (const name of PUBLIC_GUARDED) {
      const [method, path] = name.split(' ') as [string, string];
      const response = await send({ method, url: path, headers: {} });
      expect(response.status, name).not.toBe(401);
      expect(response.status, name).toBeGreaterThanOrEqual(400);
      expect(errorShapeProblem(response.body), name).toBeUndefined();
    }
  });

  it('the valid key opens /metrics (so the 401s above are about the key, not a broken route)', async () => {
    const response = await api.call('GET', '/metrics');
    expect(response.status).toBe(200);
  });
});

describe('secrets in a body never come back', () => {
  // Every operation whose body has a field that may carry a password or a proxy credential.
  const SECRET_FIELDS = ['password', 'url', 'text'];
  const carriers = operations.filter((op) => {
    return op.body !== undefined && factory.keysOf(op.body.schema).some((key) => SECRET_FIELDS.includes(key));
  });
  // Random, recognisable, and long enough not to occur by chance in an answer.
  const secret = fc.stringMatching(/^[A-Za-z0-9]{6,16}$/).map((s) => `Zq9${s}`);
  const badUsername = fc.constantFrom('scout1', 'bad..name', 'x'.repeat(31), '', 'ok_user');
  const host = fc.constantFrom('1.2.3.4:8080', 'h:99999', 'bad host:1', '[::1]:80', 'h:1/path');

  it('lists the operations that take secrets', () => {
    expect(carriers.map(label).sort()).toEqual(
      [
        'PATCH /api/accounts/{id}',
        'PATCH /api/proxies/{id}',
        'POST /api/accounts',
        'POST /api/accounts/import',
        'POST /api/proxies',
        'POST /api/proxies/import',
        'POST /api/webhooks',
        'PATCH /api/webhooks/{id}',
      ].sort(),
    );
  });

  it.each(carriers.map((op) => [label(op), op] as const))('%s', async (name, op) => {
    const bodyArb = fc
      .record({
        user: badUsername,
        pass: secret,
        proxyUser: fc.constantFrom('u', 'user', ''),
        host,
        sep: fc.constantFrom('\n', '\r\n'),
        extra: fc.boolean(),
      })
      .map((v) => {
        const proxy = `http://${v.proxyUser}${v.proxyUser ? ':' : ''}${v.pass}@${v.host}`;
        const password = v.extra ? `${v.pass}\n` : v.pass;
        const text = [
          `${v.user}:${password}`,
          `${v.user}:${v.pass}:${proxy}`,
          `${v.host}:${v.proxyUser}:${v.pass}`,
          `${v.proxyUser}:${v.pass}@${v.host}`,
          proxy,
        ].join(v.sep);
        return { pass: v.pass, body: { username: v.user, password, url: proxy, text } };
      });
    await checkProperty(
      `secrets: ${name}`,
      fc.asyncProperty(bodyArb, fc.constantFrom('1', '2', '3', '999'), async ({ pass, body }, id) => {
        const keys = factory.keysOf(op.body!.schema);
        const sent = Object.fromEntries(Object.entries(body).filter(([key]) => keys.includes(key)));
        const request: FuzzRequest = {
          method: op.method,
          url: op.path.replace('{id}', id),
          headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(sent),
        };
        const response = await send(request);
        expectWellFormed(request, response);
        expect(response.text.includes(pass), `${show(request)} echoed the secret: ${response.text.slice(0, 500)}`).toBe(false);
      }),
      25,
    );
  });
});

describe('bugs this fuzzing found, pinned as examples', () => {
  it.each([
    ['/api/blogs?q=%00', /q: must not contain control characters/],
    ['/api/blogs?category=a%00b', /category: must not contain control characters/],
    ['/api/logs?account=%00', /account: must not contain control characters/],
  ])('GET %s is a 400, not a Postgres "invalid byte sequence" 500', async (url, message) => {
    const response = await api.call('GET', url);
    expect(response.status, response.text).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('a proxy line with half a surrogate pair is a bad line, not a 500 (encodeURIComponent threw)', async () => {
    const response = await api.call('POST', '/api/proxies/import', '{"text":"10.9.8.7:3128:user:pa\\ud800ss"}');
    expect(response.status, response.text).toBe(200);
    expect(response.body.errors).toEqual([{ line: 1, message: expect.stringMatching(/broken Unicode character/) }]);
  });

  it('a password with half a surrogate pair is refused instead of being stored as U+FFFD', async () => {
    const response = await api.call('POST', '/api/accounts', '{"username":"surrogate_pw","password":"pa\\udfffss"}');
    expect(response.status, response.text).toBe(400);
    expect(response.body.error.message).toMatch(/password.*broken Unicode character/);
  });
});

describe('bounds of the strings that feed an index (issue 17)', () => {
  // The proxy label (scheme://host:port) is a unique index key; a host past DNS bounds used to fail the insert with
  // "index row size exceeds btree maximum" (500) and take the whole import down with it.
  const withinBounds = fc.constantFrom(`${'l'.repeat(63)}.example.com`, `${'h'.repeat(63)}.`.repeat(3) + 'h'.repeat(61));
  const pastBounds = fc.constantFrom(
    `${'l'.repeat(64)}.example.com`,
    `${'h'.repeat(63)}.`.repeat(3) + 'h'.repeat(62),
    `${'a'.repeat(60)}.`.repeat(47) + 'com',
  );

  it('an import fails exactly the lines whose host is past the bounds, and keeps the others', async () => {
    let batch = 0;
    await checkProperty(
      'bounded hosts in an import',
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            withinBounds.map((h) => ({ h, ok: true })),
            pastBounds.map((h) => ({ h, ok: false })),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (hosts) => {
          batch++;
          // A port of this run's own, so every line within bounds is new.
          const lines = hosts.map(({ h }, i) => `http://${h}:${10_000 + batch * 10 + i}`);
          const response = await api.call('POST', '/api/proxies/import', { text: lines.join('\n') });
          expect(response.status, response.text.slice(0, 300)).toBe(200);
          const expectedErrors = hosts.flatMap(({ ok }, i) => (ok ? [] : [i + 1]));
          expect(response.body.errors.map((e: { line: number }) => e.line)).toEqual(expectedErrors);
          expect(response.body.created).toBe(hosts.length - expectedErrors.length);
        },
      ),
      30,
    );
  });
});

describe('after the fuzzing', () => {
  it('ordinary requests still work and the data is consistent', async () => {
    const health = await api.call('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.database.ok).toBe(true);

    const scrape = await api.call('POST', '/api/tasks/scrape', { usernames: ['after_fuzz'] });
    expect(scrape.status).toBe(202);
    const id = scrape.body.tasks[0].id;
    const task = await api.call('GET', `/api/tasks/${id}`);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ id, status: 'pending', payload: { username: 'after_fuzz' } });

    for (const path of [
      '/api/tasks',
      '/api/blogs',
      '/api/accounts',
      '/api/proxies',
      '/api/logs',
      '/api/stats',
      '/api/batches',
      '/api/categories',
    ]) {
      const response = await api.call('GET', path);
      expect(response.status, `${path}: ${response.text.slice(0, 300)}`).toBe(200);
    }
    const blog = await api.call('GET', '/api/blogs/natgeo');
    expect(blog.status).toBe(200);

    // Every stored account and proxy still decrypts with the key, i.e. no fuzzed write left a row the app cannot read.
    const accounts = await api.call('GET', '/api/accounts?limit=500');
    for (const account of accounts.body.items) expect((await api.call('GET', `/api/accounts/${account.id}`)).status).toBe(200);
    const proxies = await api.call('GET', '/api/proxies?limit=500');
    for (const proxy of proxies.body.items) expect((await api.call('GET', `/api/proxies/${proxy.id}`)).status).toBe(200);
  });
});
