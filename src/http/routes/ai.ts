import { createRoute } from '@hono/zod-openapi';
import { listBatches } from '../../ai/batch-query.js';
import { createCategory, deleteCategory, listCategories } from '../../ai/categories.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema } from '../errors.js';
import { BatchListQuery, BatchListSchema, CategoryIdParam, CategoryListSchema, CategorySchema, CreateCategoryBody } from '../schemas-ai.js';
import { body, createRouter, errors, json, page, security } from './route-kit.js';
import { batchView, categoryView } from '../views-ai.js';

const notFound = { 404: json(ErrorSchema, 'No such category') };

const batches = createRoute({
  method: 'get',
  path: '/api/batches',
  tags: ['ai'],
  security,
  summary: 'OpenAI batches, newest first: status, request count, input bytes, tokens, outcomes',
  request: { query: BatchListQuery },
  responses: { 200: json(BatchListSchema, 'A page of batches'), ...errors },
});

const categories = createRoute({
  method: 'get',
  path: '/api/categories',
  tags: ['ai'],
  security,
  summary: 'Topic categories offered to the model, with how many blogs each has',
  responses: { 200: json(CategoryListSchema, 'All categories, by name'), ...errors },
});

const create = createRoute({
  method: 'post',
  path: '/api/categories',
  tags: ['ai'],
  security,
  summary: 'Add a category (stored lower-case); offered from the next batch on',
  request: body(CreateCategoryBody, 'The name'),
  responses: { 201: json(CategorySchema, 'The new category'), ...errors, 409: json(ErrorSchema, 'A category with this name exists') },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/categories/{id}',
  tags: ['ai'],
  security,
  summary: 'Delete a category and its blog links',
  request: { params: CategoryIdParam },
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors },
});

export function aiRoutes(deps: AppDeps) {
  const app = createRouter();
  const { db } = deps;

  app.openapi(batches, async (c) => {
    const query = c.req.valid('query');
    const open = query.open === undefined ? undefined : query.open === 'true';
    const found = await listBatches(db, { status: query.status, open, limit: query.limit, offset: query.offset });
    return c.json(page(found.items.map(batchView), query, found.hasMore), 200);
  });
  app.openapi(categories, async (c) => c.json({ items: (await listCategories(db)).map(categoryView) }, 200));
  app.openapi(create, async (c) => {
    const created = await createCategory(db, c.req.valid('json').name);
    if (!created) throw new ApiError(409, `a category named ${JSON.stringify(c.req.valid('json').name.toLowerCase())} exists`);
    return c.json(categoryView(created), 201);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await deleteCategory(db, id))) throw new ApiError(404, `category ${id} does not exist`);
    return c.body(null, 204);
  });
  return app;
}
