import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startInstagramEmulator } from '../../emulator/instagram/index.js';
import { sleep } from '../../src/util/wait.js';
import { autocannon } from '../api/load.js';
import { BENCH_API_KEY, startDaemon, type DaemonProcess } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { siblingDatabase } from '../lib/postgres.js';
import { quick, round1 } from '../lib/stats.js';

const ACCOUNTS = 100;
const LIMIT_MB = 200;
const ROOT = path.resolve(import.meta.dirname, '../..');

export const memoryPart: BenchPart = {
  name: 'memory',
  title: 'Memory: daemon RSS with 100 accounts',
  script: 'npm run bench:memory',
  async run(url) {
    // The Docker image runs the compiled daemon with its own heap settings; `npm start` runs it under tsx, whose
    // loader adds to the heap. The bare compiled daemon shows what those settings are worth.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
    const imageOptions = dockerfileNodeOptions();
    const rows: Record<string, string | number>[] = [];
    const loads: Record<string, string | number>[] = [];
    const variants = [
      { compiled: true, nodeOptions: imageOptions, name: `NODE_OPTIONS='${imageOptions}' node dist/src/main.js (Docker image)` },
      { compiled: true, nodeOptions: '', name: 'node dist/src/main.js (no heap settings)' },
      { compiled: false, nodeOptions: '', name: 'tsx src/main.ts (npm start)' },
    ];
    for (const [i, v] of variants.entries()) {
      // A database of its own per variant: no task, session or budget left over from the previous one.
      const m = await measure(i === 0 ? url : await siblingDatabase(url, `bench_memory_${i}`), v.compiled, v.nodeOptions);
      rows.push({ daemon: v.name, 'at ready MB': m.startRss, 'idle MB': m.idle, 'peak under load MB': m.peak, 'after load MB': m.after });
      loads.push({ daemon: v.name, ...m.load });
    }
    const [image, bare, dev] = rows as [Record<string, number>, Record<string, number>, Record<string, number>];
    return {
      summary: {
        'RSS idle, Docker image (target < 200 MB)': `${image['idle MB']} MB`,
        'RSS peak under load, Docker image (target < 200 MB)': `${image['peak under load MB']} MB`,
        'target (Docker image, idle and peak < 200 MB)':
          Math.max(image['idle MB']!, image['peak under load MB']!) < LIMIT_MB ? 'met' : 'missed',
        'RSS idle / peak, compiled without heap settings': `${bare['idle MB']} / ${bare['peak under load MB']} MB`,
        'RSS idle / peak, under tsx (npm start)': `${dev['idle MB']} / ${dev['peak under load MB']} MB`,
      },
      tables: [
        { title: 'RSS of the daemon process (VmRSS)', columns: Object.keys(rows[0]!), rows },
        { title: 'The load', columns: Object.keys(loads[0]!), rows: loads },
      ],
      notes: NOTES,
    };
  },
};

/** The heap settings the Docker image runs with: its `NODE_OPTIONS=…` line, so the bench measures what ships. */
function dockerfileNodeOptions(): string {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const options = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1];
  if (!options) throw new Error('the Dockerfile sets no NODE_OPTIONS="…"');
  return options;
}

const quickProfiles = () => (quick() ? 300 : 1000);
const NOTES = [
  "A real daemon process with 100 accounts and 100 proxies imported from IG_ACCOUNTS / IG_PROXIES, all pointing at the Instagram emulator; WORKER_CONCURRENCY=50, DB_POOL_MAX=20, 30 requests per 10 s per account. Measured three times: compiled (`npm run build`, then `node dist/src/main.js`) with the NODE_OPTIONS the Dockerfile sets (read from it), the same without them (V8 sizes its heap from the machine's memory and grows it lazily, far past what is live), and under tsx (`npm start`).",
  "Idle: some seconds after ready, then sampled for 3 s. Under load: all usernames in POST /api/tasks/scrape, scraped by the pool while autocannon (another process) reads GET /api/blogs?limit=100; RSS (VmRSS of the daemon's process from /proc) sampled every 250 ms, the peak reported.",
];

