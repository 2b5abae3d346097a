import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_SECRET_BOX } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * /api/webhooks in-process on a real Postgres: the secret shown once and sealed at rest, bad input refused with a
 * 400 that changes nothing, rotation, the test event and the delivery log.
 */
const SELF_PORT = 8123;
let testDb: TestDatabase;
let call: ReturnType<typeof createTestApp>['call'];

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  ({ call } = createTestApp(testDb, {
    webhooks: { secretGraceMs: 3_600_000, self: () => ({ port: SELF_PORT, hosts: new Set(['10.1.2.3', 'scout-host']) }) },
  }));
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE webhook_endpoints, webhook_events RESTART IDENTITY CASCADE`.execute(testDb.db);
});

/** Everything stored about webhooks, to show a refused request changed nothing. */
async function stored() {
  const endpoints = await testDb.db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute();
  const secrets = await testDb.db.selectFrom('webhook_secrets').selectAll().orderBy('id').execute();
  return { endpoints, secrets };
}

const created = async (body: Record<string, unknown> = {}) => {
  const response = await call('POST', '/api/webhooks', { url: 'https://crm.example.com/hooks', events: ['task.completed'], ...body });
  expect(response.status).toBe(201);
  return response.body as { id: number; secret: string; secrets: { id: number }[] };
};

describe('/api/webhooks', () => {
  it('creates an endpoint and shows its secret once; the stored secret is sealed and never listed', async () => {
    const endpoint = await created({ events: ['task.completed', 'alert.raised'], description: 'CRM' });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({
      url: 'https://crm.example.com/hooks',
      events: ['task.completed', 'alert.raised'],
      enabled: true,
      description: 'CRM',
    });

    const [row] = (await stored()).secrets;
    expect(row!.secret).not.toContain(endpoint.secret.slice(6));
    expect(TEST_SECRET_BOX.decrypt(row!.secret)).toBe(endpoint.secret);

    const bodies = [
      await call('GET', '/api/webhooks'),
      await call('GET', `/api/webhooks/${endpoint.id}`),
      await call('PATCH', `/api/webhooks/${endpoint.id}`, { enabled: false }),
    ];
    for (const response of bodies) {
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(endpoint.secret.slice(6, 30));
      expect(response.text).not.toContain('"secret"');
    }
    expect(bodies[0]!.body.items).toHaveLength(1);
    expect(bodies[2]!.body.enabled).toBe(false);
  });

  it.each([
    ['a URL that is not http(s)', { url: 'ftp://files.example.com/in' }, 'http or https'],
    ['text that is no URL', { url: 'not a url' }, 'not a URL'],
    ['credentials in the URL', { url: 'https://user:pw@crm.example.com/hooks' }, 'credentials'],
    ['the daemon on loopback', { url: `http://127.0.0.1:${SELF_PORT}/api/tasks` }, 'this daemon itself'],
    ['the daemon as localhost', { url: `http://localhost:${SELF_PORT}/` }, 'this daemon itself'],
    ['the daemon on IPv6 loopback', { url: `http://[::1]:${SELF_PORT}/` }, 'this daemon itself'],
    ['the daemon by its machine name', { url: `http://scout-host:${SELF_PORT}/x` }, 'this daemon itself'],
    ['the daemon by an interface address', { url: `http://10.1.2.3:${SELF_PORT}/x` }, 'this daemon itself'],
    ['an unknown event', { events: ['task.completed', 'task.exploded'] }, 'unknown event "task.exploded"'],
    ['no events', { events: [] }, 'at least one event'],
    ['an event twice', { events: ['task.failed', 'task.failed'] }, 'twice'],
    ['an unknown field', { secret: 'whsec_mine' }, 'unknown field'],
  ])('refuses %s with a 400 that names it, storing nothing', async (_name, change, message) => {
    const existing = await created();
    const before = await stored();
    const response = await call('POST', '/api/webhooks', { url: 'https://crm.example.com/hooks', events: ['task.completed'], ...change });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
    expect(await stored()).toEqual(before);

    // The same input as a change to an existing endpoint is refused the same way, and the endpoint is as it was.
    if ('secret' in change) return;
    const patched = await call('PATCH', `/api/webhooks/${existing.id}`, change);
    expect(patched.status).toBe(400);
    expect(patched.body.error.message).toContain(message);
    expect(await stored()).toEqual(before);
  });

  it("accepts a receiver on this machine at another port, and the daemon's port on another host", async () => {
    await created({ url: `http://127.0.0.1:${SELF_PORT + 1}/hooks` });
    await created({ url: `https://hooks.example.com:${SELF_PORT}/hooks` });
    expect((await stored()).endpoints).toHaveLength(2);
  });

  it('rotates the secret: the new one is shown once, the old one keeps signing until its grace ends', async () => {
    const endpoint = await created();
    const rotated = await call('POST', `/api/webhooks/${endpoint.id}/rotate-secret`, { grace_seconds: 600 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    const retireAt = Date.parse(rotated.body.previous_secrets_retire_at);
    expect(retireAt - Date.now()).toBeGreaterThan(590_000);
    expect(retireAt - Date.now()).toBeLessThan(610_000);
    expect(rotated.body.webhook.secrets).toHaveLength(2);
    expect(rotated.body.webhook.secrets[0].retires_at).toBe(rotated.body.previous_secrets_retire_at);
    expect(rotated.body.webhook.secrets[1].retires_at).toBeNull();
    const sealed = (await stored()).secrets.map((s) => TEST_SECRET_BOX.decrypt(s.secret));
    expect(sealed).toEqual([endpoint.secret, rotated.body.secret]);

    // Without a body the configured grace applies; a grace of 0 retires the others at once.
    const again = await call('POST', `/api/webhooks/${endpoint.id}/rotate-secret`);
    expect(again.status).toBe(200);
    expect(Date.parse(again.body.previous_secrets_retire_at) - Date.now()).toBeGreaterThan(3_590_000);
    const now = await call('POST', `/api/webhooks/${endpoint.id}/rotate-secret`, { grace_seconds: 0 });
    expect(now.body.webhook.secrets).toHaveLength(1);
    expect((await call('POST', '/api/webhooks/999/rotate-secret')).status).toBe(404);
  });

  it('queues a test event for the one endpoint and shows it in the delivery log; delete takes both away', async () => {
    const endpoint = await created({ events: ['task.failed'] });
    const test = await call('POST', `/api/webhooks/${endpoint.id}/test`);
    expect(test.status).toBe(202);
    expect(test.body.webhook_id).toMatch(/^msg_[0-9a-f]{32}$/);

    const log = await call('GET', `/api/webhooks/${endpoint.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items).toEqual([
      expect.objectContaining({
        id: test.body.delivery_id,
        webhook_id: test.body.webhook_id,
        event_type: 'webhook.test',
        status: 'pending',
        attempts: 0,
        last_status_code: null,
      }),
    ]);
    expect((await call('GET', `/api/webhooks/${endpoint.id}/deliveries?status=delivered`)).body.items).toEqual([]);
    expect((await call('GET', `/api/webhooks/${endpoint.id}/deliveries?status=lost`)).status).toBe(400);

    expect((await call('DELETE', `/api/webhooks/${endpoint.id}`)).status).toBe(204);
    expect((await call('GET', `/api/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await call('GET', `/api/webhooks/${endpoint.id}/deliveries`)).status).toBe(404);
    expect((await call('DELETE', `/api/webhooks/${endpoint.id}`)).status).toBe(404);
    expect(await testDb.db.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
  });

  it('is documented in the OpenAPI document and needs the key', async () => {
    const doc = await call('GET', '/openapi.json');
    for (const path of [
      '/api/webhooks',
      '/api/webhooks/{id}',
      '/api/webhooks/{id}/rotate-secret',
      '/api/webhooks/{id}/test',
      '/api/webhooks/{id}/deliveries',
    ]) {
      expect(doc.body.paths[path], path).toBeDefined();
    }
    expect(doc.body.components.schemas.CreateWebhookRequest.properties.events.items.enum).toEqual([
      'task.completed',
      'task.failed',
      'blog.analyzed',
      'followers.completed',
      'alert.raised',
    ]);
    expect((await call('GET', '/api/webhooks', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
  });
});
