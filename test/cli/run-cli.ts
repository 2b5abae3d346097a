import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/ig-scout.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How long one CLI run may take before the test kills it and fails with what it printed. */
const RUN_TIMEOUT_MS = 90_000;

/**
 * Runs the real command line as a user would: `node bin/ig-scout.js …` (what `npx ig-scout` runs), or `npx ig-scout …`
 * with `npx: true`, in a child process with only the environment given (on top of PATH and HOME).
 */
export function runCli(args: string[], env: Record<string, string>, options: { npx?: boolean; stdin?: string } = {}): Promise<CliRun> {
  const child = spawnCli(args, env, options);
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ig-scout ${args.join(' ')} ran longer than ${RUN_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], env: Record<string, string>, options: { npx?: boolean; stdin?: string } = {}): ChildProcess {
  const [command, argv] = options.npx ? ['npx', ['ig-scout', ...args]] : [process.execPath, [BIN, ...args]];
  return spawn(command, argv as string[], {
    cwd: ROOT,
    // Nothing of the test's own environment (no SCRAPER_API_KEY, no DATA_DIR) leaks into what the CLI sees.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
}
