import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { discover, followers, listTasks, manageTask } from './commands/tasks.js';
import { EXPORTS, exportRows, type ExportWhat } from './commands/export.js';
import { health } from './commands/health.js';
import { importFile } from './commands/imports.js';
import { logs } from './commands/logs.js';
import { scrape } from './commands/scrape.js';
import { contextOf } from './context.js';
import { LEVELS, type Level } from './log-level.js';

const TASK_STATUSES = ['pending', 'running', 'waiting_batch', 'done', 'failed', 'cancelled'];
const TASK_TYPES = ['full_scrape', 'discover', 'followers', 'audience_quality', 'ai_analysis'];

/**
 * The `ig-scout` command line: commander parses, each command is a function of the API client and the output
 * (src/cli/commands/), and `run` reports the exit code it returns. Parse errors exit 2 (see main.ts).
 */
export function buildProgram(run: (code: Promise<number>) => void, stop: AbortSignal): Command {
  const program = new Command('ig-scout')
    .description(
      'Command line of the ig-scout daemon, through its HTTP API.\n' +
        'Daemon: IG_SCOUT_URL (default http://localhost:8001). Key: IG_SCOUT_API_KEY, SCRAPER_API_KEY, or $DATA_DIR/api-key\n' +
        '(./.data/api-key beside a zero-setup daemon).\n' +
        'Exit codes: 0 ok, 1 the work failed, 2 bad usage or input, 3 daemon unreachable or key refused, 4 daemon error, 5 --timeout passed.',
    )
    .version(packageVersion(), '-V, --version')
    .option('--json', 'machine-readable output on stdout (progress bars off)')
    .option('--url <url>', 'the daemon, instead of IG_SCOUT_URL')
    .showHelpAfterError('(ig-scout --help shows the commands)')
    .exitOverride();

  program
    .command('scrape')
    .description('scrape creators (one full_scrape each); with --wait, show progress, then their metrics')
    .argument('<usernames...>', 'Instagram usernames, @ optional')
    .option('-w, --wait', 'wait until every scrape is finished and print the metrics table')
    .addOption(priorityOption(1, 3))
    .addOption(timeoutOption())
    .action(async (usernames: string[], options, command: Command) =>
      run(contextOf(command).then((ctx) => scrape(ctx, usernames, options))),
    );

  program
    .command('discover')
    .description('discover creators from a hashtag')
    .argument('<hashtag>', 'hashtag, # optional')
    .option('-w, --wait', 'wait until the discover task is finished and print what it found')
    .addOption(priorityOption(1, 10))
    .addOption(timeoutOption())
    .action(async (hashtag: string, options, command: Command) => run(contextOf(command).then((ctx) => discover(ctx, hashtag, options))));

  program
    .command('followers')
    .description("fetch a creator's followers (or, with --following, whom it follows)")
    .argument('<username>', 'Instagram username, @ optional')
    .option('--following', 'the following list instead of the followers')
    .option('--max <n>', 'stop after this many accounts', integer(1, 1_000_000))
    .option('-w, --wait', 'wait until the list is fetched, with a progress bar')
    .addOption(timeoutOption())
    .action(async (username: string, options, command: Command) =>
      run(contextOf(command).then((ctx) => followers(ctx, username, options))),
    );

  program
    .command('tasks')
    .description('list tasks, newest first')
    .addOption(new Option('--status <status>', 'only tasks in this status').choices(TASK_STATUSES))
    .addOption(new Option('--type <type>', 'only tasks of this type').choices(TASK_TYPES))
    .option('--limit <n>', 'how many (1–500)', integer(1, 500), 50)
    .action(async (options, command: Command) => run(contextOf(command).then((ctx) => listTasks(ctx, options))));

  for (const action of ['retry', 'cancel'] as const) {
    program
      .command(action)
      .description(action === 'retry' ? 'run a failed or cancelled task again' : 'cancel a pending or running task')
      .argument('<id>', 'task id', integer(1, Number.MAX_SAFE_INTEGER))
      .action(async (id: number, _options, command: Command) => run(contextOf(command).then((ctx) => manageTask(ctx, action, id))));
  }

  program
    .command('export')
    .description('stream an export to stdout: blogs (with filters), or the followers / following / mutuals of a username')
    .addArgument(new Argument('<what>', 'what to export').choices(EXPORTS))
    .argument('[username]', 'for followers, following and mutuals')
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'ndjson']).default('csv'))
    .option(
      '--filter <key=value>',
      'a filter of GET /api/blogs (q, category, min_followers, max_followers, min_er, brand, source, …); repeat for more',
      collect,
      [],
    )
    .addOption(new Option('--relation <relation>', 'for mutuals').choices(['mutual', 'followers_only', 'following_only']))
    .action(async (what: ExportWhat, username: string | undefined, options, command: Command) =>
      run(contextOf(command).then((ctx) => exportRows(ctx, what, username, options))),
    );

  for (const what of ['accounts', 'proxies'] as const) {
    const group = program.command(what).description(`manage ${what}`);
    const sub = group
      .command('import')
      .description(
        what === 'accounts'
          ? 'import accounts: username:password[:proxy-url] a line (- reads stdin); idempotent'
          : 'import proxies: scheme://user:pass@host:port, host:port, host:port:user:pass a line (- reads stdin); idempotent',
      )
      .argument('<file>', 'the list, or - for stdin');
    if (what === 'accounts') sub.option('--assign-proxies', 'bind each imported account without a proxy to a free active proxy');
    sub.action(async (file: string, options, command: Command) =>
      run(contextOf(command).then((ctx) => importFile(ctx, what, file, options))),
    );
  }

  program
    .command('logs')
    .description('the activity log (Instagram calls, logins, status changes, checks); -f follows it')
    .option('-f, --follow', 'keep printing new rows until Ctrl-C')
    .option('--task <id>', 'only rows of this task', integer(1, Number.MAX_SAFE_INTEGER))
    .option('--account <name>', 'only rows of this account (username or id)')
    .addOption(
      new Option('--level <level>', 'at least this level: info (all), warn (not ok), error (needs a person)')
        .choices(LEVELS)
        .default('info' as Level),
    )
    .option('-n, --lines <n>', 'how many recent rows to show first (0–500)', integer(0, 500), 20)
    .action(async (options, command: Command) => run(contextOf(command).then((ctx) => logs(ctx, options, stop))));

  program
    .command('health')
    .description('readiness of the daemon, its tasks and accounts (exit 0 ok, 1 degraded, 4 not ready, 3 unreachable)')
    .action(async (_options, command: Command) => run(contextOf(command).then((ctx) => health(ctx))));

  return program;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`give a whole number from ${min} to ${max.toLocaleString('en-US')}`);
    }
    return n;
  };
}

function priorityOption(min: number, max: number) {
  return new Option('--priority <n>', `priority ${min}–${max} (1 most urgent)`).argParser(integer(min, max));
}

function timeoutOption() {
  return new Option('--timeout <seconds>', 'with --wait: give up watching after this long (exit 5; the work goes on)').argParser(
    (value) => integer(1, 7 * 86_400)(value) * 1000,
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The version of the package the CLI belongs to (src/cli or dist/src/cli, found by walking up). */
function packageVersion(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ig-scout') return pkg.version ?? 'unknown';
    } catch {
      // not here: go up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
