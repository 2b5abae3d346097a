import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * "export" is a valid Instagram username, and GET /api/blogs/export is the streamed export: that path can never show
 * the blog. Its detail is reached as /api/blogs/@export (the username parameter takes a leading @, as everywhere),
 * which is what the documentation and the command line use; its audience routes are a level deeper and unaffected.
 */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
  await testDb.db.insertInto('blogs').values({ username: 'export', scrape_status: 'active', follower_count: 4321 }).execute();
  await testDb.db.insertInto('blogs').values({ username: 'someone', scrape_status: 'active', follower_count: 10 }).execute();
});
afterAll(async () => testDb.drop());

describe('a blog named export', () => {
  it('/api/blogs/export is the export of every blog, not the blog', async () => {
    const response = await api.call('GET', '/api/blogs/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    expect(response.text).toContain('someone');
  });

  it('is shown at /api/blogs/@export', async () => {
    const response = await api.call('GET', '/api/blogs/@export');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ username: 'export', follower_count: 4321 });
  });

  it('its audience routes are its own', async () => {
    const response = await api.call('GET', '/api/blogs/export/mutuals');
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/list of export has not been fetched/);
  });

  it('the document says so', async () => {
    const doc = await api.call('GET', '/openapi.json', undefined, { authorization: '' });
    expect(doc.body.paths['/api/blogs/{username}'].get.description).toMatch(/\/api\/blogs\/@export/);
  });
});
