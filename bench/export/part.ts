import { spawn, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { sleep } from '../../src/util/wait.js';
import { BENCH_API_KEY, startDaemon, type DaemonProcess } from '../lib/daemon.js';
import { log, type BenchPart } from '../lib/part.js';
import { quick, round1 } from '../lib/stats.js';

const LIMIT_MB = 200;
const ROOT = path.resolve(import.meta.dirname, '../..');
const rowsToExport = () => (quick() ? 100_000 : 1_000_000);

/**
 * `npm run bench:export` — a million blogs exported through GET /api/blogs/export (CSV and NDJSON) by the command line
 * (`ig-scout export blogs`), with the daemon's RSS sampled as bench:memory samples it: the compiled daemon with the
 * Docker image's heap settings, whose target is 200 MB at peak.
 */
export const exportPart: BenchPart = {
  name: 'export',
  title: 'Export: 1,000,000 blogs streamed by the command line',
  script: 'npm run bench:export',
  async run(url) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
    const nodeOptions = dockerfileNodeOptions();
    const total = rowsToExport();
    // Started first: it migrates the empty database the rows then go into.
    const daemon = await startDaemon(
      url,
      { NODE_OPTIONS: nodeOptions, WORKER_CONCURRENCY: '0', SCHEDULER_ENABLED: 'false' },
      { compiled: true },
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const seedS = await seed(client, total);
      await sleep(3000);
      const idle = await daemon.rssMb();
      log(`${total} blogs seeded in ${seedS} s; daemon idle at ${idle} MB`);
      const rows: Record<string, string | number>[] = [];
      for (const format of ['csv', 'ndjson'] as const) {
        const m = await exportOnce(daemon, format);
        if (m.rows !== total) throw new Error(`the ${format} export gave ${m.rows} rows of ${total}`);
        log(`${format}: ${m.rows} rows, ${m.mb} MB in ${m.seconds} s; daemon peak ${m.daemonPeak} MB, CLI peak ${m.cliPeak} MB`);
        rows.push({
          format,
          rows: m.rows,
          'size MB': m.mb,
          seconds: m.seconds,
          'rows/s': Math.round(m.rows / m.seconds),
          'daemon RSS before MB': m.daemonBefore,
          'daemon RSS peak MB': m.daemonPeak,
          'CLI RSS peak MB': m.cliPeak,
        });
      }
      const peak = Math.max(...rows.map((r) => Number(r['daemon RSS peak MB'])));
      return {
        summary: {
          [`daemon RSS peak exporting ${total.toLocaleString('en-US')} blogs, Docker image settings (target < 200 MB)`]: `${peak} MB`,
          target: peak < LIMIT_MB ? 'met' : 'missed',
          'CSV export': `${rows[0]!['rows/s']} rows/s, ${rows[0]!['size MB']} MB`,
          'NDJSON export': `${rows[1]!['rows/s']} rows/s, ${rows[1]!['size MB']} MB`,
          'daemon RSS idle after seeding': `${idle} MB`,
        },
        tables: [
          { title: 'One export per format, read to the end by `ig-scout export blogs --format …`', columns: Object.keys(rows[0]!), rows },
        ],
        notes: [
          `${total.toLocaleString('en-US')} blogs inserted with SQL (generate_series) into an empty database: profile fields, metrics, an AI summary (ai_insights, about 400 bytes), a biography with an e-mail, one category each; \`raw\` (the last raw profile answer) is left empty, so a batch of real rows weighs more (about EXPORT_BATCH_SIZE × its size).`,
          `The daemon: compiled (\`npm run build\`, \`node dist/src/main.js\`) with the Dockerfile's NODE_OPTIONS (\`${nodeOptions}\`), WORKER_CONCURRENCY=0, EXPORT_BATCH_SIZE at its default (1000). RSS = VmRSS from /proc, sampled every 250 ms during each export, the peak reported; the same for the CLI process.`,
          'The reader is the command line itself (compiled, IG_SCOUT_CLI_BUILD=1), its stdout read by the bench as fast as it comes; every export is checked to hold every row.',
        ],
      };
    } finally {
      await client.end();
      await daemon.stop();
    }
  },
};

