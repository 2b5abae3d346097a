import pg from 'pg';

/** What each task carries: the producer's clock at enqueue time, so enqueue→start is measured the same way for all. */
export interface Payload {
  t: number;
}

/** High-resolution wall clock shared by producer and handlers (one process). */
export const now = () => performance.timeOrigin + performance.now();

/**
 * One queue under test, driven through its own public API only: its producer call to enqueue, its worker API to
 * run a no-op handler. `unfinished` and `reset` read and clear its tables directly (the same for every system).
 */
export interface QueueSystem {
  name: string;
  version: string;
  /** How this system is set up at concurrency `c`, for the notes. */
  setup: string;
  start(concurrency: number, onStart: (payload: Payload) => void): Promise<void>;
  enqueueMany(payloads: Payload[]): Promise<void>;
  enqueueOne(payload: Payload): Promise<void>;
  /**
   * 0 once every task is finished, 1 before: an EXISTS, so the 25 ms poll costs the system under test next to
   * nothing (a count(*) over 20,000 rows each time taxed the server the workers share).
   */
  unfinished(): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Counts every query any pg client of this process sends: the bench reports queries per task for each system. */
let queries = 0;
const originalQuery = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return (originalQuery as any).apply(this, args);
};
export const queryCount = () => queries;

/** A small pool of the bench's own, for counting and clearing; its queries are subtracted from the count. */
export class Monitor {
  readonly pool: pg.Pool;
  own = 0;
  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'bench-monitor' });
  }
  async count(text: string): Promise<number> {
    this.own++;
    const { rows } = await this.pool.query<{ n: string }>(text);
    return Number(rows[0]!.n);
  }
  async exec(text: string): Promise<void> {
    this.own++;
    await this.pool.query(text);
  }
}
