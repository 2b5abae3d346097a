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
import type { World } from './world/index.js';
import pg from 'pg';
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
      // An hour's request budget every minute: compressed time, like the pauses and the crons.
      ACCOUNT_BUDGET_WINDOW_MS: '60000',
      OPENAI_API_KEY: 'demo',
      OPENAI_BASE_URL: openai.baseUrl,
      AI_BATCH_MIN_TASKS: '5',
      AI_BATCH_MAX_WAIT_MS: '10000',
      AI_BATCH_CHECK_INTERVAL_MS: '2000',
      // Embeddings of the AI profiles (similar creators) are polled on this interval.
      AI_POLL_INTERVAL_MS: '3000',
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
  // The creator whose intelligence the demo shows: one whose follower history has a scripted spike, so its growth
  // flags have something to find.
  const world = instagram.world;
  const featured = world.qualifyingCreators().find((c) => world.growthOf(c)?.script === 'spike')?.username ?? examples.usernames[0]!;
  const scrapes = [featured, ...examples.usernames.filter((u) => u !== featured)].slice(0, 4);
  await call('POST', '/api/tasks/discover', { hashtag });
  await call('POST', '/api/tasks/scrape', { usernames: scrapes });
  // Creator intelligence on that creator: audience quality with a deep tier (credibility), and Instagram's similar
  // accounts, whose unknown ones are scraped (and analysed, and embedded) so the list can be ranked by profile text.
  await call('POST', '/api/tasks/audience-quality', { username: featured, sample: 400, deep_budget: 40, seed: 1, priority: 1 });
  await call('POST', `/api/blogs/${featured}/similar`, { scrape_unknown: true });
  say(`asked for: discover #${hashtag}, scrapes of ${scrapes.join(', ')}, and for @${featured} its audience quality and similar creators`);
  printCurlHelp(hashtag, featured);
  const reached = await Promise.race([
    watchResults(featured, () => backfillHistory(world, featured)),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), untilScraped ? timeoutMs : 2 ** 31 - 1).unref()),
  ]);
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
async function watchResults(featured: string, backfill: () => Promise<boolean>): Promise<true> {
  let last = '';
  let lastDetail = '';
  let backfilled = false;
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
        say(
          `  @${b.username}: ${b.follower_count} followers, ER ${b.er ?? '—'}%, ${b.er_trend ?? '—'}; ${b.categories.join(', ') || 'no category'} (AI confidence ${b.ai_confidence})`,
        );
      }
    }
    if (!backfilled) backfilled = await backfill().catch((error) => (say(`history backfill failed: ${(error as Error).message}`), true));
    const detail = await creatorDetail(featured);
    if (detail !== lastDetail) {
      lastDetail = detail;
      say(detail);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

/**
 * The growth flags need a daily series, which a real install builds one profile refresh a day (schedule_updates).
 * A demo has minutes, so once the featured creator is scraped the demo writes the 59 days before today straight
 * into the daemon's database from the emulator's scripted history (emulator/world/growth.ts), dated back from
 * today; today's point is the daemon's own snapshot. Only this creator, and the demo says so.
 */
async function backfillHistory(world: World, username: string): Promise<boolean> {
  const blog = await call('GET', `/api/blogs/${username}`);
  const user = world.user(username);
  const growth = user && world.growthOf(user);
  if (!blog.scraped_at || !growth) return false;
  const pid = (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
  const password = (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
  const client = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(pid[3])}/igscout`,
  });
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);
  const days = growth.days.slice(0, -1);
  await client.connect();
  try {
    for (const [d, counts] of days.entries()) {
      await client.query(
        'INSERT INTO blog_snapshots (blog_id, follower_count, following_count, media_count, taken_at) VALUES ($1, $2, $3, $4, $5)',
        [blog.id, counts.followers, counts.following, counts.media, new Date(today - (days.length - d) * 86_400_000)],
      );
    }
  } finally {
    await client.end();
  }
  const spikes = growth.spikes.map((d) => new Date(today - (growth.days.length - 1 - d) * 86_400_000).toISOString().slice(0, 10));
  say(
    `@${username}: wrote ${days.length} days of follower history from the emulator's script (${growth.script}${spikes.length ? `, spikes on ${spikes.join(', ')}` : ''}) — a real install gets one point a day from schedule_updates`,
  );
  return true;
}

/** The featured creator's intelligence, as GET /api/blogs/{username} and …/similar show it. */
async function creatorDetail(username: string): Promise<string> {
  const blog = await call('GET', `/api/blogs/${username}?posts_limit=100`);
  if (!blog.scraped_at) return `@${username}: not scraped yet`;
  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);
  const q = blog.audience_quality;
  const credibility = !q
    ? 'audience quality: not estimated yet'
    : q.credibility === null
      ? `audience quality (${q.tier}, ${q.sample_size} followers, ${q.requests} requests): no picture ${pct(q.components.no_picture.share)}, random usernames ${pct(q.components.random_username.share)}`
      : `credibility ${pct(q.credibility)} [95 % ${pct(q.credibility_low)} – ${pct(q.credibility_high)}] from ${q.deep_sample_size} profiles of ${q.sample_size} followers, ${q.requests} requests; mass followers ${pct(q.components.mass_followers.share)}`;
  const g = blog.growth;
  const growth =
    `growth: ${g.series.length} day(s) of history, spikes ${g.spikes.length ? g.spikes.join(', ') : 'none'}, seesaws ${g.seesaws.length || 'none'}` +
    `${g.series.length < 8 ? ' (flags need 8 daily points)' : ''}; ER ${blog.er ?? '—'}% is ${g.er_for_size?.verdict ?? '—'} for its size`;
  const sp = blog.sponsorship;
  const sponsored = blog.posts
    .filter((p: any) => p.is_sponsored)
    .slice(0, 3)
    .map((p: any) => `${p.shortcode} (${p.sponsor_signals.join('+')}: ${p.brands.join(', ') || 'no brand'})`);
  const sponsorship = `sponsored posts: ${sp.sponsored_posts} of ${sp.sponsored_posts + sp.organic_posts}, brands ${
    sp.brands
      .slice(0, 5)
      .map((b: any) => `@${b.username}×${b.posts}`)
      .join(' ') || 'none'
  }, paid post performance ${sp.paid_post_performance === null ? '—' : `${Math.round(sp.paid_post_performance)} %`}${sponsored.length ? `; e.g. ${sponsored.join('; ')}` : ''}`;
  const similar = await call('GET', `/api/blogs/${username}/similar?limit=5`);
  const lookalikes = `similar creators (${similar.ranked_by}, ${similar.candidates} candidates): ${(similar.items ?? []).map((c: any) => `@${c.username}${c.similarity === null ? '' : ` ${c.similarity.toFixed(2)}`}`).join(', ') || 'none yet'}`;
  return [`@${username}:`, credibility, growth, sponsorship, lookalikes].join('\n  ');
}

function printCurlHelp(hashtag: string, username: string): void {
  const auth = `-H "Authorization: Bearer ${apiKey}"`;
  say(
    [
      'try, in another terminal:',
      `  curl -s ${auth} '${api}/api/blogs?sort=er&limit=10'`,
      `  curl -s ${auth} ${api}/api/blogs/${username}`,
      `  curl -s ${auth} ${api}/api/blogs/${username}/similar`,
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
