import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { listsReadiness, relationPage, type ListsReadiness } from '../../audience/mutuals.js';
import { blogDetail, findBlog } from '../../results/blog-detail.js';
import { listBlogs } from '../../results/blog-list.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema, validationHook } from '../errors.js';
import { blogFilterOf, BlogDetailQuery, BlogDetailSchema, BlogListQuery, BlogListSchema, MutualsQuery, MutualsSchema, UsernameParam } from '../schemas-blogs.js';
import { audienceAccountView, blogDetailView, blogRowView, listStateView } from '../views-blogs.js';
import { errors, json, security } from './route-kit.js';

const list = createRoute({
  method: 'get',
  path: '/api/blogs',
  summary: 'Blogs found so far, filtered and sorted',
  security,
  request: { query: BlogListQuery },
  responses: { 200: json(BlogListSchema, 'A page of blogs'), ...errors },
});

const get = createRoute({
  method: 'get',
  path: '/api/blogs/{username}',
  summary: 'One blog: profile, metrics, posts, highlights, AI insights, categories, history, audience lists',
  security,
  request: { params: UsernameParam, query: BlogDetailQuery },
  responses: { 200: json(BlogDetailSchema, 'The blog'), 404: json(ErrorSchema, 'No such blog'), ...errors },
});

const mutuals = createRoute({
  method: 'get',
  path: '/api/blogs/{username}/mutuals',
  summary: 'Mutual follows of a blog (or who does not follow back), from its fetched follower and following lists',
  security,
  request: { params: UsernameParam, query: MutualsQuery },
  responses: {
    200: json(MutualsSchema, 'Accounts in the relation, by username'),
    404: json(ErrorSchema, 'No such blog'),
    409: json(ErrorSchema, 'A list is missing or still being fetched; the message says which task to run or wait for'),
    ...errors,
  },
});

export function blogRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const page = await listBlogs(deps.db, blogFilterOf(q));
    return c.json({ items: page.items.map(blogRowView), limit: q.limit, offset: q.offset, has_more: page.hasMore }, 200);
  });

  app.openapi(get, async (c) => {
    const { username } = c.req.valid('param');
    const query = c.req.valid('query');
    const detail = await blogDetail(deps.db, username, { posts: query.posts_limit, snapshots: query.history_limit });
    if (!detail) throw new ApiError(404, `no blog "${username}" is known; scrape it with POST /api/tasks/scrape`);
    return c.json(blogDetailView(detail), 200);
  });

  app.openapi(mutuals, async (c) => {
    const { username } = c.req.valid('param');
    const query = c.req.valid('query');
    const blog = await findBlog(deps.db, username);
    if (!blog) throw new ApiError(404, `no blog "${username}" is known; ${howToFetch(username, ['followers', 'following'])}`);
    const readiness = await listsReadiness(deps.db, blog.id);
    if (!readiness.ready) throw new ApiError(409, notReadyMessage(username, readiness));
    const page = await relationPage(deps.db, blog.id, query.relation, query);
    return c.json(
      {
        username,
        relation: query.relation,
        followers: listStateView(readiness.followers),
        following: listStateView(readiness.following),
        partial: !readiness.followers.complete || !readiness.following.complete,
        total: page.total,
        items: page.items.map(audienceAccountView),
        limit: query.limit,
        offset: query.offset,
        has_more: page.hasMore,
      },
      200,
    );
  });

  return app;
}

function howToFetch(username: string, kinds: string[]): string {
  const calls = kinds.map((kind) => `POST /api/tasks/followers {"username":"${username}","kind":"${kind}"}`);
  return `fetch ${kinds.length > 1 ? 'both lists' : `its ${kinds[0]} list`} first: ${calls.join(' and ')}`;
}

function notReadyMessage(username: string, readiness: Extract<ListsReadiness, { ready: false }>): string {
  const parts: string[] = [];
  if (readiness.missing.length > 0) parts.push(`the ${readiness.missing.join(' and ')} list of ${username} has not been fetched; ${howToFetch(username, readiness.missing)}`);
  for (const list of readiness.fetching) {
    const of = list.expected === null ? '' : ` of ${list.expected}`;
    parts.push(`the ${list.kind} list of ${username} is being fetched by task ${list.task_id} (${list.fetched}${of} so far); ask again when it is done`);
  }
  return `mutuals need both lists: ${parts.join('; ')}`;
}
