import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One owner per table (ARCHITECTURE.md, "Layers"): the modules that write a table's state are listed here, and no
 * other file of src/ or sql/ writes it. A write elsewhere (a new UPDATE of scrape_tasks in a service) fails this
 * test, which names the file: move the statement into the owner and call it.
 */
const root = path.resolve(import.meta.dirname, '../..');

const OWNERS: Record<string, { owners: RegExp; deliberate?: Record<string, string> }> = {
  scrape_tasks: {
    owners: /^(src\/queue\/|sql\/queue\/)/,
    deliberate: {
      // Housekeeping deletes settled rows by age in batches, the same code for three tables; it never moves a task.
      'src/scheduler/housekeeping.ts': 'pruning of settled tasks',
    },
  },
  activity_log: {
    // events.ts writes rows (recordActivity) and statuses with their row (change-status.sql, the admin's changes
    // included); acquire.sql a spent budget's cooldown row. Request rows: ledger.ts only (below).
    owners: /^(src\/accounts\/events\.ts|sql\/accounts\/(change-status|acquire)\.sql)$/,
  },
};

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|sql)$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

function writesOf(table: string): RegExp {
  return new RegExp(
    `(updateTable|insertInto|deleteFrom)\\(\\s*'${table}(?: as \\w+)?'|\\b(UPDATE|INSERT INTO|DELETE FROM)\\s+${table}\\b`,
    'i',
  );
}

/** The files of src/ and sql/ that write `table`. */
function writersOf(table: string, files = [...filesUnder('src'), ...filesUnder('sql')]): string[] {
  const pattern = writesOf(table);
  return files.filter((file) => pattern.test(readFileSync(path.join(root, file), 'utf8'))).sort();
}

/**
 * One writer for an account's status (ARCHITECTURE.md, "One owner per table"): change-status.sql writes the status
 * and its log row in one statement; the lease (acquire.sql) brings an account whose cooldown ended back to active.
 * Any other file that sets ig_accounts.status writes a status without its log row, or in a second statement.
 */
const STATUS_WRITERS = ['sql/accounts/acquire.sql', 'sql/accounts/change-status.sql'];

/**
 * Whether `text` sets ig_accounts.status: a Kysely update whose set() names status, an SQL UPDATE … SET status, or
 * an update of ig_accounts in a file that stamps status_changed_at (a status built elsewhere and spread into set()).
 */
function setsAccountStatus(text: string): boolean {
  if (!/updateTable\(\s*'ig_accounts|\bUPDATE\s+ig_accounts\b/i.test(text)) return false;
  if (/\bstatus_changed_at\b/.test(text)) return true;
  const kysely = /updateTable\(\s*'ig_accounts(?: as \w+)?'\s*\)([\s\S]*?)\.(?:where|execute|returning)\w*\(/g;
  for (const [, set] of text.matchAll(kysely)) if (/[{,]\s*status\s*:/.test(set ?? '')) return true;
  const raw = /\bUPDATE\s+ig_accounts\b(?:\s+AS\s+\w+)?\s+SET\b([\s\S]*?)(?:\bFROM\b|\bWHERE\b|\bRETURNING\b|;|$)/gi;
  for (const [, set] of text.matchAll(raw)) if (/(?:^|,)\s*(?:\w+\.)?status\s*=/.test(set ?? '')) return true;
  return false;
}

describe('table owners', () => {
  for (const [table, { owners, deliberate = {} }] of Object.entries(OWNERS)) {
    it(`${table} is written only by its owner`, () => {
      const strangers = writersOf(table).filter((file) => !owners.test(file) && !(file in deliberate));
      expect(strangers).toEqual([]);
    });
  }

  it("the request ledger has one writer: only src/accounts/ledger.ts makes activity_log rows of kind 'request'", () => {
    const makesRequestRows = /kind:\s*'request'/;
    const writers = filesUnder('src').filter((file) => makesRequestRows.test(readFileSync(path.join(root, file), 'utf8')));
    expect(writers).toEqual(['src/accounts/ledger.ts']);
  });

  it("ig_accounts.status is written only by change-status.sql (and the lease's acquire.sql)", () => {
    const writers = [...filesUnder('src'), ...filesUnder('sql')].filter((file) =>
      setsAccountStatus(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(writers.sort()).toEqual(STATUS_WRITERS);
  });

  it('the status check names the two files that used to bypass change-status.sql, and not the other account updates', () => {
    // Excerpts of repository.ts (updateAccount) and proxy-repository.ts (deleteProxy) before they called
    // changeAccountStatus: the first spread a status built by statusChange() into its set().
    const oldUpdateAccount = `await trx
      .updateTable('ig_accounts')
      .set({ updated_at: sql\`now()\`, ...(change?.set ?? {}) })
      .where('id', '=', id)
      .execute();
    function statusChange(patch) {
      if (patch.status === 'disabled') return { set: { status: 'disabled', status_changed_at: sql\`now()\` } };
    }`;
    const oldDeleteProxy = `await trx
        .updateTable('ig_accounts')
        .set({ proxy_id: null, status: 'proxy_error', status_reason: reason, updated_at: sql\`now()\` })
        .where('id', '=', account.id)`;
    expect(setsAccountStatus(oldUpdateAccount)).toBe(true);
    expect(setsAccountStatus(oldDeleteProxy)).toBe(true);
    expect(setsAccountStatus('UPDATE ig_accounts AS a SET leased_by = NULL, status = $2 WHERE a.id = 1')).toBe(true);
    expect(setsAccountStatus('UPDATE ig_accounts AS a SET leased_by = NULL, updated_at = now() FROM recovered')).toBe(false);
    expect(setsAccountStatus("updateTable('ig_accounts').set({ proxy_id: null }).where('status', '=', 'active')")).toBe(false);
    expect(setsAccountStatus("updateTable('proxies').set({ status: 'active' }).where('id', '=', 1)")).toBe(false);
  });

  it('the check sees a write outside the owner: the AI batch module that used to move tasks itself', () => {
    const before = "await db.updateTable('scrape_tasks').set({ status: 'done' })";
    expect(writesOf('scrape_tasks').test(before)).toBe(true);
    expect(writesOf('scrape_tasks').test('UPDATE scrape_tasks AS t SET status = 1')).toBe(true);
    expect(writesOf('scrape_tasks').test("selectFrom('scrape_tasks')")).toBe(false);
  });
});
