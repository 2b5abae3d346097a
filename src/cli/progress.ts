import cliProgress from 'cli-progress';
import type { Output } from './output.js';

/** A progress bar on stderr while a person watches (a terminal, no --json); nothing otherwise. */
export interface Progress {
  update(value: number, total: number, status: string): void;
  stop(): void;
}

export function progressBar(output: Output, label: string): Progress {
  if (!output.interactive) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {status}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total, status) {
      const safeTotal = Math.max(total, value, 1);
      if (!started) {
        bar.start(safeTotal, value, { status });
        started = true;
      } else {
        bar.setTotal(safeTotal);
        bar.update(value, { status });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