/** Rows in chunks, so the WAL and the trigram indexes' pending lists are flushed as it goes. */
export async function seed(client: pg.Client, total: number): Promise<number> {
  const started = Date.now();
  const chunk = 100_000;
  const categories = await client.query<{ id: number }>('SELECT id FROM categories ORDER BY id');
  const categoryIds = categories.rows.map((r) => r.id);
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await client.query(
      `INSERT INTO blogs (username, platform_id, full_name, biography, follower_count, following_count, media_count, is_verified,
         is_business, is_private, business_category, external_url, er, er_reels, er_trend, posts_per_week, scrape_status,
         scraped_at, ai_insights, ai_confidence, ai_analyzed_at, source)
       SELECT 'creator_' || i, (10000000000 + i)::text, 'Creator Number ' || i,
              CASE WHEN i % 50 = 0 THEN '=HYPERLINK("http://x.example/' || i || '") bio' ELSE 'Food and travel in Almaty 🍜 ✈️ | collabs: creator' || i || '@mail.kz | новые рецепты каждый день' END,
              1000 + (i::bigint * 7919) % 3000000, 100 + i % 2000, 10 + i % 900, i % 97 = 0, i % 3 = 0, false,
              CASE WHEN i % 3 = 0 THEN 'Digital creator' END, 'https://linktr.ee/creator' || i,
              round(((i % 1000) / 100.0)::numeric, 2), round(((i % 800) / 100.0)::numeric, 2),
              (ARRAY['growing','stable','declining'])[1 + i % 3], round(((i % 140) / 10.0)::numeric, 1), 'active',
              now() - (i % 1000) * interval '1 minute',
              jsonb_build_object(
                'content', jsonb_build_object('primary_topic', 'food', 'content_language', jsonb_build_array('ru', 'kk')),
                'commercial', jsonb_build_object('has_brand_collaborations', i % 2 = 0, 'ad_frequency', 'occasional'),
                'audience_inference', jsonb_build_object('estimated_audience_gender', 'mostly female', 'estimated_audience_age', '25-34', 'estimated_audience_geo', 'Kazakhstan'),
                'notes', 'Posts recipes and restaurant reviews; brand deals with local cafés, about one sponsored post in ten; audience mostly Almaty.'),
              0.8, now(), 'discover:almatyfood'
       FROM generate_series($1::int, $2::int) AS i`,
      [from, to],
    );
    log(`seeded ${to} of ${total}`);
  }
  if (categoryIds.length > 0) {
    await client.query(
      `INSERT INTO blog_categories (blog_id, category_id, is_primary)
       SELECT id, ($1::int[])[1 + id % array_length($1::int[], 1)], true FROM blogs`,
      [categoryIds],
    );
  }
  await client.query('VACUUM ANALYZE blogs');
  await client.query('VACUUM ANALYZE blog_categories');
  return round1((Date.now() - started) / 1000);
}

async function exportOnce(daemon: DaemonProcess, format: 'csv' | 'ndjson') {
  const daemonBefore = await daemon.rssMb();
  const cli = spawn(process.execPath, [path.join(ROOT, 'bin/ig-scout.js'), 'export', 'blogs', '--format', format], {
    cwd: ROOT,
    env: { ...process.env, IG_SCOUT_CLI_BUILD: '1', IG_SCOUT_URL: daemon.api, IG_SCOUT_API_KEY: BENCH_API_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let bytes = 0;
  let newlines = 0;
  let stderr = '';
  cli.stdout!.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  });
  cli.stderr!.on('data', (chunk) => (stderr += chunk));
  const started = Date.now();
  const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
  let running = true;
  let daemonPeak = daemonBefore;
  let cliPeak = 0;
  const sampler = (async () => {
    while (running) {
      daemonPeak = Math.max(daemonPeak, await daemon.rssMb());
      cliPeak = Math.max(cliPeak, await rssOf(cli.pid!).catch(() => 0));
      await sleep(250);
    }
  })();
  const code = await exited;
  running = false;
  await sampler;
  if (code !== 0) throw new Error(`ig-scout export exited ${code}: ${stderr}`);
  return {
    rows: format === 'csv' ? newlines - 1 : newlines, // the CSV's header line; no generated cell holds a line break
    mb: round1(bytes / 1024 / 1024),
    seconds: round1((Date.now() - started) / 1000),
    daemonBefore,
    daemonPeak,
    cliPeak,
  };
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return round1(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024);
}

function dockerfileNodeOptions(): string {
  const options = /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  if (!options) throw new Error('the Dockerfile sets no NODE_OPTIONS="…"');
  return options;
}
