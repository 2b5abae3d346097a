import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `npm start` as a user runs it: src/main.ts of the checkout at `cwd` (this one by default) with no DATABASE_URL and
 * no key unless `env` sets them. `running` resolves on 'ig-scout is running' and rejects with the output on exit.
 */
export function startMain(env: Record<string, string>, cwd = path.resolve(import.meta.dirname, '../..'), inherited = process.env) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: { ...inherited, LOG_FORMAT: 'json', LOG_LEVEL: 'info', DATABASE_URL: '', SCRAPER_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += line + '\n';
      if (line.includes('ig-scout is running')) resolve();
    });
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, exited, running, output: () => output };
}
