import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { TaskRunner } from '../../src/queue/runner.js';
import { waitFor } from '../../src/util/wait.js';
import { EXECUTIONS_TABLE_SQL, sleepyRegistry } from '../fixtures/sleepy-tasks.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await sql.raw(EXECUTIONS_TABLE_SQL).execute(testDb.db);
});
afterAll(async () => testDb.drop());

type Family = {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }[];
};

describe('GET /metrics', () => {
  it('parses as Prometheus text and its counts agree with the database', async () => {
    const metrics = new Metrics(testDb.db);
    const runner = new TaskRunner({
      db: testDb.db,
      registry: sleepyRegistry('metrics'),
      logger: createLogger({ level: 'silent', format: 'json' }),
      observer: metrics.runnerObserver,
      options: { workerId: 'm', concurrency: 2, pollIntervalMs: 50, leaseMs: 10_000, backoffBaseMs: 300_000, backoffFactor: 3 },
    });
    await enqueueTasks(
      testDb.db,
      [...Array.from({ length: 5 }, () => ({ type: 'full_scrape' })), { type: 'discover', payload: { hashtag: 'x' } }],
      { maxAttempts: 1 },
    );
    runner.start();
    await waitFor(
      async () =>
        (await testDb.db.selectFrom('scrape_tasks').select('id').where('status', 'in', ['pending', 'running']).execute()).length === 0,
      {
        timeoutMs: 10_000,
        what: 'tasks finished',
      },
    );
    await runner.stop(0);
    await enqueueTasks(testDb.db, [{ type: 'full_scrape' }, { type: 'followers', runAt: new Date(Date.now() + 60_000) }], {
      maxAttempts: 1,
    });
    await testDb.db
      .insertInto('ig_accounts')
      .values({ username: 'acct1', password_encrypted: 'x', device_seed: 's', status: 'cooldown' })
      .execute();

    const api = createTestApp(testDb, { metrics });
    expect((await api.call('GET', '/metrics', undefined, { authorization: '' })).status).toBe(401);
    const response = await api.call('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const families = parsePrometheusTextFormat(response.text) as Family[];
    const family = (name: string) => families.find((f) => f.name === name)!;

    const tasks = family('igscout_tasks').metrics.map((m) => ({ ...m.labels, n: Number(m.value) }));
    const fromDb = await testDb.db
      .selectFrom('scrape_tasks')
      .select(['status', 'task_type', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['status', 'task_type'])
      .execute();
    expect(tasks.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      fromDb
        .map((r) => ({ status: r.status, task_type: r.task_type, n: Number(r.n) }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    expect(family('igscout_queue_depth').metrics).toEqual([{ labels: { task_type: 'full_scrape' }, value: '1' }]); // the future one is not due
    expect(family('igscout_accounts').metrics).toEqual([{ labels: { status: 'cooldown' }, value: '1' }]);
    // Histograms: read their _count series from the text (the parser keeps one series per labelled histogram).
    expect(response.text).toMatch(/^igscout_task_duration_seconds_count\{task_type="full_scrape",outcome="done"\} 5$/m);
    expect(response.text).toMatch(/^igscout_task_duration_seconds_count\{task_type="discover",outcome="failed"\} 1$/m);
    expect(Number(/^igscout_claim_duration_seconds_count (\d+)$/m.exec(response.text)?.[1])).toBeGreaterThan(0);
    expect(family('igscout_task_duration_seconds').type).toBe('HISTOGRAM');
    expect(family('igscout_nodejs_eventloop_lag_seconds')).toBeDefined();
  });
});
