import { createRoute } from '@hono/zod-openapi';
import { exportAudience, type AudienceSelection } from '../../audience/export.js';
import { listsReadiness, relationPage, type ListsReadiness } from '../../audience/mutuals.js';
import { blogDetail, findBlog } from '../../results/blog-detail.js';
import { exportBlogs } from '../../results/blog-export.js';
import { listBlogs } from '../../results/blog-list.js';
import { AUDIENCE_EXPORT_COLUMNS, BLOG_EXPORT_COLUMNS } from '../../results/export-columns.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema } from '../errors.js';
import { exportResponse } from '../export-stream.js';
import {
  AudienceExportQuery,
  BlogDetailQuery,
  BlogExportQuery,
  blogFilterOf,
  blogFiltersOf,
  BlogDetailSchema,
  BlogListQuery,
  BlogListSchema,
  MutualsQuery,
  MutualsSchema,
  UsernameParam,
  RelationQuery,
} from '../schemas-blogs.js';
import { audienceAccountView, blogDetailView, blogRowView, listStateView } from '../views-blogs.js';
import { createRouter, errors, json, page, security } from './route-kit.js';

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
  description: 'A leading @ is accepted. A blog named "export" is GET /api/blogs/@export: /api/blogs/export is the streamed export.',
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

/** A streamed file: its media types in the OpenAPI document, the body described in words (it is not one JSON). */
const exported = (description: string) => ({
  content: {
    'text/csv': {
      schema: {
        type: 'string' as const,
        description: "UTF-8 with BOM; a header row; text cells starting with = + - @ are prefixed with '",
      },
    },
    'application/x-ndjson': {
      schema: { type: 'string' as const, description: 'One JSON object per line, the same keys as the CSV header' },
    },
  },
  description,
});

const exportList = createRoute({
  method: 'get',
  path: '/api/blogs/export',
  summary: 'Every blog matching the filters of GET /api/blogs, streamed as CSV or NDJSON (keyset cursor, constant memory)',
  security,
  request: { query: BlogExportQuery },
  responses: { 200: exported('All matching blogs in id order'), ...errors },
});

const audienceExport = <Q extends typeof AudienceExportQuery | typeof RelationQuery>(path: string, summary: string, query: Q) =>
  createRoute({
    method: 'get',
    path,
    summary,
    security,
    request: { params: UsernameParam, query },
    responses: {
      200: exported('Every account of the list, by platform id'),
      404: json(ErrorSchema, 'No such blog'),
      409: json(ErrorSchema, 'A list is missing or still being fetched; the message says which task to run or wait for'),
      ...errors,
    },
  });

const exportFollowers = audienceExport(
  '/api/blogs/{username}/followers/export',
  "A blog's fetched followers list in full, streamed",
  AudienceExportQuery,
);
const exportFollowing = audienceExport(
  '/api/blogs/{username}/following/export',
  "A blog's fetched following list in full, streamed",
  AudienceExportQuery,
);
const exportMutuals = audienceExport(
  '/api/blogs/{username}/mutuals/export',
  'Every account of a relation (mutual by default), streamed',
  RelationQuery,
);

export function blogRoutes(deps: AppDeps) {
  const app = createRouter();
  const batchSize = deps.exportBatchSize ?? 1000;

  // Registered before /api/blogs/{username}, which would otherwise take "export" for a username. A blog named
  // "export" (a valid username) is /api/blogs/@export, as the route's description says (test/http/blog-named-export.test.ts).
  app.openapi(exportList, async (c) => {
    const { format, ...filter } = c.req.valid('query');
    const rows = exportBlogs(deps.db, blogFiltersOf(filter), batchSize);
    return exportResponse(rows, BLOG_EXPORT_COLUMNS, format, 'blogs');
  });

  for (const [route, list] of [
    [exportFollowers, 'followers'],
    [exportFollowing, 'following'],
  ] as const) {
    app.openapi(route, async (c) => {
      const { username } = c.req.valid('param');
      const { format } = c.req.valid('query');
      const blog = await findBlog(deps.db, username);
      if (!blog) throw new ApiError(404, `no blog "${username}" is known; ${howToFetch(username, [list])}`);
      const readiness = await listsReadiness(deps.db, blog.id);
      if (!readiness.ready) {
        const notDone = {
          ...readiness,
          missing: readiness.missing.filter((k) => k === list),
          fetching: readiness.fetching.filter((l) => l.kind === list),
        };
        if (notDone.missing.length > 0 || notDone.fetching.length > 0)
          throw new ApiError(409, notReadyMessage(username, notDone, `the ${list} export needs that list`));
      }
      return audienceFile(blog.id, { list }, format, `${username}-${list}`);
    });
  }

  app.openapi(exportMutuals, async (c) => {
    const { username } = c.req.valid('param');
    const { format, relation } = c.req.valid('query');
    const blog = await findBlog(deps.db, username);
    if (!blog) throw new ApiError(404, `no blog "${username}" is known; ${howToFetch(username, ['followers', 'following'])}`);
    const readiness = await listsReadiness(deps.db, blog.id);
    if (!readiness.ready) throw new ApiError(409, notReadyMessage(username, readiness));
    return audienceFile(blog.id, { relation }, format, `${username}-${relation}`);
  });

  const audienceFile = (blogId: number, selection: AudienceSelection, format: 'csv' | 'ndjson', name: string) =>
    exportResponse(exportAudience(deps.db, blogId, selection, batchSize), AUDIENCE_EXPORT_COLUMNS, format, name);

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const found = await listBlogs(deps.db, blogFilterOf(q));
    return c.json(page(found.items.map(blogRowView), q, found.hasMore), 200);
  });

  app.openapi(get, async (c) => {
    const { username } = c.req.valid('param');
    const query = c.req.valid('query');
    const detail = await blogDetail(deps.db, username, {
      posts: query.posts_limit,
      snapshots: query.history_limit,
      growth: deps.growth?.settings,
      erBands: deps.growth?.erBands,
    });
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
    const found = await relationPage(deps.db, blog.id, query.relation, query);
    return c.json(
      {
        username,
        relation: query.relation,
        followers: listStateView(readiness.followers),
        following: listStateView(readiness.following),
        partial: !readiness.followers.complete || !readiness.following.complete,
        total: found.total,
        items: found.items.map(audienceAccountView),
        limit: query.limit,
        offset: query.offset,
        has_more: found.hasMore,
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

function notReadyMessage(
  username: string,
  readiness: Extract<ListsReadiness, { ready: false }>,
  needs = 'mutuals need both lists',
): string {
  const parts: string[] = [];
  if (readiness.missing.length > 0)
    parts.push(
      `the ${readiness.missing.join(' and ')} list of ${username} has not been fetched; ${howToFetch(username, readiness.missing)}`,
    );
  for (const list of readiness.fetching) {
    const of = list.expected === null ? '' : ` of ${list.expected}`;
    parts.push(
      `the ${list.kind} list of ${username} is being fetched by task ${list.task_id} (${list.fetched}${of} so far); ask again when it is done`,
    );
  }
  return `${needs}: ${parts.join('; ')}`;
}
