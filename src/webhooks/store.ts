import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { WebhookDeliveryStatus } from '../db/schema-webhooks.js';
import { TEST_EVENT_TYPE, type WebhookEventType } from './events.js';
import { newSigningSecret } from './signing.js';

/**
 * Webhook endpoints and their secrets: the one writer of webhook_endpoints and webhook_secrets. Secrets are sealed
 * before they reach SQL and returned in plain text only by create and rotate (once, as Standard Webhooks providers
 * do); the reads behind views select their dates, never their value.
 */

export interface EndpointInput {
  url: string;
  events: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

export interface SecretInfo {
  id: number;
  created_at: Date;
  retires_at: Date | null;
}

export interface EndpointRow {
  id: number;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
  secrets: SecretInfo[];
}

export async function createEndpoint(
  db: Kysely<Database>,
  box: SecretBox,
  input: EndpointInput,
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const secret = newSigningSecret();
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('webhook_endpoints')
      .values({ url: input.url, events: input.events, description: input.description ?? null, enabled: input.enabled ?? true })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('webhook_secrets')
      .values({ endpoint_id: row.id, secret: box.encrypt(secret) })
      .execute();
    return row.id;
  });
  return { endpoint: (await getEndpoint(db, id))!, secret };
}

export async function listEndpoints(db: Kysely<Database>): Promise<EndpointRow[]> {
  const rows = await db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute();
  return withSecretInfo(db, rows);
}

export async function getEndpoint(db: Kysely<Database>, id: number): Promise<EndpointRow | undefined> {
  const rows = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).execute();
  return (await withSecretInfo(db, rows))[0];
}

/** Live secrets only (a retired one is of no use to anyone): their dates, never their value. */
async function withSecretInfo(db: Kysely<Database>, rows: Omit<EndpointRow, 'secrets'>[]): Promise<EndpointRow[]> {
  if (rows.length === 0) return [];
  const secrets = await db
    .selectFrom('webhook_secrets')
    .select(['id', 'endpoint_id', 'created_at', 'retires_at'])
    .where(
      'endpoint_id',
      'in',
      rows.map((r) => r.id),
    )
    .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', sql<Date>`now()`)]))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    ...row,
    secrets: secrets.filter((s) => s.endpoint_id === row.id).map(({ id, created_at, retires_at }) => ({ id, created_at, retires_at })),
  }));
}

export async function updateEndpoint(
  db: Kysely<Database>,
  id: number,
  patch: { url?: string; events?: WebhookEventType[]; description?: string | null; enabled?: boolean },
): Promise<EndpointRow | undefined> {
  const updated = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.events !== undefined ? { events: patch.events } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return updated ? getEndpoint(db, id) : undefined;
}

/** Deletes the endpoint with its secrets and its deliveries (pending ones are not sent). */
export async function deleteEndpoint(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * A new secret signs from now on; the live ones keep signing (a second signature) for `graceMs`, so receivers can
 * switch without losing a message, then retire. Secrets retired for good are deleted here.
 */
export async function rotateSecret(
  db: Kysely<Database>,
  box: SecretBox,
  id: number,
  graceMs: number,
): Promise<{ secret: string; previousRetireAt: Date } | undefined> {
  const secret = newSigningSecret();
  return db.transaction().execute(async (trx) => {
    const endpoint = await trx.selectFrom('webhook_endpoints').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!endpoint) return undefined;
    const retireAt = sql<Date>`now() + ${graceMs} * interval '1 millisecond'`;
    await trx.deleteFrom('webhook_secrets').where('endpoint_id', '=', id).where('retires_at', '<=', sql<Date>`now()`).execute();
    await trx
      .updateTable('webhook_secrets')
      .set({ retires_at: sql`least(coalesce(retires_at, ${retireAt}), ${retireAt})` })
      .where('endpoint_id', '=', id)
      .execute();
    await trx
      .insertInto('webhook_secrets')
      .values({ endpoint_id: id, secret: box.encrypt(secret) })
      .execute();
    const { at } = await sql<{ at: Date }>`SELECT ${retireAt} AS at`.execute(trx).then((r) => r.rows[0]!);
    return { secret, previousRetireAt: at };
  });
}

/** The plain secrets that sign now, per endpoint (for the deliverer only). */
export async function signingSecrets(db: Kysely<Database>, box: SecretBox, endpointIds: readonly number[]): Promise<Map<number, string[]>> {
  const bySigner = new Map<number, string[]>();
  if (endpointIds.length === 0) return bySigner;
  const rows = await db
    .selectFrom('webhook_secrets')
    .select(['endpoint_id', 'secret'])
    .where('endpoint_id', 'in', [...endpointIds])
    .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', sql<Date>`now()`)]))
    .orderBy('id', 'desc') // the newest first: receivers that check only the first signature get the current one
    .execute();
  for (const row of rows) bySigner.set(row.endpoint_id, [...(bySigner.get(row.endpoint_id) ?? []), box.decrypt(row.secret)]);
  return bySigner;
}

/** "Send test event": a `webhook.test` event for this one endpoint, whatever its filter, through the outbox. */
export async function sendTestEvent(
  db: Kysely<Database>,
  endpointId: number,
): Promise<{ messageId: string; deliveryId: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    const endpoint = await trx.selectFrom('webhook_endpoints').select(['id', 'url']).where('id', '=', endpointId).executeTakeFirst();
    if (!endpoint) return undefined;
    const payload = {
      type: TEST_EVENT_TYPE,
      timestamp: new Date().toISOString(),
      data: { endpoint_id: endpoint.id, message: "A test event from ig-scout: the signature verifies with this endpoint's secret." },
    };
    const event = await trx
      .insertInto('webhook_events')
      .values({ event_type: TEST_EVENT_TYPE, payload: JSON.stringify(payload) })
      .returning(['id', 'message_id'])
      .executeTakeFirstOrThrow();
    const delivery = await trx
      .insertInto('webhook_deliveries')
      .values({ event_id: event.id, endpoint_id: endpoint.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`SELECT pg_notify('scrape_tasks', 'webhooks')`.execute(trx);
    return { messageId: event.message_id, deliveryId: delivery.id };
  });
}

export interface DeliveryRow {
  id: number;
  message_id: string;
  event_type: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

/** The delivery log of one endpoint, newest first, keyset-paged on id. */
export async function listDeliveries(
  db: Kysely<Database>,
  endpointId: number,
  options: { status?: WebhookDeliveryStatus; limit: number; beforeId?: number },
): Promise<{ items: DeliveryRow[]; hasMore: boolean }> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'e.message_id',
      'e.event_type',
      'd.status',
      'd.attempts',
      'd.next_attempt_at',
      'd.last_attempt_at',
      'd.last_status_code',
      'd.last_error',
      'd.delivered_at',
      'd.created_at',
    ])
    .where('d.endpoint_id', '=', endpointId);
  if (options.status) query = query.where('d.status', '=', options.status);
  if (options.beforeId !== undefined) query = query.where('d.id', '<', options.beforeId);
  const rows = await query
    .orderBy('d.id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return { items: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
