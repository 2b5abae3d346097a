// The batch state machine: validating → in_progress → finalizing → completed
// (or failed / expired / cancelling → cancelled). Transitions are computed
// lazily from the clock whenever state is read, with the timestamp each phase
// was due at — so an injected clock that jumps 25 h shows exactly what the real
// service would, and no timers are left running.
import { TERMINAL, toBatchObject, writeResultFiles, type BatchRecord } from './batch-record.js';
import { ApiError, badRequest } from './errors.js';
import type { FaultRegistry } from './faults.js';
import type { FileStore } from './files.js';
import type { IdMinter } from './ids.js';
import { executeRequest } from './responder.js';
import type { BatchErrorEntry, BatchFault, BatchObject, Clock, Limits, Timings } from './types.js';
import { validateBatchInput } from './validation.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface EngineDeps {
  seed: number;
  clock: Clock;
  ids: IdMinter;
  files: FileStore;
  faults: FaultRegistry;
  timings: Timings;
  limits: Limits;
  shuffleOutput: boolean;
}

export interface CreateBatchParams {
  inputFileId: string;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
}

type Step = { at: number; run: (at: number) => void };

export class BatchEngine {
  private readonly records = new Map<string, BatchRecord>();

  constructor(private readonly deps: EngineDeps) {}

  create(params: CreateBatchParams): BatchRecord {
    const now = this.deps.clock.now();
    const record: BatchRecord = {
      id: this.deps.ids.next('batch'),
      ...params,
      model: null,
      status: 'validating',
      times: { created: now, expires: now + DAY_MS },
      errors: null,
      requests: [],
      executed: [],
      outputFileId: null,
      errorFileId: null,
      fault: this.deps.faults.takeBatchFault(),
    };
    this.records.set(record.id, record);
    return record;
  }

  /** The record, settled up to now; throws the API's 404 if unknown. */
  get(id: string): BatchRecord {
    const record = this.records.get(id);
    if (!record) throw new ApiError(404, `No batch found with id '${id}'.`, 'invalid_request_error', 'batch_id');
    this.settle(record, this.deps.clock.now());
    return record;
  }

  /** All batches, settled, in creation order. */
  all(): BatchRecord[] {
    const now = this.deps.clock.now();
    for (const record of this.records.values()) this.settle(record, now);
    return [...this.records.values()];
  }

  object(id: string): BatchObject {
    return toBatchObject(this.get(id));
  }

  setFault(id: string, fault: BatchFault | null): void {
    this.get(id).fault = fault;
  }

  /** Ends the current phase now, whatever the timings say ("stuck" included; expiry does not pre-empt it). */
  advance(id: string): BatchRecord {
    const record = this.get(id);
    const now = Math.max(this.deps.clock.now(), record.times.created);
    if (record.status !== 'in_progress') {
      this.nextStep(record)?.run(now);
    } else if (record.fault?.kind === 'expire') {
      this.expireAt(record, now, linesBeforeExpiry(record));
    } else {
      this.finalize(record, now); // the normal end of the phase, even for a "stuck" batch
    }
    return record;
  }

  /** Runs the batch to its end state (completed, or the one its fault dictates). */
  complete(id: string): BatchRecord {
    const record = this.get(id);
    for (let i = 0; i < 8 && !TERMINAL.has(record.status); i++) this.advance(id);
    return record;
  }

  /** Expires the batch now; `completedLines` caps how many lines get answers (default: those already run). */
  expire(id: string, completedLines?: number): BatchRecord {
    const record = this.get(id);
    if (record.status === 'validating') this.validate(record, this.deps.clock.now());
    if (record.status === 'in_progress' || record.status === 'finalizing') {
      this.expireAt(record, this.deps.clock.now(), completedLines ?? record.executed.length);
    }
    return record;
  }

  cancel(id: string): BatchRecord {
    const record = this.get(id);
    if (!['validating', 'in_progress', 'finalizing'].includes(record.status)) {
      throw badRequest(`Cannot cancel a batch with status '${record.status}'.`);
    }
    record.status = 'cancelling';
    record.times.cancelling = this.deps.clock.now();
    this.settle(record, record.times.cancelling);
    return record;
  }

  private settle(record: BatchRecord, now: number): void {
    for (let step = this.nextStep(record); step && step.at <= now; step = this.nextStep(record)) step.run(step.at);
    if (record.status === 'in_progress') this.runProgress(record, now);
  }

  /** The next due transition of a batch, or null if none will happen on its own. */
  private nextStep(record: BatchRecord): Step | null {
    const { timings } = this.deps;
    const t = record.times;
    switch (record.status) {
      case 'validating':
        return { at: t.created + timings.validatingMs, run: (at) => this.validate(record, at) };
      case 'in_progress':
        return this.inProgressStep(record, (t.inProgress ?? t.created) + timings.inProgressMs);
      case 'finalizing':
        return { at: (t.finalizing ?? t.created) + timings.finalizingMs, run: (at) => this.finish(record, at, 'completed') };
      case 'cancelling':
        return { at: (t.cancelling ?? t.created) + timings.cancellingMs, run: (at) => this.finish(record, at, 'cancelled') };
      default:
        return null;
    }
  }

