import { z } from '@hono/zod-openapi';
import { WEBHOOK_DELIVERY_STATUSES } from '../db/schema-webhooks.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/events.js';
import { idParam, positiveInt, queryInt, withoutControlCharacters } from './schemas.js';

/**
 * Schemas of /api/webhooks (also the OpenAPI document). No output schema has a field for a secret except the two
 * answers that hand out a new one (create, rotate): a secret is shown once, never listed.
 */

export const WebhookIdParam = idParam('webhook', 1);

const EventName = z
  .enum(WEBHOOK_EVENT_TYPES, {
    error: (issue) => `unknown event ${JSON.stringify(issue.input)}; the events are ${WEBHOOK_EVENT_TYPES.join(', ')}`,
  })
  .openapi({ description: 'An event an endpoint receives' });

const Events = z
  .array(EventName)
  .min(1, 'give at least one event')
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, { error: 'an event is listed twice' })
  .openapi({ example: ['task.completed', 'task.failed'] });

const Url = withoutControlCharacters(z.string().trim().min(1, "give the receiver's URL").max(2000)).openapi({
  description: 'http(s) URL of the receiver; not the daemon itself, no user:password@',
  example: 'https://crm.example.com/hooks/ig-scout',
});

const Description = withoutControlCharacters(z.string().trim().max(500)).nullable();

export const CreateWebhookBody = z
  .strictObject({ url: Url, events: Events, description: Description.optional(), enabled: z.boolean().default(true) })
  .openapi('CreateWebhookRequest');

export const PatchWebhookBody = z
  .strictObject({ url: Url.optional(), events: Events.optional(), description: Description.optional(), enabled: z.boolean().optional() })
  .refine((body) => Object.keys(body).length > 0, { error: 'give at least one of url, events, description, enabled' })
  .openapi('PatchWebhookRequest');

const DAY_SECONDS = 86_400;
export const RotateSecretBody = z
  .strictObject({
    grace_seconds: z
      .number()
      .int()
      .min(0)
      .max(30 * DAY_SECONDS)
      .optional()
      .openapi({ description: 'How long the previous secrets keep signing (WEBHOOK_SECRET_GRACE_MS when absent); 0 retires them now' }),
  })
  .openapi('RotateWebhookSecretRequest');

const Time = z.string().openapi({ format: 'date-time' });

const SecretInfoSchema = z.object({
  id: z.number().int(),
  created_at: Time,
  retires_at: Time.nullable().openapi({ description: 'When it stops signing (after a rotation); null while it is the current one' }),
});

export const WebhookSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    secrets: z.array(SecretInfoSchema).openapi({ description: 'The secrets signing now (dates only; the value is shown once)' }),
    created_at: Time,
    updated_at: Time,
  })
  .openapi('Webhook');

export const WebhookCreatedSchema = WebhookSchema.extend({
  secret: z.string().openapi({
    description: 'The signing secret (whsec_…): shown this once, store it now',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
}).openapi('WebhookCreated');

export const WebhookListSchema = z.object({ items: z.array(WebhookSchema) }).openapi('WebhookList');

export const RotatedSecretSchema = z
  .object({
    secret: z.string().openapi({ description: 'The new signing secret: shown this once' }),
    previous_secrets_retire_at: Time.openapi({ description: 'Until then every message carries the old signatures too' }),
    webhook: WebhookSchema,
  })
  .openapi('RotatedWebhookSecret');

export const TestEventSchema = z
  .object({
    webhook_id: z.string().openapi({ description: 'The webhook-id header the receiver will get', example: 'msg_3f2c…' }),
    delivery_id: z.number().int().openapi({ description: 'Its row in the delivery log' }),
  })
  .openapi('WebhookTestEvent');

export const DeliveryListQuery = z.strictObject({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES as [string, ...string[]]).optional(),
  limit: queryInt({ min: 1, max: 500, default: 50 }),
  before_id: positiveInt('before_id')
    .optional()
    .openapi({ description: 'Deliveries older than this id (next_before_id of the previous page)' }),
});

export const DeliverySchema = z
  .object({
    id: z.number().int(),
    webhook_id: z.string().openapi({ description: 'The webhook-id header: the same on every attempt' }),
    event_type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES as [string, ...string[]]),
    attempts: z.number().int(),
    next_attempt_at: Time.nullable().openapi({ description: 'When it is tried next (pending only)' }),
    last_attempt_at: Time.nullable(),
    last_status_code: z.number().int().nullable().openapi({ description: 'HTTP status of the last answer; null when none came' }),
    last_error: z.string().nullable(),
    delivered_at: Time.nullable(),
    created_at: Time,
  })
  .openapi('WebhookDelivery');

export const DeliveryListSchema = z
  .object({ items: z.array(DeliverySchema), has_more: z.boolean(), next_before_id: z.number().int().nullable() })
  .openapi('WebhookDeliveryList');
