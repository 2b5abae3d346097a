/**
 * The daemon's own recent log lines, kept in memory for the live tail (GET /api/logs/stream, the console's Logs
 * page). The pino root hands every serialized line to `push` (src/logger.ts, `tap`): lines are already redacted,
 * so nothing here can show a secret that the log output would not. A bounded ring (LOG_TAIL_LINES): the oldest line
 * goes when a new one comes, so memory stays flat however chatty the daemon is.
 */

/** pino's numeric levels, by name. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

export interface TailLine {
  /** Position in this process's tail, from 1; the stream's Last-Event-ID resumes after it. */
  seq: number;
  time: string;
  level: number;
  msg: string;
  /** The task the line is about (the runner's child logger sets taskId). */
  taskId: number | null;
  /** The Instagram account the line is about (username, as the pool logs it). */
  account: string | null;
  component: string | null;
  /** The whole line as logged (already redacted by pino). */
  fields: Record<string, unknown>;
}

export interface TailFilter {
  taskId?: number;
  /** Username (or id as text) of an account. */
  account?: string;
  minLevel?: number;
}

type Listener = (line: TailLine) => void;

export class LogTail {
  private readonly ring: (TailLine | undefined)[];
  private next = 1;
  private readonly listeners = new Set<Listener>();

  constructor(readonly capacity: number) {
    this.ring = new Array<TailLine | undefined>(Math.max(1, capacity));
  }

  /** The newest sequence number given out (0 before the first line). */
  get lastSeq(): number {
    return this.next - 1;
  }

  /** One serialized pino line (JSON, newline-terminated). Never throws: a tap must not break logging. */
  push(serialized: string): void {
    let fields: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(serialized);
      if (!parsed || typeof parsed !== 'object') return;
      fields = parsed as Record<string, unknown>;
    } catch {
      return;
    }
    const line: TailLine = {
      seq: this.next++,
      time: typeof fields.time === 'string' ? fields.time : new Date().toISOString(),
      level: typeof fields.level === 'number' ? fields.level : LOG_LEVELS.info,
      msg: typeof fields.msg === 'string' ? fields.msg : '',
      taskId: numberOf(fields.taskId ?? fields.task_id),
      account: typeof fields.account === 'string' ? fields.account : typeof fields.username === 'string' ? fields.username : null,
      component: typeof fields.component === 'string' ? fields.component : null,
      fields,
    };
    this.ring[line.seq % this.ring.length] = line;
    for (const listener of this.listeners) {
      try {
        listener(line);
      } catch {
        // A subscriber's failure is its own; the logger goes on.
      }
    }
  }

  /**
   * Lines after `seq`, oldest first, at most `limit` (the newest ones). `missed` counts lines after `seq` that the
   * ring no longer holds (a reader that was away too long is told, not silently handed a hole).
   */
  since(seq: number, filter: TailFilter = {}, limit = this.ring.length): { lines: TailLine[]; missed: number } {
    // A sequence number from before a restart (larger than any now) means "everything this process still has".
    const from = seq > this.lastSeq ? 0 : seq;
    const oldest = Math.max(1, this.next - this.ring.length);
    const missed = Math.max(0, oldest - from - 1);
    const lines: TailLine[] = [];
    for (let s = Math.max(from + 1, oldest); s < this.next; s++) {
      const line = this.ring[s % this.ring.length];
      if (line && line.seq === s && matches(line, filter)) lines.push(line);
    }
    return { lines: lines.slice(-limit), missed };
  }

  /** Calls `listener` with every new line until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

export function matches(line: TailLine, filter: TailFilter): boolean {
  if (filter.minLevel !== undefined && line.level < filter.minLevel) return false;
  if (filter.taskId !== undefined && line.taskId !== filter.taskId) return false;
  if (filter.account !== undefined && line.account !== filter.account && String(line.fields.accountId ?? '') !== filter.account)
    return false;
  return true;
}

const numberOf = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