  private inProgressStep(record: BatchRecord, end: number): Step | null {
    const fault = record.fault;
    if (fault?.kind === 'stuck') return { at: Infinity, run: (at) => this.finalize(record, at) };
    if (fault?.kind === 'expire') {
      const keep = linesBeforeExpiry(record);
      return { at: Math.min(end, record.times.expires), run: (at) => this.expireAt(record, at, keep) };
    }
    if (record.times.expires <= end) {
      const expireNaturally = (at: number): void => {
        this.runProgress(record, at); // the lines done before the window closed keep their answers
        this.expireAt(record, at, record.executed.length);
      };
      return { at: record.times.expires, run: expireNaturally };
    }
    return { at: end, run: (at) => this.finalize(record, at) };
  }

  private validate(record: BatchRecord, at: number): void {
    const input = this.deps.files.get(record.inputFileId);
    const result = input
      ? validateBatchInput(input.content, record.endpoint, this.deps.limits)
      : { lines: [], model: null, errors: [fileMissing(record.inputFileId)] };
    const errors = result.errors.length > 0 ? result.errors : faultErrors(record.fault);
    if (errors.length > 0) {
      record.status = 'failed';
      record.errors = errors;
      record.times.failed = at;
      return;
    }
    record.requests = result.lines;
    record.model = result.model;
    record.status = 'in_progress';
    record.times.inProgress = at;
  }

  /** Lines are answered progressively while in_progress, so request_counts move like the real ones. */
  private runProgress(record: BatchRecord, now: number): void {
    const { inProgressMs } = this.deps.timings;
    if (record.fault?.kind === 'stuck' || !Number.isFinite(inProgressMs)) return;
    const elapsed = now - (record.times.inProgress ?? now);
    let target = Math.floor((record.requests.length * Math.max(0, elapsed)) / Math.max(1, inProgressMs));
    if (record.fault?.kind === 'expire') target = Math.min(target, linesBeforeExpiry(record));
    this.executeUpTo(record, Math.min(target, record.requests.length), now);
  }

  private executeUpTo(record: BatchRecord, count: number, atMs: number): void {
    const { seed, ids, faults } = this.deps;
    for (let i = record.executed.length; i < count; i++) {
      const request = record.requests[i];
      if (!request) break;
      const fault = faults.lineFaultFor(request.custom_id);
      record.executed.push(executeRequest(request, { seed, ids, batchId: record.id, createdSec: Math.floor(atMs / 1000), fault }));
    }
  }

  private finalize(record: BatchRecord, at: number): void {
    this.executeUpTo(record, record.requests.length, at);
    record.status = 'finalizing';
    record.times.finalizing = at;
  }

  private expireAt(record: BatchRecord, at: number, keep: number): void {
    this.executeUpTo(record, Math.min(keep, record.requests.length), at);
    record.status = 'expired';
    record.times.expired = at;
    this.write(record, at, 'expired');
  }

  private finish(record: BatchRecord, at: number, status: 'completed' | 'cancelled'): void {
    record.status = status;
    record.times[status] = at;
    this.write(record, at, status === 'cancelled' ? 'cancelled' : undefined);
  }

  private write(record: BatchRecord, atMs: number, abandonedAs?: 'expired' | 'cancelled'): void {
    const { files, ids, seed, shuffleOutput } = this.deps;
    writeResultFiles(record, { files, ids, seed, atMs, shuffle: shuffleOutput, ...(abandonedAs ? { abandonedAs } : {}) });
  }
}

/** How many lines an `expire`-faulted batch answers before it expires (default: half). */
function linesBeforeExpiry(record: BatchRecord): number {
  const fault = record.fault;
  return fault?.kind === 'expire' && fault.completedLines !== undefined ? fault.completedLines : Math.floor(record.requests.length / 2);
}

function fileMissing(fileId: string): BatchErrorEntry {
  return { code: 'invalid_file', message: `The input file '${fileId}' could not be found.`, param: 'input_file_id', line: null };
}

/** The validation failure a `fail` fault produces; the default is the one real batches hit most. */
function faultErrors(fault: BatchFault | null): BatchErrorEntry[] {
  if (fault?.kind !== 'fail') return [];
  return [
    {
      code: fault.code ?? 'token_limit_exceeded',
      message:
        fault.message ??
        'Enqueued token limit reached for this model in organization org-emulator. Please try again once some in_progress batches have been completed.',
      param: null,
      line: null,
    },
  ];
}
