import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';

/**
 * Issue 15, case 9: `npm run demo` a second time failed. Its accounts stayed bound to the previous run's emulator
 * proxy ports (ECONNREFUSED), while it printed the previous run's creators as if they were new. Every run now starts
 * from an empty data directory and says so. The demo as a user runs it (emulator/demo.ts, a real daemon process),
 * twice on one data directory, each until two creators are scraped.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'igscout-demo-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

async function runDemo(): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'emulator/demo.ts'), '--until-scraped=2'], {
    cwd: ROOT,
    env: { ...process.env, DEMO_DATA_DIR: dataDir, DEMO_PORT: String(await freePort()), DEMO_TIMEOUT_MS: '120000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('npm run demo, twice', () => {
  it('works the second time too: it starts fresh, says so, and scrapes with the current emulator', async () => {
    const first = await runDemo();
    expect(first.code, first.output.slice(-2000)).toBe(0);
    expect(first.output).not.toContain('starting fresh');

    const second = await runDemo();
    expect(second.code, second.output.slice(-2000)).toBe(0);
    expect(second.output).toContain("starting fresh: removed the previous run's");
    expect(second.output).toContain('2 creators scraped: done');
    expect(second.output).not.toMatch(/ECONNREFUSED/);
  }, 300_000);
});
