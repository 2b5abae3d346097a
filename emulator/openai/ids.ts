// Deterministic identifiers and pseudo-randomness. Everything the emulator
// "makes up" is a hash of the seed plus stable inputs, so the same seed and the
// same sequence of calls give byte-identical objects and files.
import { createHash } from 'node:crypto';

export function hashHex(...parts: Array<string | number>): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(String(part)).update('\u0000');
  return h.digest('hex');
}

/** A float in [0, 1) derived from the parts. */
export function hashUnit(...parts: Array<string | number>): number {
  return parseInt(hashHex(...parts).slice(0, 12), 16) / 2 ** 48;
}

/** An integer in [0, n) derived from the parts. */
export function hashIndex(n: number, ...parts: Array<string | number>): number {
  return n <= 0 ? 0 : Math.floor(hashUnit(...parts) * n);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(hex: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % ALNUM.length];
  return out;
}

/** Mints ids in the real formats (`file-…`, `batch_…`, `batch_req_…`, `req_…`, `chatcmpl-…`). */
export class IdMinter {
  /** One counter per kind, so e.g. the number of polls never shifts the next batch's id. */
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: number) {}

  /** Sequential ids: the n-th upload/batch/request gets the same id for the same seed. */
  next(kind: 'file' | 'batch' | 'req'): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const hex = hashHex(this.seed, kind, n);
    if (kind === 'file') return `file-${alnum(hex, 22)}`;
    if (kind === 'batch') return `batch_${hex.slice(0, 32)}`;
    return `req_${hex.slice(0, 32)}`;
  }

  /** A batch's output/error file id: tied to the batch, not to when the file happened to be written. */
  forResultFile(batchId: string, kind: 'output' | 'error'): string {
    return `file-${alnum(hashHex(this.seed, 'result-file', batchId, kind), 22)}`;
  }

  /** Ids of one answered line: stable for (batch, custom_id). */
  forLine(batchId: string, customId: string): { lineId: string; requestId: string; completionId: string } {
    const hex = hashHex(this.seed, 'line', batchId, customId);
    return {
      lineId: `batch_req_${hex.slice(0, 32)}`,
      requestId: `req_${hex.slice(32, 64)}`,
      completionId: `chatcmpl-${alnum(hashHex(hex, 'cmpl'), 29)}`,
    };
  }
}

/** Deterministic Fisher–Yates shuffle (the real output order is not the input order). */
export function seededShuffle<T>(items: readonly T[], ...seedParts: Array<string | number>): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = hashIndex(i + 1, ...seedParts, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
