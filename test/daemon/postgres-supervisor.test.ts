import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { waitFor } from '../../src/util/wait.js';
import { startMain } from '../helpers/start-main.js';

/**
 * Issue 17: the zero-setup daemon supervises the Postgres it started. `kill -9` of the embedded postmaster used to
 * leave the database down for good: /api/health said 503 forever, /api/health/live 200 (so nothing restarted the
 * daemon), and data routes answered 500. Now the daemon restarts its Postgres (crash recovery), every data route
 * answers 503 with Retry-After meanwhile, and liveness fails when the restart cannot succeed.
 */
let dataDir: string;
let running: ReturnType<typeof startMain> | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'igscout-supervise-'));
});
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  running = undefined;
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

async function postmasterPid(): Promise<{ pid: number; port: number }> {
  const [pid, , , port] = (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
  return { pid: Number(pid), port: Number(port) };
}

/** The user the embedded Postgres runs as: `postgres` when the tests run as root, else ourselves. */
function serverUser(): { uid?: number; gid?: number } {
  if (os.userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function startDaemon(env: Record<string, string> = {}) {
  const port = await freePort();
  running = startMain({ DATA_DIR: dataDir, PORT: String(port), ...env });
  await running.running;
  const key = (await readFile(path.join(dataDir, 'api-key'), 'utf8')).trim();
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return {
    base,
    daemon: running,
    health: () => fetch(`${base}/api/health`).then((r) => r.status),
    live: () => fetch(`${base}/api/health/live`).then((r) => r.status),
    listTasks: () => fetch(`${base}/api/tasks?limit=500`, { headers }),
    scrape: (usernames: string[]) => fetch(`${base}/api/tasks/scrape`, { method: 'POST', headers, body: JSON.stringify({ usernames }) }),
  };
}

describe('supervised embedded Postgres', () => {
  it('restarts a killed postmaster: health back within 10 s, 503 (never 500) meanwhile, no task lost', async () => {
    const api = await startDaemon();
    const before = Array.from({ length: 20 }, (_, i) => `before_kill_${i}`);
    expect((await api.scrape(before)).status).toBe(202);
    const { pid } = await postmasterPid();

    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const statuses: number[] = [];
    const accepted: string[] = [];
    let retryAfterSeen = false;
    let round = 0;
    // Hammer the data routes until health is back; every answer must be a success or a 503 in the API's shape.
    await waitFor(
      async () => {
        const name = `during_outage_${round++}`;
        const [list, created] = await Promise.all([api.listTasks(), api.scrape([name])]);
        for (const response of [list, created]) {
          statuses.push(response.status);
          if (response.status === 503) {
            retryAfterSeen ||= response.headers.has('retry-after');
            expect(await response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
          } else {
            await response.body?.cancel();
          }
        }
        if (created.status === 202) accepted.push(name);
        return (await api.health()) === 200;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'health to return to 200 after the postmaster was killed' },
    );
    const recoveredMs = Date.now() - killedAt;

    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503); // the outage was seen, and answered as one
    expect(retryAfterSeen).toBe(true);
    expect(recoveredMs).toBeLessThan(10_000);
    expect((await postmasterPid()).pid).not.toBe(pid);
    // The supervisor logs the restart once its restart() has resolved, a moment after Postgres first answers the
    // probe's SELECT 1 (the probe no longer waits on task counts, so it can land in that moment).
    await waitFor(() => /embedded Postgres restarted/.test(api.daemon.output()), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the restart logged',
    });

    const after = (await (await api.listTasks()).json()) as { items: { payload: { username: string } }[] };
    const names = new Set(after.items.map((t) => t.payload.username));
    for (const username of [...before, ...accepted]) expect(names).toContain(username);
    // And it keeps working: a new request after the recovery is stored.
    expect((await api.scrape(['after_recovery'])).status).toBe(202);
  }, 120_000);

  it('turns liveness unhealthy when the restart keeps failing, and healthy again once it succeeds', async () => {
    const api = await startDaemon({ EMBEDDED_PG_RESTART_ATTEMPTS: '2', EMBEDDED_PG_RESTART_BACKOFF_MS: '200' });
    const { pid, port } = await postmasterPid();
    expect(await api.live()).toBe(200);

    // Kill the postmaster and leave a lock file naming a live process of the server's user, so every restart is
    // refused ("lock file postmaster.pid already exists") until the lock goes away. (Postgres takes a process it may
    // not signal for a stale lock, hence a process of its own user when we run as root.)
    const lockFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    const holder = spawn('sleep', ['120'], { stdio: 'ignore', ...serverUser() });
    process.kill(pid, 'SIGKILL');
    await writeFile(lockFile, `${holder.pid}\n${path.join(dataDir, 'postgres')}\n0\n${port}\n`);
    try {
      await waitFor(async () => (await api.live()) === 503, { timeoutMs: 30_000, intervalMs: 100, what: 'liveness to fail' });
      expect(api.daemon.output()).toMatch(/could not restart the embedded Postgres/);
    } finally {
      holder.kill('SIGKILL');
      await rm(lockFile, { force: true });
    }
    await waitFor(async () => (await api.health()) === 200, { timeoutMs: 30_000, intervalMs: 200, what: 'health once the lock is gone' });
    // Liveness turns back when the supervisor's restart has completed, which is a moment after Postgres first answers
    // the readiness probe's SELECT 1 (a probe no longer waits on task counts, so it can land in that moment).
    await waitFor(async () => (await api.live()) === 200, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'liveness once the restart succeeded',
    });
  }, 120_000);
});
