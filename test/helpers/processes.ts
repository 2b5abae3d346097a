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

/** Starts test/fixtures/worker-process.ts under tsx and resolves once it is serving. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ port: number; workerId: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output += line + '\n';
      if (line.includes('"ready":true')) resolve(JSON.parse(line));
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code} before ready:\n${output}`)));
  });
  return { child, ...ready, output: () => output, exited };
}
