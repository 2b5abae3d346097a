/**
 * The load of issue 17's contention figure, in a process of its own (the daemon is another): REQUESTS
 * POST /api/tasks/scrape over CONNECTIONS keep-alive connections, each a window of 10 of the given usernames,
 * half the connections listing them ascending and half descending, so overlapping requests want the same blogs
 * rows in opposite orders. Prints one JSON line: every request's status and latency (ms).
 * Usage: node --import tsx bench/enqueue/load.ts <api> <key> <connections> <requests> <username>...
 */
import http from 'node:http';

const [api, key, connectionsArg, requestsArg, ...usernames] = process.argv.slice(2);
if (!api?.startsWith('http://127.0.0.1:') || !key || usernames.length < 10)
  throw new Error('usage: load.ts http://127.0.0.1:PORT key connections requests username×10+');
const connections = Number(connectionsArg);
const requests = Number(requestsArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

/** A deterministic window of 10 usernames for request n, ascending or descending. */
function window(n: number, descending: boolean): string[] {
  const start = (n * 7) % usernames.length;
  const names = Array.from({ length: 10 }, (_, i) => usernames[(start + i) % usernames.length]!).sort();
  return descending ? names.reverse() : names;
}

function post(body: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${api}/api/tasks/scrape`,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

const results: { status: number; ms: number }[] = [];
let next = 0;
const connection = async (c: number) => {
  for (let n = next++; n < requests; n = next++) {
    results.push(await post(JSON.stringify({ usernames: window(n, c % 2 === 1) })).catch(() => ({ status: 0, ms: 0 })));
  }
};
const started = performance.now();
await Promise.all(Array.from({ length: connections }, (_, c) => connection(c)));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
process.stdout.write(JSON.stringify({ seconds, statuses: results.map((r) => r.status), latencies: results.map((r) => r.ms) }) + '\n');
