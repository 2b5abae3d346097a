/**
 * `npm run test:mutants`: does the suite see the safety rules it names? Each mutation below is a small, realistic
 * bug in the SQL or the pool (a lease condition dropped, a cooldown ignored, an off-by-one budget, a due time
 * skipped, backoff flattened, dedupe lost, redaction emptied). For each one, the script applies it to a throw-away
 * copy of the working tree, runs only the tests that guard that rule, and reports whether they failed (caught) or
 * passed (survived). Not part of `npm test`: it runs the guarding tests once per mutation, about 5 minutes.
 *
 * Exit code: 0 when every mutation was caught, 1 when one survived, 2 when the list no longer matches the code
 * (a `find` text that is not there exactly once) or the unmutated tests fail — then the check proves nothing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Edit {
  file: string;
  /** Exact text that must occur once in the file. */
  find: string;
  replace: string;
}

interface Mutation extends Edit {
  /** The rule a user relies on that this bug breaks. */
  rule: string;
  /** Further edits that make up the same bug (a SQL statement and the index it relies on). */
  also?: Edit[];
  /** Test files that must fail with the bug in. */
  tests: string[];
}

/** A guarding run that hangs (a bug can make code loop) is stopped here and counted as caught, with the reason. */
const RUN_TIMEOUT_MS = 300_000;

const POOL = ['test/accounts/pool.test.ts', 'test/accounts/pool-load.test.ts'];

export const MUTATIONS: Mutation[] = [
  {
    rule: 'one account, one task: acquire ignores an unexpired lease',
    file: 'sql/accounts/acquire.sql',
    find: '    AND (a.leased_until IS NULL OR a.leased_until < now())\n',
    replace: '',
    tests: POOL,
  },
  {
    rule: 'cooldown: acquire takes an account inside its cooldown',
    file: 'sql/accounts/acquire.sql',
    find: "(a.status = 'active' OR (a.status = 'cooldown' AND a.cooldown_until <= now()))",
    replace: "(a.status = 'active' OR a.status = 'cooldown')",
    tests: POOL,
  },
  {
    rule: 'budget: one request more than the window allows',
    file: 'sql/accounts/acquire.sql',
    find: '    AND used.n < CASE',
    replace: '    AND used.n <= CASE',
    // The lease carries the budget its holder checks before each request: read one too high, like the WHERE.
    also: [
      {
        file: 'sql/accounts/acquire.sql',
        find: '  CASE WHEN $8::int = 0 THEN candidate.window_budget\n',
        replace: '  CASE WHEN $8::int = 0 THEN candidate.window_budget + 1\n',
      },
    ],
    tests: POOL,
  },
  {
    rule: 'proxy: an account whose proxy failed is still leased',
    file: 'sql/accounts/acquire.sql',
    find: "    AND (a.proxy_id IS NULL OR p.status = 'active')\n",
    replace: '',
    tests: [...POOL, 'test/accounts/runner-accounts.test.ts'],
  },
  {
    rule: 'lease renewal: any holder may renew an account lease',
    file: 'src/accounts/lease.ts',
    find: "    .where('id', '=', id)\n    .where('leased_by', '=', holder)\n    .returning('id')",
    replace: "    .where('id', '=', id)\n    .returning('id')",
    tests: POOL,
  },
  {
    rule: 'due time: the claim takes a task before its run_at',
    file: 'sql/queue/claim.sql',
    find: "WHERE status = 'pending' AND run_at <= now() AND",
    replace: "WHERE status = 'pending' AND",
    tests: ['test/queue/queue.test.ts', 'test/queue/handoff.test.ts'],
  },
  {
    rule: 'due time on the busy path: complete-and-claim takes a task before its run_at',
    file: 'sql/queue/complete-claim.sql',
    find: "WHERE status = 'pending' AND run_at <= now() AND task_type = ANY ($6::text[])",
    replace: "WHERE status = 'pending' AND task_type = ANY ($6::text[])",
    // The statement claims two groups (tasks for accounts usable now, then the others): the bug is in both.
    also: [
      {
        file: 'sql/queue/complete-claim.sql',
        find: "WHERE status = 'pending' AND run_at <= now() AND task_type = ANY ($8::text[])",
        replace: "WHERE status = 'pending' AND task_type = ANY ($8::text[])",
      },
    ],
    tests: ['test/queue/handoff.test.ts', 'test/queue/runner.test.ts'],
  },
  {
    rule: 'backoff: a retry waits base × factor^(attempts − 1), not a flat base',
    file: 'sql/queue/fail.sql',
    find: '($5 * power($6::numeric, attempts - 1))',
    replace: '($5)',
    tests: ['test/queue/queue.test.ts', 'test/queue/handoff.test.ts'],
  },
  {
    rule: 'lease-conditioned outcomes: a run that lost its lease may still fail the task',
    file: 'sql/queue/fail.sql',
    find: 'WHERE id = $1 AND locked_by = $2',
    replace: 'WHERE id = $1',
    tests: ['test/queue/queue.test.ts', 'test/queue/handoff.test.ts'],
  },
  {
    rule: 'recovery: a live lease is taken back as if it had expired',
    file: 'sql/queue/recover.sql',
    find: "WHERE status = 'running' AND locked_until < now()",
    replace: "WHERE status = 'running'",
    tests: ['test/queue/queue.test.ts'],
  },
  {
    rule: 'dedupe: a request for work that is running creates a second task',
    file: 'sql/queue/enqueue.sql',
    find: "ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running', 'waiting_batch')",
    replace: "ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'waiting_batch')",
    also: [
      {
        file: 'migrations/0001_core.sql',
        find: "  WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running', 'waiting_batch');",
        replace: "  WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'waiting_batch');",
      },
    ],
    tests: ['test/queue/queue.test.ts', 'test/http/tasks-api.test.ts'],
  },
  {
    rule: 'redaction: secrets logged by accident reach the output',
    file: 'src/logger.ts',
    find: "redact: { paths: REDACTED_PATHS, censor: '[redacted]' },",
    replace: "redact: { paths: [], censor: '[redacted]' },",
    tests: ['test/unit/logger-redaction.test.ts'],
  },
];

