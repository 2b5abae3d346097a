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
    // events.ts writes rows (recordActivity) and statuses with their row (change-status.sql); status-log.ts the
    // admin's status rows; acquire.sql a spent budget's cooldown row. Request rows: ledger.ts only (below).
    owners: /^(src\/accounts\/(events|status-log)\.ts|sql\/accounts\/(change-status|acquire)\.sql)$/,
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

  it('the check sees a write outside the owner: the AI batch module that used to move tasks itself', () => {
    const before = "await db.updateTable('scrape_tasks').set({ status: 'done' })";
    expect(writesOf('scrape_tasks').test(before)).toBe(true);
    expect(writesOf('scrape_tasks').test('UPDATE scrape_tasks AS t SET status = 1')).toBe(true);
    expect(writesOf('scrape_tasks').test("selectFrom('scrape_tasks')")).toBe(false);
  });
});
