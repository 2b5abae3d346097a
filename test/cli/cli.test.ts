import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Daemons, type WorkerProcess } from '../helpers/processes.js';
import { runCli, spawnCli } from './run-cli.js';

/**
 * The `ig-scout` command line as a user runs it: a child process (`npx ig-scout`, or the same bin through node)
 * against a real daemon process with the production registry, its accounts and proxies on the Instagram emulator.
 */
const API_KEY = 'cli-test-key-0123456789abcdef0123';
let testDb: TestDatabase;
let emulator: InstagramEmulator;
let daemon: WorkerProcess;
let env: Record<string, string>;
let tmp: string;
let accounts: { username: string; password: string }[];
const daemons = new Daemons();

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  emulator = await startInstagramEmulator({ seed: 11, proxies: 2, world: { accounts: 6 } });
  accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, 2);
  daemon = await daemons.start({
    DATABASE_URL: testDb.url,
    SCRAPER_API_KEY: API_KEY,
    ENCRYPTION_KEY: 'ab'.repeat(32),
    WORKER_TASKS: 'production',
    WORKER_CONCURRENCY: '2',
    QUEUE_POLL_INTERVAL_MS: '500',
    IG_PROXIES: emulator.proxyUrls.join('\n'),
    IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
    ACCOUNT_REQUESTS_PER_HOUR: '1000',
    ACCOUNT_WARMUP_DAYS: '0',
    ACCOUNT_REQUEST_DELAY_MIN_MS: '20',
    ACCOUNT_REQUEST_DELAY_MAX_MS: '50',
    SCHEDULER_ENABLED: 'false',
  });
  env = { IG_SCOUT_URL: `http://127.0.0.1:${daemon.port}`, IG_SCOUT_API_KEY: API_KEY, IG_SCOUT_POLL_MS: '200' };
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ig-scout-cli-'));
}, 180_000);

