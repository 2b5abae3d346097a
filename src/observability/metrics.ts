import { sql, type Kysely } from 'kysely';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { aiCost } from '../ai/cost.js';
import { DEFAULT_AI_PRICES, type PriceTable } from '../ai/prices.js';
import type { Database } from '../db/schema.js';
import type { RunnerObserver } from '../queue/runner.js';

/**
 * Prometheus metrics of one process (GET /metrics). State that lives in Postgres (tasks, accounts, batches,
 * requests of the last hour) is read at scrape time, so every process reports the same, true numbers; what only
 * this process sees (claim latency, task durations, the event loop) is measured here.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly runnerObserver: RunnerObserver;

  /** `aiPrices`: AI_PRICES, for the estimated dollars of the igscout_ai_* series. */
  constructor(db: Kysely<Database>, options: { aiPrices?: PriceTable } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'igscout_' }); // includes event-loop lag
    const registers = [this.registry];

    const claimSeconds = new Histogram({
      name: 'igscout_claim_duration_seconds',
      help: 'Time of one claim statement (all groups of one claim)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    const waitSeconds = new Histogram({
      name: 'igscout_task_wait_seconds',
      help: 'From a task falling due (run_at) to a worker claiming it',
      labelNames: ['task_type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 1800],
      registers,
    });
    const durationSeconds = new Histogram({
      name: 'igscout_task_duration_seconds',
      help: 'Run time of a task in this process, by type and outcome',
      labelNames: ['task_type', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    });
    this.runnerObserver = {
      claimed: (tasks, ms) => {
        claimSeconds.observe(ms / 1000);
        for (const task of tasks)
          waitSeconds.observe({ task_type: task.task_type }, Math.max(0, (Date.now() - task.run_at.getTime()) / 1000));
      },
      finished: (task, outcome, ms) => durationSeconds.observe({ task_type: task.task_type, outcome }, ms / 1000),
    };
    this.databaseGauges(db, registers);
    this.aiCostGauges(db, registers, options.aiPrices ?? DEFAULT_AI_PRICES);
  }

  /** Issue 22: tokens and estimated dollars of AI analysis per creator, by model, read from Postgres at scrape time. */
  private aiCostGauges(db: Kysely<Database>, registers: Registry[], prices: PriceTable): void {
    let pending: Promise<Awaited<ReturnType<typeof aiCost>>> | null = null;
    // One query per scrape for all the series below (each gauge's collect() asks; the first one runs it).
    const cost = () => (pending ??= aiCost(db, prices).finally(() => setTimeout(() => (pending = null), 0)));
    const gauge = (
      name: string,
      help: string,
      labelNames: string[],
      read: (c: Awaited<ReturnType<typeof aiCost>>, set: SetGauge) => void,
    ) => collectedGauge(registers, name, help, labelNames, async (set) => read(await cost(), set));
    gauge('igscout_ai_creators_analysed', 'Creators (request lines) OpenAI answered, by model', ['model'], (c, set) => {
      for (const m of c.by_model) set({ model: m.model }, m.creators);
    });
    gauge(
      'igscout_ai_tokens',
      'Tokens OpenAI billed for analysis, by model and kind (output includes reasoning)',
      ['model', 'kind'],
      (c, set) => {
        for (const m of c.by_model) {
          set({ model: m.model, kind: 'input' }, m.input_tokens);
          set({ model: m.model, kind: 'output' }, m.output_tokens);
          set({ model: m.model, kind: 'reasoning' }, m.reasoning_tokens);
        }
      },
    );
    gauge('igscout_ai_tokens_per_creator', 'Average tokens per analysed creator, by model and kind', ['model', 'kind'], (c, set) => {
      for (const m of c.by_model)
        for (const kind of ['input', 'output', 'reasoning'] as const) set({ model: m.model, kind }, m.tokens_per_creator[kind]);
    });
    gauge('igscout_ai_cost_dollars', 'Estimated US dollars spent on analysis (AI_PRICES), by model', ['model'], (c, set) => {
      for (const m of c.by_model) if (m.dollars !== null) set({ model: m.model }, m.dollars);
    });
    gauge('igscout_ai_cost_per_creator_dollars', 'Estimated US dollars per analysed creator, by model', ['model'], (c, set) => {
      for (const m of c.by_model) if (m.dollars_per_creator !== null) set({ model: m.model }, m.dollars_per_creator);
    });
    gauge('igscout_ai_analyses_skipped_unchanged', 'Analyses not sent because the prompt material was unchanged (0 tokens)', [], (c, set) =>
      set({}, c.skipped_unchanged),
    );
  }

  private databaseGauges(db: Kysely<Database>, registers: Registry[]): void {
    const gauge = (name: string, help: string, labelNames: string[], read: (set: SetGauge) => Promise<void>) =>
      collectedGauge(registers, name, help, labelNames, read);

    gauge('igscout_tasks', 'Tasks by status and type', ['status', 'task_type'], async (set) => {
      const rows = await db
        .selectFrom('scrape_tasks')
        .select(['status', 'task_type', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['status', 'task_type'])
        .execute();
      for (const r of rows) set({ status: r.status, task_type: r.task_type }, Number(r.n));
    });
    gauge('igscout_queue_depth', 'Pending tasks already due, by type', ['task_type'], async (set) => {
      // Two halves, each through its partial index (scrape_tasks_claimable leaves ai_analysis out, migration 0018).
      const rows = await sql<{ task_type: string; n: number }>`SELECT task_type, count(*)::int AS n FROM scrape_tasks
          WHERE status = 'pending' AND task_type <> 'ai_analysis' AND run_at <= now() GROUP BY task_type
        UNION ALL
        SELECT 'ai_analysis', count(*)::int FROM scrape_tasks
          WHERE status = 'pending' AND task_type = 'ai_analysis' AND run_at <= now() HAVING count(*) > 0`.execute(db);
      for (const r of rows.rows) set({ task_type: r.task_type }, r.n);
    });
    gauge('igscout_accounts', 'Instagram accounts by status', ['status'], async (set) => {
      const rows = await db
        .selectFrom('ig_accounts')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      for (const r of rows) set({ status: r.status }, Number(r.n));
    });
    gauge(
      'igscout_instagram_requests_last_hour',
      'Instagram requests in the last hour by outcome (from the ledger)',
      ['outcome'],
      async (set) => {
        const rows = await sql<{ outcome: string; n: number }>`SELECT outcome, count(*)::int AS n FROM activity_log
        WHERE kind = 'request' AND created_at > now() - interval '1 hour' GROUP BY outcome`.execute(db);
        for (const r of rows.rows) set({ outcome: r.outcome }, r.n);
      },
    );
    gauge('igscout_ai_batches', 'OpenAI batches by status', ['status'], async (set) => {
      const rows = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM ai_batches GROUP BY status`.execute(db);
      for (const r of rows.rows) set({ status: r.status }, r.n);
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

type SetGauge = (labels: Record<string, string>, value: number) => void;

/** A gauge whose series are read afresh at each scrape: the old ones are dropped, `read` sets the current ones. */
function collectedGauge(registers: Registry[], name: string, help: string, labelNames: string[], read: (set: SetGauge) => Promise<void>) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers,
    async collect() {
      this.reset();
      await read((labels, value) => this.set(labels, value));
    },
  });
}
