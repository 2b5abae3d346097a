import { createRoute } from '@hono/zod-openapi';
import { importAccounts } from '../../accounts/import.js';
import type { OperationResult } from '../../accounts/operations.js';
import {
  accountSecretsForScrubbing,
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  updateAccount,
} from '../../accounts/repository.js';
import { accountView, operationView } from '../views-accounts.js';
import type { AppDeps } from '../context.js';
import { ApiError } from '../errors.js';
import {
  AccountIdParam,
  AccountListQuery,
  AccountListSchema,
  AccountOperationSchema,
  AccountSchema,
  CreateAccountBody,
  ImportAccountsBody,
  ImportResultSchema,
  PatchAccountBody,
} from '../schemas-accounts.js';
import { body, conflict, createRouter, errors, json, notFound, page, security, store } from './route-kit.js';

const tags = ['accounts'];
const params = { params: AccountIdParam };

const list = createRoute({
  method: 'get',
  path: '/api/accounts',
  tags,
  security,
  summary: 'List Instagram accounts (filter by status)',
  request: { query: AccountListQuery },
  responses: { 200: json(AccountListSchema, 'A page of accounts'), ...errors },
});
const create = createRoute({
  method: 'post',
  path: '/api/accounts',
  tags,
  security,
  summary: 'Add an Instagram account (password stored encrypted)',
  request: body(CreateAccountBody, 'The account'),
  responses: {
    201: json(AccountSchema, 'The new account'),
    ...errors,
    ...conflict('Username exists, or the proxy is bound to another account'),
  },
});
const importRoute = createRoute({
  method: 'post',
  path: '/api/accounts/import',
  tags,
  security,
  summary: 'Bulk import username:password[:proxy-url] lines (idempotent)',
  request: body(ImportAccountsBody, 'The lines'),
  responses: { 200: json(ImportResultSchema, 'Counts, and each bad line with its number'), ...errors },
});
const get = createRoute({
  method: 'get',
  path: '/api/accounts/{id}',
  tags,
  security,
  summary: 'One account',
  request: params,
  responses: { 200: json(AccountSchema, 'The account'), ...notFound, ...errors },
});
const patch = createRoute({
  method: 'patch',
  path: '/api/accounts/{id}',
  tags,
  security,
  summary: 'Change password, proxy or status (active | disabled)',
  request: { ...params, ...body(PatchAccountBody, 'Fields to change') },
  responses: {
    200: json(AccountSchema, 'The account after the change'),
    ...notFound,
    ...errors,
    ...conflict('The proxy is bound to another account'),
  },
});
const remove = createRoute({
  method: 'delete',
  path: '/api/accounts/{id}',
  tags,
  security,
  summary: 'Delete an account (refused while a task uses it)',
  request: params,
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors, ...conflict('A task holds the account right now') },
});
const operation = (action: 'login' | 'check', summary: string) =>
  createRoute({
    method: 'post',
    path: `/api/accounts/{id}/${action}`,
    tags,
    security,
    summary,
    request: params,
    responses: {
      200: json(AccountOperationSchema, 'What happened (ok false with an outcome when it failed), and the account after it'),
      ...notFound,
      ...errors,
    },
  });
const login = operation('login', 'Log the account in now (stores a fresh session)');
const check = operation('check', 'Check that the stored session still works (a cheap authenticated call)');

export function accountRoutes(deps: AppDeps) {
  const app = createRouter();
  const { db, secretBox: box } = deps;
  const view = async (id: number) => {
    const row = await getAccount(db, box, id);
    if (!row) throw new ApiError(404, `account ${id} does not exist`);
    return accountView(row);
  };

  app.openapi(list, async (c) => {
    const { status, limit, offset } = c.req.valid('query');
    const found = await listAccounts(db, box, { status, limit, offset });
    return c.json(page(found.items.map(accountView), { limit, offset }, found.hasMore), 200);
  });

  app.openapi(create, async (c) => {
    const input = c.req.valid('json');
    const id = await store(createAccount(db, box, { username: input.username, password: input.password, proxyId: input.proxy_id }));
    return c.json(await view(id), 201);
  });

  app.openapi(importRoute, async (c) => {
    const input = c.req.valid('json');
    return c.json(await importAccounts(db, box, input.text, { assignProxies: input.assign_proxies }), 200);
  });

  app.openapi(get, async (c) => c.json(await view(c.req.valid('param').id), 200));

  app.openapi(patch, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    await store(updateAccount(db, box, id, { password: input.password, proxyId: input.proxy_id, status: input.status }));
    return c.json(await view(id), 200);
  });

  app.openapi(remove, async (c) => {
    await store(deleteAccount(db, c.req.valid('param').id));
    return c.body(null, 204);
  });

  const runOperation = async (id: number, run: (id: number) => Promise<OperationResult>) => {
    await view(id); // 404 before asking the pool
    const result = await run(id);
    return { ...operationView(result, await accountSecretsForScrubbing(db, box, id)), account: await view(id) };
  };
  app.openapi(login, async (c) => c.json(await runOperation(c.req.valid('param').id, (id) => deps.accountOps.login(id)), 200));
  app.openapi(check, async (c) => c.json(await runOperation(c.req.valid('param').id, (id) => deps.accountOps.check(id)), 200));

  return app;
}
