import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface WorkerProcess {
  child: ChildProcess;
  port: number;
  workerId: string;
  /** Everything the process printed, for assertions on logs. */
  output: () => string;
  exited: Promise<number | null>;
}

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/worker-process.ts');

/** How long a daemon may take to say it is serving before the start counts as failed (and the child is killed). */
const READY_TIMEOUT_MS = 120_000;

/**
 * Starts test/fixtures/worker-process.ts under tsx and resolves once it is serving. `onSpawn` learns of the child at
 * once, before it is ready, so whoever tracks processes can kill one whose start never finishes.
 */
export async function startWorkerProcess(env: Record<string, string>, onSpawn?: (child: ChildProcess) => void): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn?.(child);
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const ready = await new Promise<{ port: number; workerId: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output += line + '\n';
      if (line.includes('"ready":true')) resolve(JSON.parse(line));
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code} before ready:\n${output}`)));
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker not ready within ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
  }).finally(() => clearTimeout(timer));
  return { child, ...ready, output: () => output, exited };
}

/**
 * Daemon processes of one test, killed together at its end. Every child is tracked from the moment it is spawned,
 * and `startAll` starts several at once but kills all of them when any fails to start: a sibling that became ready
 * a moment later is never left running after the test.
 */
export class Daemons {
  private readonly children = new Set<ChildProcess>();

  start(env: Record<string, string>): Promise<WorkerProcess> {
    return startWorkerProcess(env, (child) => this.children.add(child));
  }

  async startAll<const T extends readonly Record<string, string>[]>(envs: T): Promise<{ [K in keyof T]: WorkerProcess }> {
    const results = await Promise.allSettled(envs.map((env) => this.start(env)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await this.killAll();
      throw failure.reason;
    }
    return results.map((r) => (r as PromiseFulfilledResult<WorkerProcess>).value) as { [K in keyof T]: WorkerProcess };
  }

  /** Running children, for a test that asserts nothing was left behind. */
  running(): ChildProcess[] {
    return [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
  }

  async killAll(): Promise<void> {
    const children = [...this.children];
    this.children.clear();
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }
}
