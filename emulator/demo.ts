/**
 * `npm run demo` — a newcomer's tour: the offline Instagram and OpenAI emulators, and a real ig-scout daemon
 * (src/main.ts, the production entry point, in its own process) wired to them with compressed time, on an
 * embedded Postgres in .data-demo/. It enqueues a discover and a few scrapes through the API, then shows the
 * creators as they get metrics and AI insights. Ctrl-C stops everything.
 *
 * Only configuration differs from production: accounts and proxies from the emulator, OPENAI_BASE_URL pointing at
 * its OpenAI, pauses of milliseconds, and cron patterns with seconds.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startInstagramEmulator } from './instagram/index.js';
import { startOpenAiEmulator } from './openai/index.js';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.data-demo');
const port = Number(process.env.DEMO_PORT ?? 8002);
const apiKey = 'demo-key-0123456789abcdef0123456789';
const api = `http://127.0.0.1:${port}`;

async function main() {
  if (process.argv.includes('--fresh')) await rm(dataDir, { recursive: true, force: true });
  const instagram = await startInstagramEmulator({ seed: 7, proxies: 6, world: { accounts: 9 } });
  const openai = await startOpenAiEmulator({ seed: 7, timings: { validatingMs: 500, inProgressMs: 3000, finalizingMs: 500 } });
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
    },
  });
  const stopAll = async () => {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    await openai.close();
    await instagram.close();
    process.exit(0);
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  showDaemonLog(daemon.stdout!);

  await waitForHealth();
  say(`daemon up on ${api} with ${accounts.length} emulated accounts; enqueueing work`);
  const hashtag = examples.hashtags[0]!;
  await call('POST', '/api/tasks/discover', { hashtag });
  await call('POST', '/api/tasks/scrape', { usernames: examples.usernames.slice(0, 4) });
  say(`asked for: discover #${hashtag}, and scrapes of ${examples.usernames.slice(0, 4).join(', ')}`);
  printCurlHelp(hashtag, examples.usernames[0]!);
  await watchResults();
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

/** Prints a line whenever the number of scraped or analysed creators changes, until Ctrl-C. */
async function watchResults(): Promise<void> {
  let last = '';
  for (;;) {
    const page = await call('GET', '/api/blogs?limit=100&sort=followers');
    const blogs: any[] = page.items ?? [];
    const scraped = blogs.filter((b) => b.scraped_at);
    const analysed = blogs.filter((b) => b.ai_confidence !== null);
    const line = `${blogs.length} creators known, ${scraped.length} scraped, ${analysed.length} with AI insights`;
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
