import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded.js';
import { createLogger } from '../../src/logger.js';
import { sleep, waitFor } from '../../src/util/wait.js';
import type { WorkerProcess } from '../helpers/processes.js';
import { api, countByStatus, Daemons, daemonEnv, duplicatePosts, finished, isAlive, requestScrapes, status, tasks } from './helpers.js';

/**
 * Fault 2 — Postgres stopped mid-run. The test runs its own embedded Postgres (not the suite's shared one), stops the
 * server while a daemon process scrapes, keeps it down for FAULTS_PG_OUTAGE_MS (default 30 s), and starts it again on
 * the same port and data directory. The daemon must stay up (process alive, /api/health/live 200), say it is not
 * ready (/api/health 503) during the outage, be ready again afterwards and finish every task, none lost.
 */
const OUTAGE_MS = Number(process.env.FAULTS_PG_OUTAGE_MS ?? 30_000);
const SCRAPES = 80;
const DONE_BEFORE_OUTAGE = 20;
const LEASE_MS = 3_000;

const logger = createLogger({ level: 'warn', format: 'json' });
const pgSettings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };
let dataDir: string;
let postgres: EmbeddedPostgresHandle | undefined;
let db: DatabaseHandle;
let emulator: InstagramEmulator;
const daemons = new Daemons();

/** Starts the test's Postgres on `port` (0 = any free one) over the same data directory each time. */
async function startPostgres(port: number): Promise<EmbeddedPostgresHandle> {
  postgres = await startEmbeddedPostgres({ dataDir, port, logger, adoptRunning: true, database: 'igscout', settings: pgSettings });
  return postgres;
}

async function stopPostgres(): Promise<void> {
  const running = postgres;
  postgres = undefined;
  await running?.stop();
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'igscout-faults-pg-'));
  const pg = await startPostgres(0);
  // The test's own reads; the pool reconnects by itself once the server is back.
  db = openDatabase(pg.connectionString, { poolMax: 2, onPoolError: () => undefined });
  emulator = await startInstagramEmulator({ seed: 22, proxies: 6, world: { creators: SCRAPES + 5, accounts: 9 } });
}, 120_000);
afterAll(async () => {
  await daemons.killAll();
  await db?.close().catch(() => undefined);
  await emulator?.close();
  await stopPostgres();
  await rm(dataDir, { recursive: true, force: true });
});

const health = (worker: WorkerProcess) => status(`http://127.0.0.1:${worker.port}/api/health`);
const live = (worker: WorkerProcess) => status(`http://127.0.0.1:${worker.port}/api/health/live`);

describe('Postgres stopped mid-run', () => {
  it(`the daemon stays up, is not ready for the ${OUTAGE_MS} ms outage, then finishes every task`, async () => {
    const port = postgres!.port;
    const daemon = await daemons.start(
      daemonEnv(emulator, postgres!.connectionString, {
        WORKER_NAME: 'outage',
        WORKER_CONCURRENCY: '3',
        TASK_LEASE_MS: String(LEASE_MS),
        ACCOUNT_LEASE_MS: String(LEASE_MS),
        ACCOUNT_REQUESTS_PER_HOUR: '10000',
        // Slow enough that the outage falls in the middle of the run (80 scrapes take ~15 s without it).
        ACCOUNT_REQUEST_DELAY_MIN_MS: '60',
        ACCOUNT_REQUEST_DELAY_MAX_MS: '100',
      }),
    );
    const usernames = emulator.world.creators.slice(1, SCRAPES + 1).map((c) => c.username);
    await requestScrapes(daemon, usernames);
    await waitFor(async () => ((await countByStatus(db.db, 'full_scrape')).done ?? 0) >= DONE_BEFORE_OUTAGE, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: `${DONE_BEFORE_OUTAGE} scrapes done`,
    });
    expect(await health(daemon)).toBe(200);

    const doneBefore = (await countByStatus(db.db, 'full_scrape')).done ?? 0;
    await stopPostgres();
    const downAt = Date.now();
    // Readiness follows the database within its 2 s check.
    const seen: number[] = [];
    await waitFor(async () => seen[seen.push(await health(daemon)) - 1] === 503, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: '/api/health 503',
    }).catch((error: Error) => {
      throw new Error(`${error.message}; answers: ${seen.join(' ')}\n${daemon.output().slice(-3000)}`);
    });
    const notReadyAfterMs = Date.now() - downAt;

    // The deliberate outage: sample the daemon all along it.
    // Data routes answer 503 with Retry-After, never 500 (issue 17), reads and writes alike.
    const samples: Array<{ alive: boolean; live: number; health: number; read: number; write: number; retryAfter: string | null }> = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      const read = await api(daemon, '/api/tasks');
      const write = await api(daemon, '/api/tasks/scrape', { usernames: ['during.outage'] });
      samples.push({
        alive: isAlive(daemon),
        live: await live(daemon),
        health: await health(daemon),
        read: read.status,
        write: write.status,
        retryAfter: write.headers.get('retry-after'),
      });
      await sleep(Math.min(1_000, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    }
    expect(samples.length).toBeGreaterThan(0);
    expect(
      samples.filter((s) => !s.alive || s.live !== 200 || s.health !== 503 || s.read !== 503 || s.write !== 503 || !s.retryAfter),
    ).toEqual([]);

    await startPostgres(port);
    const upAt = Date.now();
    expect(postgres!.port).toBe(port);
    await waitFor(async () => (await health(daemon)) === 200, { timeoutMs: 30_000, intervalMs: 100, what: '/api/health 200 again' });
    const readyAfterMs = Date.now() - upAt;
    await waitFor(async () => ((await countByStatus(db.db, 'full_scrape')).done ?? 0) > doneBefore, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'a scrape done after the outage',
    });
    const resumedAfterMs = Date.now() - upAt;
    await waitFor(async () => (await tasks(db.db, ['full_scrape'])).every((t) => finished(t.status)), {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: 'every scrape finished',
    });
    const allDoneAfterMs = Date.now() - upAt;

    expect(isAlive(daemon)).toBe(true);
    expect(await live(daemon)).toBe(200);
    const end = await tasks(db.db, ['full_scrape']);
    expect(end).toHaveLength(SCRAPES);
    expect(end.filter((t) => t.status !== 'done').map((t) => ({ id: t.id, status: t.status, error: t.error_message }))).toEqual([]);
    for (const t of end) expect(['analyzing', 'private', 'deleted'], `task ${t.id}`).toContain(t.result?.['status']);
    expect(await duplicatePosts(db.db)).toEqual([]);
    const analysed = end.filter((t) => t.result?.['status'] === 'analyzing').length;
    expect((await tasks(db.db, ['ai_analysis'])).length).toBe(analysed);
    const retried = end.filter((t) => t.attempts > 1).length;
    expect(daemon.output()).toContain('idle database connection lost');

    console.info(
      `[faults] Postgres outage of ${OUTAGE_MS} ms: ${doneBefore}/${SCRAPES} done before it; /api/health 503 after ${notReadyAfterMs} ms, ` +
        `${samples.length} samples during it all alive + live 200 + health 503; ready ${readyAfterMs} ms after Postgres was back, ` +
        `first task done after ${resumedAfterMs} ms, all done after ${allDoneAfterMs} ms; ${retried} tasks needed a second attempt`,
    );
  }, 300_000);
});
