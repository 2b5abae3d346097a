// A batch's internal state and its two projections: the wire object the API
// returns, and the output/error JSONL files written when it ends.
import type { FileStore } from './files.js';
import { seededShuffle, type IdMinter } from './ids.js';
import type { ExecutedLine } from './responder.js';
import type { BatchErrorEntry, BatchFault, BatchObject, BatchRequestLine, BatchStatus, OutputLine, RequestCounts } from './types.js';

/** Milliseconds since the epoch at which each phase began. */
export interface BatchTimes {
  created: number;
  expires: number;
  inProgress?: number;
  finalizing?: number;
  completed?: number;
  failed?: number;
  expired?: number;
  cancelling?: number;
  cancelled?: number;
}

export interface BatchRecord {
  id: string;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  model: string | null;
  status: BatchStatus;
  times: BatchTimes;
  errors: BatchErrorEntry[] | null;
  /** The validated request lines (empty until validation passes). */
  requests: BatchRequestLine[];
  /** Lines answered so far, in execution (= input) order. */
  executed: ExecutedLine[];
  outputFileId: string | null;
  errorFileId: string | null;
  fault: BatchFault | null;
}

export const TERMINAL: ReadonlySet<BatchStatus> = new Set(['completed', 'failed', 'expired', 'cancelled']);

const sec = (ms: number | undefined): number | null => (ms === undefined ? null : Math.floor(ms / 1000));

export function requestCounts(record: BatchRecord): RequestCounts {
  const failed = record.executed.filter((l) => l.file === 'error').length;
  return { total: record.requests.length, completed: record.executed.length - failed, failed };
}

export function toBatchObject(record: BatchRecord): BatchObject {
  const input = record.executed.reduce((sum, l) => sum + l.promptTokens, 0);
  const output = record.executed.reduce((sum, l) => sum + l.completionTokens, 0);
  const reasoning = record.executed.reduce((sum, l) => sum + l.reasoningTokens, 0);
  const t = record.times;
  return {
    id: record.id,
    object: 'batch',
    endpoint: record.endpoint,
    model: record.model,
    errors: record.errors ? { object: 'list', data: record.errors } : null,
    input_file_id: record.inputFileId,
    completion_window: record.completionWindow,
    status: record.status,
    output_file_id: record.outputFileId,
    error_file_id: record.errorFileId,
    created_at: Math.floor(t.created / 1000),
    in_progress_at: sec(t.inProgress),
    expires_at: Math.floor(t.expires / 1000),
    finalizing_at: sec(t.finalizing),
    completed_at: sec(t.completed),
    failed_at: sec(t.failed),
    expired_at: sec(t.expired),
    cancelling_at: sec(t.cancelling),
    cancelled_at: sec(t.cancelled),
    request_counts: requestCounts(record),
    metadata: record.metadata,
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: reasoning },
      total_tokens: input + output,
    },
  };
}

/** Why lines that never ran end up in the error file. */
const ABANDONED: Record<'expired' | 'cancelled', { code: string; message: string }> = {
  expired: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
  cancelled: { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' },
};

export interface WriteOptions {
  files: FileStore;
  ids: IdMinter;
  seed: number;
  atMs: number;
  shuffle: boolean;
  /** Set when the batch ended early: lines never executed go to the error file with this reason. */
  abandonedAs?: 'expired' | 'cancelled';
}

/** Writes `batch_<id>_output.jsonl` / `batch_<id>_error.jsonl`; an empty file is not created (id stays null). */
export function writeResultFiles(record: BatchRecord, options: WriteOptions): void {
  const outputLines = record.executed.filter((l) => l.file === 'output').map((l) => l.line);
  const errorLines = record.executed.filter((l) => l.file === 'error').map((l) => l.line);
  if (options.abandonedAs) {
    const done = new Set(record.executed.map((l) => l.customId));
    const reason = ABANDONED[options.abandonedAs];
    for (const request of record.requests.filter((r) => !done.has(r.custom_id))) {
      const { lineId } = options.ids.forLine(record.id, request.custom_id);
      errorLines.push({ id: lineId, custom_id: request.custom_id, response: null, error: { ...reason } });
    }
  }
  const order = (lines: OutputLine[], kind: string): OutputLine[] =>
    options.shuffle ? seededShuffle(lines, options.seed, record.id, kind) : lines;
  record.outputFileId = writeJsonl(options, record.id, 'output', order(outputLines, 'output'));
  record.errorFileId = writeJsonl(options, record.id, 'error', order(errorLines, 'error'));
}

function writeJsonl(options: WriteOptions, batchId: string, kind: 'output' | 'error', lines: OutputLine[]): string | null {
  if (lines.length === 0) return null;
  const content = Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'utf8');
  const id = options.ids.forResultFile(batchId, kind);
  return options.files.create(`${batchId}_${kind}.jsonl`, 'batch_output', content, { createdAtMs: options.atMs, id }).id;
}