const root = path.resolve(import.meta.dirname, '..');

function runTests(dir: string, tests: string[]): { passed: boolean; summary: string } {
  const run = spawnSync('npx', ['vitest', 'run', ...tests], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (run.error || run.signal)
    return { passed: false, summary: `stopped after ${RUN_TIMEOUT_MS / 1000} s (${run.signal ?? run.error?.message})` };
  const summary =
    (run.stdout + run.stderr)
      .split('\n')
      .find((l) => /^\s*Tests\s/.test(l))
      ?.trim() ?? `exit ${run.status}`;
  return { passed: run.status === 0, summary };
}

function main(): number {
  const only = process.argv.slice(2);
  const chosen = only.length ? MUTATIONS.filter((m, i) => only.includes(String(i + 1))) : MUTATIONS;
  // A throw-away copy, so the working tree is never left mutated whatever happens to this process.
  const copy = mkdtempSync(path.join(os.tmpdir(), 'igscout-mutants-'));
  try {
    cpSync(root, copy, { recursive: true, filter: (src) => !/[/\\](node_modules|\.git|\.data|dist)$/.test(src) });
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');

    for (const m of chosen) {
      for (const edit of [m, ...(m.also ?? [])]) {
        const count = readFileSync(path.join(copy, edit.file), 'utf8').split(edit.find).length - 1;
        if (count !== 1) {
          console.error(`mutation list out of date: "${m.rule}" finds its text ${count} times in ${edit.file}`);
          return 2;
        }
      }
    }
    const allTests = [...new Set(chosen.flatMap((m) => m.tests))];
    const baseline = runTests(copy, allTests);
    console.log(`baseline (no mutation): ${baseline.passed ? 'pass' : 'FAIL'} — ${baseline.summary}`);
    if (!baseline.passed) return 2;

    let survived = 0;
    for (const m of chosen) {
      const number = MUTATIONS.indexOf(m) + 1;
      const edits = [m, ...(m.also ?? [])];
      const originals = new Map(edits.map((edit) => [edit.file, readFileSync(path.join(copy, edit.file), 'utf8')]));
      for (const edit of edits) {
        const file = path.join(copy, edit.file);
        writeFileSync(file, readFileSync(file, 'utf8').replace(edit.find, edit.replace));
      }
      const started = Date.now();
      const result = runTests(copy, m.tests);
      for (const [file, text] of originals) writeFileSync(path.join(copy, file), text);
      if (result.passed) survived++;
      const line = `${result.passed ? 'SURVIVED' : 'caught  '}  ${String(number).padStart(2)}. ${m.rule} (${m.file}; ${result.summary}; ${((Date.now() - started) / 1000).toFixed(0)} s)`;
      console.log(line);
    }
    console.log(`\n${chosen.length - survived} of ${chosen.length} mutations caught, ${survived} survived`);
    return survived === 0 ? 0 : 1;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

process.exitCode = main();
