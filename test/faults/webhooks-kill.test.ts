import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { waitFor } from '../../src/util/wait.js';
import { EXECUTIONS_TABLE_SQL } from '../fixtures/sleepy-tasks.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons, type WorkerProcess } from '../helpers/processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * kill -9 of a daemon while it delivers webhooks. 40 tasks complete in a real daemon process (the sleepy test
 * registry) with an endpoint subscribed to task.completed on a receiver that verifies every signature and answers
 * slowly, so several deliveries are in flight when the process is killed. A second process on the same database
 * must deliver every event, each under the one webhook-id it was given when written: a receiver that drops repeats
 * by webhook-id sees every event exactly once. Only what was in flight at the kill may come again, same id.
 */
const TASKS = 40;
const API_KEY = 'webhook-kill-test-key-0123456789abcdef';
const CONCURRENCY = 4;

let testDb: TestDatabase;
let receiver: WebhookReceiver;
const daemons = new Daemons();

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  await sql.raw(EXECUTIONS_TABLE_SQL).execute(testDb.db);
});
afterEach(() => daemons.killAll());
afterAll(async () => {
  await receiver?.close();
  await testDb.drop();
});

function env(name: string): Record<string, string> {
  return {
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: API_KEY,
    ENCRYPTION_KEY: 'ab'.repeat(32),
    WORKER_NAME: name,
    WORKER_CONCURRENCY: '4',
    TASK_LEASE_MS: '2000',
    QUEUE_POLL_INTERVAL_MS: '200',
    SCHEDULER_ENABLED: 'false',
    WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    WEBHOOK_POLL_INTERVAL_MS: '200',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_LEASE_MS: '1500',
    WEBHOOK_RETRY_BASE_MS: '100',
  };
}

async function api(worker: WorkerProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${worker.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('kill -9 of the daemon while it delivers webhooks', () => {
  it('delivers every event under one webhook-id; only what was in flight comes again, with the same id', async () => {
    // Each message's first attempt is answered after 300 ms, so a kill finds some unanswered.
    receiver = await startWebhookReceiver({ answer: (_, seenBefore) => (seenBefore === 0 ? { status: 200, delayMs: 300 } : 200) });
    const doomed = await daemons.start(env('doomed'));
    // The daemon knows its own address (PORT=0 here: the port it got): an endpoint pointing at it is refused.
    for (const url of [`http://127.0.0.1:${doomed.port}/api/tasks`, `http://localhost:${doomed.port}/`]) {
      const self = await api(doomed, 'POST', '/api/webhooks', { url, events: ['task.completed'] });
      expect(self.status, url).toBe(400);
      expect(self.body.error.message).toContain('this daemon itself');
    }
    expect((await api(doomed, 'GET', '/api/webhooks')).body.items).toEqual([]);
    const created = await api(doomed, 'POST', '/api/webhooks', { url: receiver.url, events: ['task.completed'] });
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);

    await enqueueTasks(
      testDb.db,
      Array.from({ length: TASKS }, (_, i) => ({ type: 'full_scrape', payload: { ms: 20, n: i } })),
      { maxAttempts: 3 },
    );
    await waitFor(() => receiver.received.length >= 12, { timeoutMs: 30_000, what: 'a dozen deliveries before the kill' });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const killedAt = Date.now();
    const inFlightAtKill = receiver.received.filter((r) => r.status === undefined).map((r) => r.id);
    expect(inFlightAtKill.length, 'the kill caught deliveries in flight').toBeGreaterThan(0);

    const survivor = await daemons.start(env('survivor'));
    await waitFor(
      async () => {
        const open = await sql<{ n: number }>`
          SELECT (SELECT count(*) FROM scrape_tasks WHERE status <> 'done')
               + (SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered') AS n`.execute(testDb.db);
        return Number(open.rows[0]!.n) === 0;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'every task done and every delivery delivered' },
    );
    expect(await testDb.db.selectFrom('webhook_deliveries').select('id').execute()).toHaveLength(TASKS);

    // Every message verified with the endpoint's secret by the reference package.
    expect(receiver.received.filter((r) => r.verifiedBy.length !== 1)).toEqual([]);
    // One id per event and one event per id: the receiver's dedupe by webhook-id sees each task's completion once.
    const idsOfTask = new Map<number, Set<string>>();
    const taskOfId = new Map<string, Set<number>>();
    for (const message of receiver.received) {
      expect(message.payload.type).toBe('task.completed');
      const task = Number(message.payload.data.task_id);
      idsOfTask.set(task, (idsOfTask.get(task) ?? new Set()).add(message.id));
      taskOfId.set(message.id, (taskOfId.get(message.id) ?? new Set()).add(task));
    }
    expect(idsOfTask.size).toBe(TASKS);
    expect([...idsOfTask.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect([...taskOfId.values()].filter((tasks) => tasks.size !== 1)).toEqual([]);
    // Repeats: only messages already sent before the kill (in flight, or answered but not yet recorded), at most one
    // batch of the dead process; nothing the survivor delivered came twice.
    const counts = new Map<string, number>();
    for (const message of receiver.received) counts.set(message.id, (counts.get(message.id) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const sentBeforeKill = new Set(receiver.received.filter((r) => r.at < killedAt).map((r) => r.id));
    expect(repeated.filter((id) => !sentBeforeKill.has(id))).toEqual([]);
    expect(repeated.length).toBeLessThanOrEqual(CONCURRENCY * 2);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    for (const id of inFlightAtKill) expect(counts.get(id), `in flight at the kill: ${id} came again`).toBe(2);

    // The delivery log says how it went for the ones cut short: two attempts, the second answered 200.
    const log = await api(survivor, 'GET', `/api/webhooks/${created.body.id}/deliveries?limit=100`);
    expect(log.body.items).toHaveLength(TASKS);
    for (const id of inFlightAtKill) {
      expect(log.body.items.find((d: { webhook_id: string }) => d.webhook_id === id)).toMatchObject({
        status: 'delivered',
        attempts: 2,
        last_status_code: 200,
      });
    }
  }, 180_000);

  it("wakes on the outbox's NOTIFY: a test event goes out at once, long before the next poll", async () => {
    const to = await startWebhookReceiver();
    try {
      const daemon = await daemons.start({ ...env('listener'), WEBHOOK_POLL_INTERVAL_MS: '600000' });
      const created = await api(daemon, 'POST', '/api/webhooks', { url: to.url, events: ['alert.raised'] });
      to.secrets.push(created.body.secret);
      const sent = await api(daemon, 'POST', `/api/webhooks/${created.body.id}/test`);
      expect(sent.status).toBe(202);
      await waitFor(() => to.received.length === 1, { timeoutMs: 20_000, what: 'the test event' });
      expect(to.received[0]).toMatchObject({ id: sent.body.webhook_id, verifiedBy: [0], payload: { type: 'webhook.test' } });
    } finally {
      await to.close();
    }
  }, 120_000);
});
