// Fault switches. Line faults are looked up when a line is executed (so they
// can be flipped while a batch is running); batch faults are taken by a batch
// when it is created (so "the next batch fails" works without knowing its id).
import { hashUnit } from './ids.js';
import type { BatchFault, HttpFault, LineFault, LineFaultMode } from './types.js';

export interface LineFaultTarget {
  /** Only these custom_ids; omitted → every line (or a `rate` share of them). */
  customIds?: string[];
  /** Global only: the share of lines (0..1) hit, chosen by a hash of the custom_id. */
  rate?: number;
}

export interface BatchFaultOptions {
  /** Only the next `times` batches created take the fault (default: every batch until cleared). */
  times?: number;
}

export interface FaultState {
  globalLine: (LineFault & { rate: number }) | null;
  lineByCustomId: Record<string, LineFault>;
  batch: (BatchFault & { remaining: number | null }) | null;
  http: HttpFault[];
}

export function toLineFault(fault: LineFault | LineFaultMode | null): LineFault | null {
  return typeof fault === 'string' ? { mode: fault } : fault;
}

export class FaultRegistry {
  private globalLine: (LineFault & { rate: number }) | null = null;
  private readonly byCustomId = new Map<string, LineFault>();
  private batchFault: (BatchFault & { remaining: number | null }) | null = null;
  private httpFaults: HttpFault[] = [];

  constructor(private readonly seed: number) {}

  setLineFault(fault: LineFault | LineFaultMode | null, target: LineFaultTarget = {}): void {
    const normalized = toLineFault(fault);
    if (target.customIds) {
      for (const id of target.customIds) {
        if (normalized) this.byCustomId.set(id, normalized);
        else this.byCustomId.delete(id);
      }
      return;
    }
    this.globalLine = normalized ? { ...normalized, rate: target.rate ?? 1 } : null;
  }

  /** Per-custom_id faults win over the global one. */
  lineFaultFor(customId: string): LineFault | null {
    const own = this.byCustomId.get(customId);
    if (own) return own;
    const global = this.globalLine;
    if (!global) return null;
    if (global.rate < 1 && hashUnit(this.seed, 'line-fault', customId) >= global.rate) return null;
    const { rate: _rate, ...fault } = global;
    return fault;
  }

  setBatchFault(fault: BatchFault | null, options: BatchFaultOptions = {}): void {
    this.batchFault = fault ? { ...fault, remaining: options.times ?? null } : null;
  }

  /** The fault a batch being created takes (and uses up one of `times`). */
  takeBatchFault(): BatchFault | null {
    const current = this.batchFault;
    if (!current) return null;
    const { remaining, ...fault } = current;
    if (remaining !== null) {
      this.batchFault = remaining > 1 ? { ...current, remaining: remaining - 1 } : null;
    }
    return fault;
  }

  addHttpFault(fault: HttpFault): void {
    this.httpFaults.push({ ...fault });
  }

  /** The HTTP fault to apply to this request, if any (consumes one of its `count`). */
  takeHttpFault(path: string): HttpFault | null {
    const index = this.httpFaults.findIndex((f) => f.count > 0 && path.startsWith(f.pathPrefix ?? '/'));
    const fault = this.httpFaults[index];
    if (!fault) return null;
    fault.count -= 1;
    if (fault.count <= 0) this.httpFaults.splice(index, 1);
    return fault;
  }

  clear(): void {
    this.globalLine = null;
    this.byCustomId.clear();
    this.batchFault = null;
    this.httpFaults = [];
  }

  state(): FaultState {
    return {
      globalLine: this.globalLine,
      lineByCustomId: Object.fromEntries(this.byCustomId),
      batch: this.batchFault,
      http: this.httpFaults.map((f) => ({ ...f })),
    };
  }
}
