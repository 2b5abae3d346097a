import { createRoute } from '@hono/zod-openapi';
import { importProxies } from '../../accounts/import.js';
import { createProxy, deleteProxy, getProxy, listProxies, proxySecretsForScrubbing, updateProxy } from '../../accounts/proxy-repository.js';
import { operationView, proxyView } from '../views-accounts.js';
import type { AppDeps } from '../context.js';
import { ApiError } from '../errors.js';
import {
  CreateProxyBody,
  DeleteProxyQuery,
  ImportProxiesBody,
  ImportResultSchema,
  PatchProxyBody,
  ProxyIdParam,
  ProxyListQuery,
  ProxyListSchema,
  ProxyOperationSchema,
  ProxySchema,
} from '../schemas-accounts.js';
import { body, conflict, createRouter, errors, json, notFound, page, security, store } from './route-kit.js';

const tags = ['proxies'];
const params = { params: ProxyIdParam };

const list = createRoute({
  method: 'get',
  path: '/api/proxies',
  tags,
  security,
  summary: 'List proxies with health, success rate and the account using each',
  request: { query: ProxyListQuery },
  responses: { 200: json(ProxyListSchema, 'A page of proxies'), ...errors },
});
const create = createRoute({
  method: 'post',
  path: '/api/proxies',
  tags,
  security,
  summary: 'Add a proxy (http or socks5; credentials stored encrypted)',
  request: body(CreateProxyBody, 'The proxy URL'),
  responses: { 201: json(ProxySchema, 'The new proxy'), ...errors, ...conflict('A proxy with this scheme, host and port exists') },
});
const importRoute = createRoute({
  method: 'post',
  path: '/api/proxies/import',
  tags,
  security,
  summary: 'Bulk import a proxy list (existing proxies are skipped)',
  request: body(ImportProxiesBody, 'The lines'),
  responses: { 200: json(ImportResultSchema, 'Counts, and each bad line with its number'), ...errors },
});
const get = createRoute({
  method: 'get',
  path: '/api/proxies/{id}',
  tags,
  security,
  summary: 'One proxy',
  request: params,
  responses: { 200: json(ProxySchema, 'The proxy'), ...notFound, ...errors },
});
const patch = createRoute({
  method: 'patch',
  path: '/api/proxies/{id}',
  tags,
  security,
  summary: 'Change the URL or status (active | disabled)',
  request: { ...params, ...body(PatchProxyBody, 'Fields to change') },
  responses: {
    200: json(ProxySchema, 'The proxy after the change'),
    ...notFound,
    ...errors,
    ...conflict('Another proxy has this address'),
  },
});
const remove = createRoute({
  method: 'delete',
  path: '/api/proxies/{id}',
  tags,
  security,
  summary: 'Delete a proxy (refused while an account uses it, unless ?force=true)',
  request: { ...params, query: DeleteProxyQuery },
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors, ...conflict('An account uses the proxy') },
});
const check = createRoute({
  method: 'post',
  path: '/api/proxies/{id}/check',
  tags,
  security,
  summary: 'Health-check the proxy now',
  request: params,
  responses: { 200: json(ProxyOperationSchema, 'What happened, and the proxy after it'), ...notFound, ...errors },
});

export function proxyRoutes(deps: AppDeps) {
  const app = createRouter();
  const { db, secretBox: box } = deps;
  const view = async (id: number) => {
    const row = await getProxy(db, box, id);
    if (!row) throw new ApiError(404, `proxy ${id} does not exist`);
    return proxyView(row);
  };

  app.openapi(list, async (c) => {
    const { status, limit, offset } = c.req.valid('query');
    const found = await listProxies(db, box, { status, limit, offset });
    return c.json(page(found.items.map(proxyView), { limit, offset }, found.hasMore), 200);
  });

  app.openapi(create, async (c) => c.json(await view(await store(createProxy(db, box, c.req.valid('json').url))), 201));

  app.openapi(importRoute, async (c) => c.json(await importProxies(db, box, c.req.valid('json').text), 200));

  app.openapi(get, async (c) => c.json(await view(c.req.valid('param').id), 200));

  app.openapi(patch, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    await store(updateProxy(db, box, id, { proxy: input.url, status: input.status }));
    return c.json(await view(id), 200);
  });

  app.openapi(remove, async (c) => {
    await store(deleteProxy(db, c.req.valid('param').id, { force: c.req.valid('query').force === 'true' }));
    return c.body(null, 204);
  });

  app.openapi(check, async (c) => {
    const { id } = c.req.valid('param');
    await view(id); // 404 before asking the pool
    const result = await deps.accountOps.checkProxy(id);
    return c.json({ ...operationView(result, await proxySecretsForScrubbing(db, box, id)), proxy: await view(id) }, 200);
  });

  return app;
}
