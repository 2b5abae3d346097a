/**
 * `npm run demo` — a newcomer's tour: the offline Instagram and OpenAI emulators, and a real ig-scout daemon
 * (src/main.ts, the production entry point, in its own process) wired to them with compressed time, on an
 * embedded Postgres in .data-demo/. It enqueues a discover and a few scrapes through the API, then shows the
 * creators as they get metrics and AI insights. Ctrl-C stops everything.
 *
 * Only configuration differs from production: accounts and proxies from the emulator, OPENAI_BASE_URL pointing at
 * its OpenAI, pauses of milliseconds, and cron patterns with seconds.
 *
 * Every run starts from an empty data directory (and says so): the emulator's proxies listen on new ports each time,
 * so a previous run's accounts would stay bound to proxies that no longer exist (ECONNREFUSED), and its creators
 * would be shown as this run's results (issue 15). The world is generated from a seed, so a new run finds the same
 * creators again. Options: DEMO_PORT, DEMO_DATA_DIR; `--until-scraped=N` exits 0 once N creators are scraped (for
 * scripts and tests), 1 if that takes longer than DEMO_TIMEOUT_MS (default 180000).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startInstagramEmulator } from './instagram/index.js';
import { startOpenAiEmulator } from './openai/index.js';
import { startGraphEmulator } from './graph/index.js';
import { isAlive } from '../src/util/process-alive.js';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(process.env.DEMO_DATA_DIR ?? path.join(root, '.data-demo'));
const port = Number(process.env.DEMO_PORT ?? 8002);
const untilScraped = Number(process.argv.find((a) => a.startsWith('--until-scraped='))?.split('=')[1] ?? 0);
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 180_000);
const apiKey = 'demo-key-0123456789abcdef0123456789';
const api = `http://127.0.0.1:${port}`;

let stopAll: (code?: number) => Promise<void> = async (code = 0) => process.exit(code);

async function main() {
  await startFresh();
  const instagram = await startInstagramEmulator({ seed: 7, proxies: 6, world: { accounts: 9 } });
  const openai = await startOpenAiEmulator({ seed: 7, timings: { validatingMs: 500, inProgressMs: 3000, finalizingMs: 500 } });
  // The official Graph API on the same world: connect it with GET /api/graph/connect (see README, "Graph API").
  const graph = await startGraphEmulator({ world: instagram.world });
  const accounts = instagram.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, 6);
  const examples = instagram.world.examples();

  const daemon = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      SCRAPER_API_KEY: apiKey,
      LOG_FORMAT: 'json',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      WORKER_CONCURRENCY: '6',
      IG_PROXIES: instagram.proxyUrls.join('\n'),
      IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
      ACCOUNT_REQUEST_DELAY_MIN_MS: '50',
      ACCOUNT_REQUEST_DELAY_MAX_MS: '150',
      ACCOUNT_WARMUP_DAYS: '0',
      OPENAI_API_KEY: 'demo',
      OPENAI_BASE_URL: openai.baseUrl,
      AI_BATCH_MIN_TASKS: '5',
      AI_BATCH_MAX_WAIT_MS: '10000',
      AI_BATCH_CHECK_INTERVAL_MS: '2000',
      CRON_POLL_BATCHES: '*/3 * * * * *',
      CRON_VALIDATE_SESSIONS: '0 */5 * * * *',
      CRON_CHECK_PROXIES: '0 */5 * * * *',
      GRAPH_APP_ID: graph.app.id,
      GRAPH_APP_SECRET: graph.app.secret,
      GRAPH_API_BASE_URL: graph.baseUrl,
      GRAPH_REDIRECT_URL: `${api}/api/graph/callback`,
      CRON_GRAPH_MEDIA_SYNC: '*/30 * * * * *',
    },
  });
  stopAll = async (code = 0) => {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    await openai.close();
    await graph.close();
    await instagram.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  showDaemonLog(daemon.stdout!);

  await waitForHealth();
  say(`daemon up on ${api} with ${accounts.length} emulated accounts; enqueueing work`);
  const hashtag = examples.hashtags[0]!;
  await call('POST', '/api/tasks/discover', { hashtag });
  await call('POST', '/api/tasks/scrape', { usernames: examples.usernames.slice(0, 4) });
  say(`asked for: discover #${hashtag}, and scrapes of ${examples.usernames.slice(0, 4).join(', ')}`);
  printCurlHelp(hashtag, examples.usernames[0]!);
  const reached = await Promise.race([watchResults(), new Promise<false>((resolve) => setTimeout(() => resolve(false), untilScraped ? timeoutMs : 2 ** 31 - 1).unref())]);
  if (untilScraped) {
    say(reached ? `${untilScraped} creators scraped: done` : `fewer than ${untilScraped} creators scraped within ${timeoutMs} ms`);
    await stopAll(reached ? 0 : 1);
  }
}

