import Table from 'cli-table3';

/**
 * What a command prints and where: results on stdout (a table for people, or with --json one JSON document for
 * programs), progress and notes on stderr, so `ig-scout … > file` keeps only the result.
 */
export interface Output {
  json: boolean;
  /** Progress bars only where a person watches: stderr is a terminal and --json is off. */
  interactive: boolean;
  out(text: string): void;
  note(text: string): void;
  printJson(value: unknown): void;
}

export function createOutput(options: { json: boolean }, streams = { stdout: process.stdout, stderr: process.stderr }): Output {
  return {
    json: options.json,
    interactive: !options.json && streams.stderr.isTTY === true,
    out: (text) => void streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => void streams.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    printJson: (value) => void streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

const BORDERLESS = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((k) => [k, '']),
);

export type Cell = string | number | boolean | null | undefined;

/** A plain table: no colours, so it reads the same in a terminal, a file and a CI log. */
export function table(head: string[], rows: Cell[][]): string {
  // Columns without borders (as kubectl or docker print them): a hundred tasks fit a screen, and grep and cut work.
  const t = new Table({ head, chars: BORDERLESS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 } });
  for (const row of rows) t.push(row.map(cell));
  return t
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

function cell(value: Cell): string {
  if (value === null || value === undefined || value === '') return '—';
  return String(value);
}

/** 1234567 → 1,234,567; null → — */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('en-US');
}

/** A percentage with two decimals (the API gives ER in percent already). */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(2)} %`;
}

export function decimal(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '—' : value.toFixed(digits);
}

/** An ISO time as 2026-11-23 05:31:02 (UTC), short enough for a table. */
export function time(value: string | null | undefined): string {
  if (!value) return '—';
  return value.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}