async function measure(url: string, compiled: boolean, nodeOptions: string) {
  const profiles = quickProfiles();
  const idleSeconds = quick() ? 5 : 15;
  const apiSeconds = quick() ? 5 : 20;
  const windowMs = 10_000;
  const emulator = await startInstagramEmulator({ seed: 13, proxies: ACCOUNTS, world: { accounts: ACCOUNTS + 10, creators: profiles } });
  emulator.setRateLimit({ maxRequests: 30, windowMs });
  const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, ACCOUNTS);
  if (accounts.length < ACCOUNTS) throw new Error(`the world has only ${accounts.length} accounts that log in`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const daemon = await startDaemon(
    url,
    {
      WORKER_CONCURRENCY: '50',
      DB_POOL_MAX: '20',
      IG_PROXIES: emulator.proxyUrls.join('\n'),
      IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
      ACCOUNT_REQUESTS_PER_HOUR: '30',
      ACCOUNT_BUDGET_WINDOW_MS: String(windowMs),
      ACCOUNT_WARMUP_DAYS: '0',
      ACCOUNT_REQUEST_DELAY_MIN_MS: '5',
      ACCOUNT_REQUEST_DELAY_MAX_MS: '15',
      // V8 grows its heap lazily up to a limit sized from the machine's memory; a cap makes it collect sooner.
      NODE_OPTIONS: nodeOptions,
    },
    { compiled },
  );
  try {
    const startRss = await daemon.rssMb();
    await sleep(idleSeconds * 1000);
    const idle = await sample(daemon, 3000);
    log(`idle RSS ${idle.last} MB`);

    const usernames = emulator.world.creators.slice(0, profiles).map((c) => c.username);
    const started = Date.now();
    for (let i = 0; i < usernames.length; i += 1000)
      await daemon.call('POST', '/api/tasks/scrape', { usernames: usernames.slice(i, i + 1000) });
    // Scraping with all 100 accounts, and at the same time API reads from a second process.
    const peak = { value: 0 };
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        peak.value = Math.max(peak.value, await daemon.rssMb());
        await sleep(250);
      }
    })();
    const api = autocannon(`${daemon.api}/api/blogs?limit=100`, {
      connections: 10,
      seconds: apiSeconds,
      headers: { authorization: `Bearer ${BENCH_API_KEY}` },
    });
    const finished = async () =>
      Number(
        (
          await client.query<{ n: string }>(
            "SELECT count(*) AS n FROM scrape_tasks WHERE task_type = 'full_scrape' AND status IN ('done', 'failed')",
          )
        ).rows[0]!.n,
      );
    let done = 0;
    while ((done = await finished()) < profiles && Date.now() - started < 180_000) await sleep(500);
    const apiResult = await api;
    stop = true;
    await sampler;
    const loadS = round1((Date.now() - started) / 1000);
    const after = await sample(daemon, 2000);
    const used = accounts.filter((a) => emulator.log.some((e) => e.username === a.username)).length;
    log(`peak RSS ${peak.value} MB under load; ${done} scrapes in ${loadS} s with ${used} accounts`);
    return {
      startRss,
      idle: idle.last,
      peak: peak.value,
      after: after.last,
      load: {
        'scrapes finished': `${done} of ${profiles} in ${loadS} s`,
        'accounts used': `${used} of ${ACCOUNTS}`,
        'Instagram requests': emulator.log.length,
        [`GET /api/blogs?limit=100 alongside (10 connections, ${apiSeconds} s)`]: `${apiResult.requests} requests, p50 ${apiResult.p50} ms, p99 ${apiResult.p99} ms`,
      },
    };
  } finally {
    await daemon.stop();
    await client.end();
    await emulator.close();
  }
}

async function sample(daemon: DaemonProcess, ms: number): Promise<{ last: number; max: number }> {
  let max = 0;
  let last = 0;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) {
    last = await daemon.rssMb();
    max = Math.max(max, last);
  }
  return { last, max };
}