/**
 * An empty data directory for this run. A previous demo killed without its cleanup may have left its embedded
 * Postgres running on the old directory: that one is stopped first (fast shutdown), so nothing is left behind.
 */
async function startFresh(): Promise<void> {
  if (!existsSync(dataDir) || (await readdir(dataDir)).length === 0) return;
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number((await readFile(pidFile, 'utf8')).split('\n')[0]) : NaN;
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await rm(dataDir, { recursive: true, force: true });
  const shown = path.relative(process.cwd(), dataDir).startsWith('..') ? dataDir : path.relative(process.cwd(), dataDir);
  say(`starting fresh: removed the previous run's ${shown}/ (its accounts were bound to that run's emulator proxies)`);
}

async function waitForHealth(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${api}/api/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the daemon did not become healthy within 2 minutes');
}

async function call(method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`${api}${route}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

/** Prints a line whenever the number of scraped or analysed creators changes, until Ctrl-C (or --until-scraped). */
async function watchResults(): Promise<true> {
  let last = '';
  for (;;) {
    const page = await call('GET', '/api/blogs?limit=100&sort=followers');
    const blogs: any[] = page.items ?? [];
    const scraped = blogs.filter((b) => b.scraped_at);
    const analysed = blogs.filter((b) => b.ai_confidence !== null);
    const line = `${blogs.length} creators known, ${scraped.length} scraped, ${analysed.length} with AI insights`;
    if (untilScraped && scraped.length >= untilScraped) {
      say(line);
      return true;
    }
    if (line !== last) {
      last = line;
      say(line);
      for (const b of analysed.slice(0, 5)) {
        say(`  @${b.username}: ${b.follower_count} followers, ER ${b.er ?? '—'}%, ${b.er_trend ?? '—'}; ${b.categories.join(', ') || 'no category'} (AI confidence ${b.ai_confidence})`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

function printCurlHelp(hashtag: string, username: string): void {
  const auth = `-H "Authorization: Bearer ${apiKey}"`;
  say(
    [
      'try, in another terminal:',
      `  curl -s ${auth} '${api}/api/blogs?sort=er&limit=10'`,
      `  curl -s ${auth} ${api}/api/blogs/${username}`,
      `  curl -s ${auth} '${api}/api/tasks?limit=20'`,
      `  curl -s ${auth} ${api}/api/stats`,
      `  curl -s ${api}/api/health`,
      `  curl -si ${auth} ${api}/api/graph/connect   # Graph API: open the Location in a browser, then pick the account`,
      `(discover #${hashtag} finds more creators; their scrapes run at priority 5)`,
    ].join('\n'),
  );
}

/** The daemon's JSON log, one short line per interesting event. */
function showDaemonLog(stream: NodeJS.ReadableStream): void {
  createInterface({ input: stream }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as { level: number; msg: string; taskType?: string; taskId?: number; job?: string; err?: unknown };
      if (entry.level >= 40 || /task done|task failed|batch|logged in|ig-scout is running/.test(entry.msg)) {
        const what = [entry.taskType && `${entry.taskType}#${entry.taskId}`, entry.job].filter(Boolean).join(' ');
        process.stdout.write(`  [daemon] ${entry.msg}${what ? ` (${what})` : ''}\n`);
      }
    } catch {
      process.stdout.write(`  [daemon] ${line}\n`);
    }
  });
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

await main();
