import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Machine } from './machine.js';

export const BENCH_DIR = path.resolve(import.meta.dirname, '..');
/** A quick smoke run (BENCH_QUICK=1) writes beside the real results, never over them. */
export const RESULTS_DIR = path.join(BENCH_DIR, 'results', ...(process.env.BENCH_QUICK === '1' ? ['quick'] : []));

/** One table of figures; `columns` fixes their order in BENCHMARKS.md. */
export interface Table {
  title: string;
  columns: string[];
  rows: Record<string, string | number | boolean | null>[];
}

/** What one part wrote: bench/results/<part>.json. BENCHMARKS.md is rendered from these files alone. */
export interface PartResult {
  part: string;
  title: string;
  /** The command that produced these figures. */
  command: string;
  quick: boolean;
  startedAt: string;
  durationS: number;
  /** 1-minute load average before and after the part (the machine may be shared). */
  load: { before: number; after: number };
  machine: Machine;
  /** Versions of what was measured (graphile-worker, pg-boss, autocannon…). */
  versions: Record<string, string>;
  /** Headline figures, also checked against the targets of issue 8. */
  summary: Record<string, string | number | boolean | null>;
  tables: Table[];
  notes: string[];
}

export async function writePartResult(result: PartResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.part}.json`);
  await writeFile(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

export async function readPartResults(): Promise<PartResult[]> {
  const files = (await readdir(RESULTS_DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  const order = ['queue', 'scrape', 'api', 'memory'];
  const results = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(RESULTS_DIR, f), 'utf8')) as PartResult));
  return results.sort((a, b) => order.indexOf(a.part) - order.indexOf(b.part));
}

export async function packageVersion(name: string): Promise<string> {
  const file = path.join(BENCH_DIR, '..', 'node_modules', name, 'package.json');
  return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
}
