import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../src/db/embedded.js';
import { sleep } from '../../src/util/wait.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BENCH_API_KEY = 'bench-key-0123456789abcdef0123456789';

export interface DaemonProcess {
  pid: number;
  api: string;
  /** Resident set size of the daemon process, MB (from /proc). */
  rssMb(): Promise<number>;
  call(method: string, route: string, body?: unknown): Promise<{ status: number; json: any; ms: number }>;
  /** SIGTERM, then wait for the graceful exit. */
  stop(): Promise<void>;
}

/**
 * A real daemon: src/main.ts (the production entry point, run by tsx as `npm start` does, or compiled) in its own process,
 * on the bench's database. Only configuration differs from production. stdout/stderr are kept for a failure report.
 */
export async function startDaemon(
  databaseUrl: string,
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): Promise<DaemonProcess> {
  const port = await freePort();
  // compiled: `node dist/src/main.js`, what the Docker image runs (build it first with `npm run build`).
  const args = options.compiled ? [path.join(ROOT, 'dist/src/main.js')] : ['--import', 'tsx', path.join(ROOT, 'src/main.ts')];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SCRAPER_API_KEY: BENCH_API_KEY,
      ENCRYPTION_KEY: 'cd'.repeat(32),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => ((exitCode = code), resolve())));
  const api = `http://127.0.0.1:${port}`;

  const call: DaemonProcess['call'] = async (method, route, body) => {
    const started = performance.now();
    const response = await fetch(`${api}${route}`, {
      method,
      headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    return { status: response.status, json, ms: performance.now() - started };
  };

  for (let i = 0; ; i++) {
    if (exitCode !== undefined) throw new Error(`the daemon exited with ${exitCode} before it was ready:\n${output}`);
    const ok = await fetch(`${api}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error(`the daemon was not ready within 2 minutes:\n${output}`);
    await sleep(200);
  }

  return {
    pid: child.pid!,
    api,
    call,
    async rssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return Math.round((kb / 1024) * 10) / 10;
    },
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(40_000)]);
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
  };
}
