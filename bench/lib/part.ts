import { describeMachine, loadAverage } from './machine.js';
import { openBenchPostgres } from './postgres.js';
import { writeMarkdown } from './markdown.js';
import { writePartResult, type PartResult, type Table } from './results.js';
import { quick } from './stats.js';

/** What a part measures, given a fresh database of its own. */
export interface BenchPart {
  name: string;
  title: string;
  /** The npm script that runs it alone. */
  script: string;
  run(databaseUrl: string): Promise<PartOutput>;
}

export interface PartOutput {
  versions?: Record<string, string>;
  summary: PartResult['summary'];
  tables: Table[];
  notes: string[];
}

/**
 * Runs parts one after the other on one Postgres server, writes bench/results/<part>.json after each (so a part
 * that fails later loses nothing), then renders BENCHMARKS.md from every result file present.
 */
export async function runParts(parts: BenchPart[], command: string): Promise<void> {
  const postgres = await openBenchPostgres();
  // Ctrl-C must not leave the embedded Postgres running (it is detached in its own process group).
  const interrupted = () => void postgres.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (const part of parts) {
      const url = await postgres.database(`bench_${part.name}`);
      const machine = await describeMachine(url);
      const before = loadAverage();
      const started = Date.now();
      log(`── ${part.title} (load ${before}) ──`);
      const output = await part.run(url);
      const result: PartResult = {
        part: part.name,
        title: part.title,
        command: `${quick() ? 'BENCH_QUICK=1 ' : ''}${command}`,
        quick: quick(),
        startedAt: new Date(started).toISOString(),
        durationS: Math.round((Date.now() - started) / 1000),
        load: { before, after: loadAverage() },
        machine,
        versions: output.versions ?? {},
        summary: output.summary,
        tables: output.tables,
        notes: output.notes,
      };
      const file = await writePartResult(result);
      log(`${part.name}: ${JSON.stringify(result.summary)} → ${file}`);
    }
  } finally {
    await postgres.stop();
  }
  const md = await writeMarkdown();
  log(`wrote ${md}`);
}

export function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}
