import { spawn } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(import.meta.dirname, '../../node_modules/autocannon/autocannon.js');

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon's CLI in its own process, so the load generator never shares an event loop with what it measures
 * (the daemon is a third process). Bounded by duration; targets 127.0.0.1 only.
 */
export async function autocannon(
  url: string,
  options: { connections: number; seconds: number; headers: Record<string, string> },
): Promise<LoadResult> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('load tests target 127.0.0.1 only');
  const args = [CLI, '-j', '-c', String(options.connections), '-d', String(options.seconds)];
  for (const [k, v] of Object.entries(options.headers)) args.push('-H', `${k}=${v}`);
  args.push(url);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${err}`);
  const r = JSON.parse(out);
  return {
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}
