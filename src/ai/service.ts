import OpenAI from 'openai';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { errorMessage, type AiContext } from './context.js';
import { pollBatches } from './poll.js';
import { aiIntervals, aiSettings, type AiIntervals } from './settings.js';
import { retryStaleBatches } from './stale.js';
import { submitDueBatches } from './submit.js';

/** The SDK client from the configuration: OPENAI_API_KEY and OPENAI_BASE_URL, as the SDK itself reads them. */
export function createOpenAiClient(config: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>): OpenAI | undefined {
  if (!config.OPENAI_API_KEY) return undefined;
  return new OpenAI({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL ?? null, maxRetries: 3, timeout: 120_000 });
}

interface Job {
  name: string;
  /** null: not on an interval here (the scheduler runs it). */
  everyMs: number | null;
  run: (ctx: AiContext) => Promise<unknown>;
}

/**
 * Runs the AI jobs in-process: the batch trigger always (every AI_BATCH_CHECK_INTERVAL_MS), and `poll_batches` /
 * `retry_stale_batches` on intervals only when the scheduler does not run them as cron jobs (see aiCronJobs).
 * Each job is a plain function of an AiContext (submit.ts, poll.ts, stale.ts), safe to run from several processes
 * at once. A job never overlaps itself here.
 */
export class AiBatchService {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = true;

  constructor(
    private readonly ctx: AiContext,
    private readonly intervals: AiIntervals,
  ) {}

  private jobs(): Job[] {
    const { checkMs, pollMs, staleCheckMs } = this.intervals;
    return [
      { name: 'ai_batch_trigger', everyMs: checkMs, run: submitDueBatches },
      { name: 'poll_batches', everyMs: pollMs, run: pollBatches },
      { name: 'retry_stale_batches', everyMs: staleCheckMs, run: retryStaleBatches },
    ];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const job of this.jobs()) {
      // Polling once at start resumes the batches in flight when the process stopped, even when cron runs the
      // job, so a restart does not wait a whole poll interval.
      if (job.name !== 'retry_stale_batches') void this.runJob(job);
      if (job.everyMs !== null) this.timers.push(setInterval(() => void this.runJob(job), job.everyMs));
    }
    this.ctx.logger.info({ model: this.ctx.settings.model, ...this.intervals }, 'AI batch service started');
  }

  /** Runs a job now unless it is already running; resolves when it ends. Errors are logged, never thrown. */
  runJob(job: Job): Promise<void> {
    const current = this.running.get(job.name);
    if (current || this.stopped) return current ?? Promise.resolve();
    const run = job
      .run(this.ctx)
      .then((summary) => this.ctx.logger.debug({ job: job.name, summary }, 'AI job done'))
      .catch((error) =>
        this.ctx.logger.error({ job: job.name, err: errorMessage(error) }, 'AI job failed; it runs again at its next interval'),
      )
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    return run;
  }

  /**
   * Stops the timers and waits (bounded) for running jobs. Nothing is lost by not waiting longer: results are
   * applied line by line in their own transactions and a batch's lease expires, so another run resumes it.
   */
  async stop(maxWaitMs = 10_000): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    let timeout: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timeout = setTimeout(resolve, maxWaitMs)));
    await Promise.race([Promise.all([...this.running.values()]), waited]);
    clearTimeout(timeout);
  }
}

export function createAiContext(parts: Omit<AiContext, 'now'> & { now?: () => Date; logger: Logger }): AiContext {
  return { ...parts, now: parts.now ?? (() => new Date()) };
}

/** poll_batches and retry_stale_batches as the scheduler's jobs call them. */
export function aiCronJobs(ctx: AiContext) {
  return {
    pollBatches: async () => ({ ...(await pollBatches(ctx)) }),
    retryStaleBatches: async () => ({ ...(await retryStaleBatches(ctx)) }),
  };
}

/**
 * The AI pipeline as the daemon runs it, or nothing without OPENAI_API_KEY (then ai_analysis tasks stay pending
 * until a key is configured and the daemon restarted).
 */
export function createAiPipeline(deps: Omit<AiContext, 'client' | 'settings' | 'now'> & { config: Config }) {
  const { config, ...rest } = deps;
  const client = createOpenAiClient(config);
  if (!client) {
    rest.logger.warn('OPENAI_API_KEY is not set: AI analysis is off; ai_analysis tasks wait (pending) until it is');
    return { enabled: false as const };
  }
  const ctx = createAiContext({ ...rest, client, settings: aiSettings(config) });
  const service = new AiBatchService(ctx, aiIntervals(config, config.SCHEDULER_ENABLED));
  return { enabled: true as const, service, cronJobs: aiCronJobs(ctx) };
}
