import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueTasks, type Enqueued } from '../../src/queue/enqueue.js';
import { createTestApp, TEST_API_KEY } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** The console's sign-in and CSRF rules over real HTTP semantics (app.request); the browser test drives the pages. */
let testDb: TestDatabase;
let app: ReturnType<typeof createTestApp>['app'];

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = createTestApp(testDb).app;
});
afterAll(async () => testDb.drop());

const cookieOf = (response: Response, name: string) => response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
const valueOf = (setCookie: string | undefined) => setCookie?.split(';')[0]!.split('=').slice(1).join('=');
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, fields: Record<string, string>, cookie?: string) =>
  app.request(path, {
    method: 'POST',
    body: form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  });

/** Signs in the way the browser does: GET the form (its token cookie), POST the key with the token. */
async function signIn(key = TEST_API_KEY) {
  const page = await app.request('/ui/sign-in');
  const token = valueOf(cookieOf(page, 'igs_signin'))!;
  const html = await page.text();
  expect(html).toContain(`value="${token}"`);
  return post('/ui/sign-in', { _csrf: token, key }, `igs_signin=${token}`);
}

async function csrfOf(cookie: string) {
  const html = await (await app.request('/ui/tasks', { headers: { cookie } })).text();
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
}

describe('console sign-in', () => {
  it('sends a request without the session cookie to the sign-in page, and refuses its POSTs', async () => {
    const page = await app.request('/ui');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/ui/sign-in');
    const action = await post('/ui/tasks/1/cancel', { _csrf: 'x' });
    expect(action.status).toBe(401);
  });

  it('turns the API key into an expiring HttpOnly SameSite=Strict cookie', async () => {
    const response = await signIn();
    expect(response.status).toBe(303);
    const cookie = cookieOf(response, 'igs_session')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toContain(TEST_API_KEY);
    const page = await app.request('/ui', { headers: { cookie: `igs_session=${valueOf(cookie)}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Creators</h1>');
  });

  it('refuses a wrong key with a message and no session', async () => {
    const response = await signIn('not-the-key');
    expect(response.status).toBe(401);
    expect(cookieOf(response, 'igs_session')).toBeUndefined();
    expect(await response.text()).toContain('That is not the API key.');
  });

  it('refuses a sign-in POST without the form token (login CSRF)', async () => {
    const response = await post('/ui/sign-in', { key: TEST_API_KEY });
    expect(response.status).toBe(403);
    expect(cookieOf(response, 'igs_session')).toBeUndefined();
  });

  it('refuses a signed-in form POST without the CSRF token, and leaves the task alone', async () => {
    const [{ task }] = (await enqueueTasks(testDb.db, [{ type: 'full_scrape' }], { maxAttempts: 3 })) as [Enqueued];
    const cookie = `igs_session=${valueOf(cookieOf(await signIn(), 'igs_session'))}`;
    const refused = await post(`/ui/tasks/${task.id}/cancel`, {}, cookie);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/CSRF/);
    const wrong = await post(`/ui/tasks/${task.id}/cancel`, { _csrf: 'forged' }, cookie);
    expect(wrong.status).toBe(403);
    const row = await testDb.db.selectFrom('scrape_tasks').select('status').where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');

    const done = await post(`/ui/tasks/${task.id}/cancel`, { _csrf: await csrfOf(cookie) }, cookie);
    expect(done.status).toBe(303);
    const after = await testDb.db.selectFrom('scrape_tasks').select('status').where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('cancelled');
  });

  it('signs out: the old cookie no longer opens a page', async () => {
    const cookie = `igs_session=${valueOf(cookieOf(await signIn(), 'igs_session'))}`;
    const out = await post('/ui/sign-out', { _csrf: await csrfOf(cookie) }, cookie);
    expect(out.status).toBe(303);
    expect(cookieOf(out, 'igs_session')).toMatch(/Max-Age=0/);
    const page = await app.request('/ui', { headers: { cookie } });
    expect(page.headers.get('location')).toBe('/ui/sign-in');
  });

  it('keeps the JSON API on the bearer token: a console cookie does not open it', async () => {
    const cookie = `igs_session=${valueOf(cookieOf(await signIn(), 'igs_session'))}`;
    expect((await app.request('/api/tasks', { headers: { cookie } })).status).toBe(401);
    expect((await app.request('/api/tasks', { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).status).toBe(200);
  });
});
