import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { finishList, startList, storeEdges, type AudienceUser } from '../../src/audience/store.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/** POST /api/tasks/followers and GET /api/blogs/{username}/mutuals over lists stored directly. */
let testDb: TestDatabase;
let api: ReturnType<typeof createTestApp>;

const user = (pk: number, username = `user${pk}`): AudienceUser => ({
  platformId: String(pk),
  username,
  fullName: null,
  isPrivate: false,
  isVerified: false,
  avatarUrl: null,
});

async function blogId(username: string): Promise<number> {
  const row = await testDb.db.insertInto('blogs').values({ username }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function storeList(blog: number, kind: 'followers' | 'following', taskId: number, pks: number[], complete = true) {
  const list = { blogId: blog, kind, taskId };
  await startList(testDb.db, list, pks.length);
  await storeEdges(
    testDb.db,
    list,
    pks.map((pk) => user(pk)),
  );
  await finishList(testDb.db, list, { fetched: pks.length, complete });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  api = createTestApp(testDb);
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, blogs, audience_edges, audience_lists RESTART IDENTITY CASCADE`.execute(testDb.db);
});

describe('POST /api/tasks/followers', () => {
  it('creates one live task per username and list; asking again returns it', async () => {
    const first = await api.call('POST', '/api/tasks/followers', { username: '@Caspin.RU', kind: 'followers', max: 2000 });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ created: 1, existing: 0 });
    expect(first.body.tasks[0]).toMatchObject({
      task_type: 'followers',
      status: 'pending',
      priority: 4,
      payload: { username: 'caspin.ru', kind: 'followers', max: 2000 },
    });
    expect(first.body.tasks[0].blog_id).toBeGreaterThan(0);

    const again = await api.call('POST', '/api/tasks/followers', { username: 'caspin.ru', max: 5 });
    expect(again.body).toMatchObject({ created: 0, existing: 1 });
    expect(again.body.tasks[0].id).toBe(first.body.tasks[0].id);

    const following = await api.call('POST', '/api/tasks/followers', { username: 'caspin.ru', kind: 'following' });
    expect(following.body).toMatchObject({ created: 1 });
    expect(following.body.tasks[0].payload).toEqual({ username: 'caspin.ru', kind: 'following', max: 10_000 }); // the default max
    expect(await testDb.db.selectFrom('blogs').select('username').execute()).toEqual([{ username: 'caspin.ru' }]);
  });

  it.each([
    [{ kind: 'followers' }, /username/],
    [{ username: 'bad..name' }, /not a valid Instagram username/],
    [{ username: 'a', kind: 'friends' }, /kind/],
    [{ username: 'a', max: 0 }, /max must be at least 1/],
    [{ username: 'a', max: 1.5 }, /max must be a whole number/],
    [{ username: 'a', max: 2_000_000 }, /max must be at most 1000000/],
    [{ username: 'a', priority: 11 }, /priority/],
    [{ username: 'a', cursor: 'x' }, /unknown field.*"cursor"/],
  ])('400 for %j', async (body, message) => {
    const res = await api.call('POST', '/api/tasks/followers', body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('401 without the key', async () => {
    const res = await api.call('POST', '/api/tasks/followers', { username: 'a' }, { authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
  });
});

describe('GET /api/blogs/{username}/mutuals', () => {
  it('404 for an unknown blog, naming the tasks to run', async () => {
    const res = await api.call('GET', '/api/blogs/nobody/mutuals');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('POST /api/tasks/followers {"username":"nobody","kind":"followers"}');
    expect(res.body.error.message).toContain('{"username":"nobody","kind":"following"}');
  });

  it('409 while a list is missing or still being fetched, saying which and by which task', async () => {
    const blog = await blogId('caspin.ru');
    await storeList(blog, 'followers', 7, [1, 2, 3]);
    const missing = await api.call('GET', '/api/blogs/caspin.ru/mutuals');
    expect(missing.status).toBe(409);
    expect(missing.body.error.code).toBe('conflict');
    expect(missing.body.error.message).toMatch(
      /the following list of caspin\.ru has not been fetched.*POST \/api\/tasks\/followers \{"username":"caspin\.ru","kind":"following"\}/,
    );

    const list = { blogId: blog, kind: 'following' as const, taskId: 8 };
    await startList(testDb.db, list, 1663);
    await testDb.db.updateTable('audience_lists').set({ fetched: 728 }).where('task_id', '=', 8).execute();
    const fetching = await api.call('GET', '/api/blogs/caspin.ru/mutuals');
    expect(fetching.status).toBe(409);
    expect(fetching.body.error.message).toMatch(/following list of caspin\.ru is being fetched by task 8 \(728 of 1663 so far\)/);
  });

  it('answers mutual follows, and who does not follow back, from complete lists; pages by username', async () => {
    const blog = await blogId('caspin.ru');
    await storeList(blog, 'followers', 7, [1, 2, 3, 4, 5]);
    await storeList(blog, 'following', 8, [4, 5, 6, 1]);
    const other = await blogId('other');
    await storeList(other, 'followers', 9, [6]);
    await storeList(other, 'following', 10, [6]);

    const res = await api.call('GET', '/api/blogs/caspin.ru/mutuals');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'caspin.ru', relation: 'mutual', total: 3, partial: false, has_more: false });
    expect(res.body.items.map((i: any) => i.platform_id)).toEqual(['1', '4', '5']);
    expect(res.body.items[0]).toEqual({
      platform_id: '1',
      username: 'user1',
      full_name: null,
      is_private: false,
      is_verified: false,
      avatar_url: null,
    });
    expect(res.body.followers).toMatchObject({ kind: 'followers', status: 'done', fetched: 5, complete: true, task_id: 7 });

    const fans = await api.call('GET', '/api/blogs/caspin.ru/mutuals?relation=followers_only');
    expect(fans.body.items.map((i: any) => i.platform_id)).toEqual(['2', '3']);
    const unrequited = await api.call('GET', '/api/blogs/caspin.ru/mutuals?relation=following_only');
    expect(unrequited.body.items.map((i: any) => i.platform_id)).toEqual(['6']);

    const page = await api.call('GET', '/api/blogs/caspin.ru/mutuals?limit=2&offset=1');
    expect(page.body.items.map((i: any) => i.platform_id)).toEqual(['4', '5']);
    expect(page.body).toMatchObject({ total: 3, has_more: false });
    expect((await api.call('GET', '/api/blogs/caspin.ru/mutuals?limit=2')).body.has_more).toBe(true);
    expect((await api.call('GET', '/api/blogs/caspin.ru/mutuals?relation=all')).status).toBe(400);
  });

  it('a complete re-fetch drops accounts no longer on the list; a fetch cut at max keeps them and says partial', async () => {
    const blog = await blogId('caspin.ru');
    await storeList(blog, 'followers', 7, [1, 2, 3]);
    await storeList(blog, 'following', 8, [1, 2, 3]);
    await storeList(blog, 'followers', 9, [1, 3]); // 2 unfollowed
    let res = await api.call('GET', '/api/blogs/caspin.ru/mutuals');
    expect(res.body.items.map((i: any) => i.platform_id)).toEqual(['1', '3']);

    await storeList(blog, 'following', 10, [1], false); // cut at max=1
    res = await api.call('GET', '/api/blogs/caspin.ru/mutuals');
    expect(res.body.partial).toBe(true);
    expect(res.body.items.map((i: any) => i.platform_id)).toEqual(['1', '3']);

    const detail = await api.call('GET', '/api/blogs/caspin.ru');
    expect(detail.body.audience.map((l: any) => [l.kind, l.fetched, l.complete])).toEqual([
      ['followers', 2, true],
      ['following', 1, false],
    ]);
  });
});