afterAll(async () => {
  await daemons.killAll();
  await emulator?.close();
  await testDb?.drop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const api = async (route: string) => {
  const response = await fetch(`${env.IG_SCOUT_URL}${route}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return (await response.json()) as any;
};

describe('ig-scout against a daemon on the emulator', () => {
  it("npx ig-scout scrape @a --wait prints the creator's metrics; export blogs --format csv parses with its BOM", async () => {
    const [first, second] = emulator.world.examples().usernames as [string, string];
    const run = await runCli(['scrape', `@${first}`, second, '--wait'], env, { npx: true });
    expect(run.code, run.stderr).toBe(0);

    for (const username of [first, second]) {
      const creator = emulator.world.creators.find((c) => c.username === username)!;
      const blog = await api(`/api/blogs/${username}`);
      expect(blog.scraped_at).not.toBeNull();
      // The row of the table: the username, the follower count as Instagram gave it, the ER the daemon computed.
      const row = run.stdout.split('\n').find((line) => line.includes(`@${username} `))!;
      expect(row, run.stdout).toBeDefined();
      expect(row).toContain(creator.followerCount.toLocaleString('en-US'));
      expect(row).toContain(`${blog.er.toFixed(2)} %`);
    }
    // Not a terminal: no progress bar, a line per finished task on stderr instead; stdout is only the table.
    expect(run.stderr).toMatch(new RegExp(`full_scrape \\d+ @${first}: done`));
    expect(run.stdout).not.toMatch(/waiting for/);

    const csv = await runCli(['export', 'blogs', '--format', 'csv'], env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.charCodeAt(0)).toBe(0xfeff); // UTF-8 BOM for Excel
    const rows = parse(csv.stdout, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows.map((r) => r.username).sort()).toEqual([first, second].sort());
    const creator = emulator.world.creators.find((c) => c.username === first)!;
    expect(Number(rows.find((r) => r.username === first)!.follower_count)).toBe(creator.followerCount);

    const ndjson = await runCli(['export', 'blogs', '--format', 'ndjson', '--filter', `q=${first}`], env);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    expect(
      ndjson.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).username),
    ).toEqual([first]);

    // --json: the same result for a program.
    const tasks = await runCli(['--json', 'tasks', '--status', 'done', '--type', 'full_scrape'], env);
    expect(tasks.code, tasks.stderr).toBe(0);
    expect((JSON.parse(tasks.stdout) as any[]).map((t) => t.payload.username).sort()).toEqual([first, second].sort());
  }, 120_000);

  it("exits 2 with a message on bad usage, the command line's or the daemon's", async () => {
    const missing = await runCli(['scrape'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'usernames'/);

    const format = await runCli(['export', 'blogs', '--format', 'xml'], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/'xml' is invalid.*csv, ndjson/s);

    const unknown = await runCli(['scrap', 'x'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'scrap'/);

    const id = await runCli(['retry', 'twelve'], env);
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(/give a whole number/);

    // The daemon refuses it (400): its message, exit 2, nothing queued.
    const before = (await api('/api/tasks?limit=500')).items.length;
    const refused = await runCli(['scrape', 'not a username!'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/POST \/api\/tasks\/scrape: 400 .*is not a valid Instagram username/);
    expect((await api('/api/tasks?limit=500')).items.length).toBe(before);

    const filter = await runCli(['export', 'blogs', '--filter', 'min_followers=lots'], env);
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/min_followers must be a number/);
    expect(filter.stdout).toBe('');

    const noTask = await runCli(['cancel', '999999'], env);
    expect(noTask.code).toBe(2);
    expect(noTask.stderr).toMatch(/task 999999 does not exist/);
  }, 60_000);

  it('exits 3 with a clear message when the daemon is unreachable or refuses the key', async () => {
    const closed = await closedPort();
    const down = await runCli(['health'], { ...env, IG_SCOUT_URL: `http://127.0.0.1:${closed}` });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`cannot reach the ig-scout daemon at http://127.0.0.1:${closed}: ECONNREFUSED`);
    expect(down.stderr).toMatch(/IG_SCOUT_URL/);
    expect(down.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const wrongKey = await runCli(['tasks'], { ...env, IG_SCOUT_API_KEY: 'not-the-key-0123456789abcdef' });
    expect(wrongKey.code).toBe(3);
    expect(wrongKey.stderr).toMatch(/401 .*the key from IG_SCOUT_API_KEY was refused/);

    // No key anywhere: says where it looked.
    const emptyDir = path.join(tmp, 'empty');
    const noKey = await runCli(['tasks'], { IG_SCOUT_URL: env.IG_SCOUT_URL!, DATA_DIR: emptyDir });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toContain(`no API key found (looked in IG_SCOUT_API_KEY, SCRAPER_API_KEY or ${path.join(emptyDir, 'api-key')})`);
  }, 60_000);

  it('reads the key a zero-setup daemon wrote to DATA_DIR/api-key; health exits 0 when ok', async () => {
    const dataDir = path.join(tmp, 'data');
    await import('node:fs/promises').then((fs) => fs.mkdir(dataDir, { recursive: true }));
    await writeFile(path.join(dataDir, 'api-key'), `${API_KEY}\n`);
    const run = await runCli(['health'], { IG_SCOUT_URL: env.IG_SCOUT_URL!, DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/: ok \(version/);
    expect(accounts.length).toBeGreaterThan(1);
    expect(run.stdout).toContain(`accounts: ${accounts.length} usable of ${accounts.length}`);
  }, 60_000);

  it('proxies import reports created and refused lines by number, never the secrets; exit 1 when a line is refused', async () => {
    const file = path.join(tmp, 'proxies.txt');
    await writeFile(file, 'http://user:s3cret-pass@10.1.2.3:8080\nnot a proxy\n');
    const run = await runCli(['proxies', 'import', file], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/proxies: 1 created, 0 updated, 0 unchanged, 1 refused/);
    expect(run.stderr).toMatch(/line 2: /);
    expect(run.stdout + run.stderr).not.toContain('s3cret-pass');

    const again = await runCli(['--json', 'proxies', 'import', '-'], env, { stdin: 'http://user:s3cret-pass@10.1.2.3:8080\n' });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, skipped: 1, errors: [] });
  }, 60_000);

  it('exits 5 when --timeout passes with the work still going; cancel works once, then exits 1 with the refusal', async () => {
    // A list of this many pages takes longer than a second: each page waits at least ACCOUNT_REQUEST_DELAY_MIN_MS.
    const target = emulator.world.followersAccount;
    expect(target.followerCount / 25).toBeGreaterThan(50);
    const run = await runCli(['followers', target.username, '--wait', '--timeout', '1'], env);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/timed out with 1 task\(s\) unfinished \(\d+ (pending|running)\); they go on in the daemon/);
    const id = Number(/unfinished \((\d+) /.exec(run.stderr)![1]);
    const task = await api(`/api/tasks/${id}`);
    expect(task.task_type).toBe('followers');
    expect(['pending', 'running']).toContain(task.status); // giving up watching did not stop it

    const cancel = await runCli(['cancel', String(id)], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`task ${id} (followers) is cancelled`);
    const again = await runCli(['cancel', String(id)], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`POST /api/tasks/${id}/cancel: 409 `));
  }, 60_000);

  it('logs -f prints a row written after it started, and only the task asked for', async () => {
    const write = async (action: string, taskId: number | null) =>
      (
        await testDb.db
          .insertInto('activity_log')
          .values({ kind: 'request', action, outcome: 'ok', task_id: taskId })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    await write('cli-before', 424242);
    const child = spawnCli(['logs', '-f', '--task', '424242', '-n', '1'], env);
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => lines.some((l) => l.includes('cli-before')), { timeoutMs: 30_000, what: `the last row shown first (${stderr})` });
      await write('cli-other-task', 7);
      await write('cli-after', 424242);
      await waitFor(() => lines.some((l) => l.includes('cli-after')), { timeoutMs: 30_000, what: `the new row followed (${stderr})` });
      expect(lines.some((l) => l.includes('cli-other-task'))).toBe(false);
      expect(lines.find((l) => l.includes('cli-after'))).toMatch(/INFO\s+request cli-after ok task 424242/);
    } finally {
      child.kill('SIGINT'); // Ctrl-C is how -f ends: exit 0
    }
    expect(await exited).toBe(0);
  }, 60_000);
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
