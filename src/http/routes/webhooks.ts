import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { WebhookDeliveryStatus } from '../../db/schema-webhooks.js';
import type { WebhookEventType } from '../../webhooks/events.js';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
  type DeliveryRow,
  type EndpointRow,
} from '../../webhooks/store.js';
import { endpointUrlProblem } from '../../webhooks/url-guard.js';
import type { AppDeps } from '../context.js';
import { ApiError, ErrorSchema, validationHook } from '../errors.js';
import {
  CreateWebhookBody,
  DeliveryListQuery,
  DeliveryListSchema,
  PatchWebhookBody,
  RotatedSecretSchema,
  RotateSecretBody,
  TestEventSchema,
  WebhookCreatedSchema,
  WebhookIdParam,
  WebhookListSchema,
  WebhookSchema,
} from '../schemas-webhooks.js';
import { body, errors, json, security } from './route-kit.js';

/**
 * /api/webhooks: endpoints with their event filters, secret rotation, a test event and the delivery log
 * (src/webhooks/). A URL is judged here, where the daemon's own address is known: a refused one changes nothing.
 */
const tags = ['webhooks'];
const params = { params: WebhookIdParam };
const notFound = { 404: json(ErrorSchema, 'No such webhook endpoint') };

const list = createRoute({
  method: 'get',
  path: '/api/webhooks',
  tags,
  security,
  summary: 'List webhook endpoints (secrets are never listed)',
  responses: { 200: json(WebhookListSchema, 'Every endpoint'), ...errors },
});
const create = createRoute({
  method: 'post',
  path: '/api/webhooks',
  tags,
  security,
  summary: 'Add an endpoint; the answer holds its signing secret, shown this once (Standard Webhooks)',
  request: body(CreateWebhookBody, 'URL and events'),
  responses: { 201: json(WebhookCreatedSchema, 'The endpoint and its secret'), ...errors },
});
const get = createRoute({
  method: 'get',
  path: '/api/webhooks/{id}',
  tags,
  security,
  summary: 'One endpoint',
  request: params,
  responses: { 200: json(WebhookSchema, 'The endpoint'), ...notFound, ...errors },
});
const patch = createRoute({
  method: 'patch',
  path: '/api/webhooks/{id}',
  tags,
  security,
  summary: 'Change the URL, events, description or enabled',
  request: { ...params, ...body(PatchWebhookBody, 'Fields to change') },
  responses: { 200: json(WebhookSchema, 'The endpoint after the change'), ...notFound, ...errors },
});
const remove = createRoute({
  method: 'delete',
  path: '/api/webhooks/{id}',
  tags,
  security,
  summary: 'Delete an endpoint with its secrets and delivery log',
  request: params,
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors },
});
const rotate = createRoute({
  method: 'post',
  path: '/api/webhooks/{id}/rotate-secret',
  tags,
  security,
  summary: 'New signing secret; the previous ones keep signing (a second signature) for the grace period',
  request: { ...params, body: { content: { 'application/json': { schema: RotateSecretBody } }, required: false } },
  responses: { 200: json(RotatedSecretSchema, 'The new secret, shown this once'), ...notFound, ...errors },
});
const test = createRoute({
  method: 'post',
  path: '/api/webhooks/{id}/test',
  tags,
  security,
  summary: 'Send a webhook.test event to this endpoint (whatever its events), through the outbox like any other',
  request: params,
  responses: { 202: json(TestEventSchema, 'Queued; follow it in the delivery log'), ...notFound, ...errors },
});
const deliveries = createRoute({
  method: 'get',
  path: '/api/webhooks/{id}/deliveries',
  tags,
  security,
  summary: 'The delivery log: status, attempts, last response code',
  request: { ...params, query: DeliveryListQuery },
  responses: { 200: json(DeliveryListSchema, 'Deliveries, newest first'), ...notFound, ...errors },
});

export function webhookRoutes(deps: AppDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const { db, secretBox: box } = deps;
  const graceMs = deps.webhooks?.secretGraceMs ?? 24 * 3600_000;
  const checkUrl = (url: string) => {
    const problem = endpointUrlProblem(url, deps.webhooks?.self() ?? { port: undefined, hosts: new Set() });
    if (problem) throw new ApiError(400, `url: ${problem}`, [{ path: 'url', message: problem }]);
  };
  const found = <T>(row: T | undefined, id: number): T => {
    if (row === undefined) throw new ApiError(404, `webhook ${id} does not exist`);
    return row;
  };

  app.openapi(list, async (c) => c.json({ items: (await listEndpoints(db)).map(endpointView) }, 200));

  app.openapi(create, async (c) => {
    const input = c.req.valid('json');
    checkUrl(input.url);
    const { endpoint, secret } = await createEndpoint(db, box, { ...input, events: input.events as WebhookEventType[] });
    return c.json({ ...endpointView(endpoint), secret }, 201);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(endpointView(found(await getEndpoint(db, id), id)), 200);
  });

  app.openapi(patch, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    if (input.url !== undefined) checkUrl(input.url);
    const row = await updateEndpoint(db, id, { ...input, events: input.events as WebhookEventType[] | undefined });
    return c.json(endpointView(found(row, id)), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    found((await deleteEndpoint(db, id)) || undefined, id);
    return c.body(null, 204);
  });

  app.openapi(rotate, async (c) => {
    const { id } = c.req.valid('param');
    const input = (c.req.valid('json') as { grace_seconds?: number } | undefined) ?? {};
    const grace = input.grace_seconds !== undefined ? input.grace_seconds * 1000 : graceMs;
    const rotated = found(await rotateSecret(db, box, id, grace), id);
    const endpoint = found(await getEndpoint(db, id), id);
    return c.json(
      { secret: rotated.secret, previous_secrets_retire_at: rotated.previousRetireAt.toISOString(), webhook: endpointView(endpoint) },
      200,
    );
  });

  app.openapi(test, async (c) => {
    const { id } = c.req.valid('param');
    const sent = found(await sendTestEvent(db, id), id);
    return c.json({ webhook_id: sent.messageId, delivery_id: sent.deliveryId }, 202);
  });

  app.openapi(deliveries, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    found(await getEndpoint(db, id), id);
    const page = await listDeliveries(db, id, {
      status: query.status as WebhookDeliveryStatus | undefined,
      limit: query.limit,
      beforeId: query.before_id,
    });
    const items = page.items.map(deliveryView);
    return c.json({ items, has_more: page.hasMore, next_before_id: page.hasMore ? (items.at(-1)?.id ?? null) : null }, 200);
  });

  return app;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Field by field: the secrets' dates, never a value. */
function endpointView(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    secrets: row.secrets.map((s) => ({ id: s.id, created_at: s.created_at.toISOString(), retires_at: iso(s.retires_at) })),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    webhook_id: row.message_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    last_attempt_at: iso(row.last_attempt_at),
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    delivered_at: iso(row.delivered_at),
    created_at: row.created_at.toISOString(),
  };
}
