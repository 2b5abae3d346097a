import type { Config } from '../config.js';
import type { PriceTable } from './prices.js';

/** Everything the AI batch pipeline reads from the configuration, so tests can build it without the environment. */
export interface AiSettings {
  model: string;
  minTasks: number;
  maxWaitMs: number;
  maxTasksPerBuild: number;
  maxImages: number;
  /** The size assumed for an image whose link does not say it (what its tokens are counted for). */
  imageSize: { width: number; height: number };
  /** `reasoning_effort` sent to reasoning models; 'default' = not sent. */
  reasoningEffort: ReasoningEffortSetting;
  maxCompletionTokens: number;
  /** $ per 1M tokens by model, for the cost figures. */
  prices: PriceTable;
  maxRequestsPerFile: number;
  maxFileBytes: number;
  /** OpenAI's enqueued-token limit for the model (estimated; 0 = none): builds wait for open batches to finish. */
  maxEnqueuedTokens: number;
  staleMs: number;
  /** How long a process may hold a batch row while uploading or applying results before another may take over. */
  leaseMs: number;
  /** Retry backoff of ai_analysis tasks: the queue's (5 → 15 → 45 min). */
  retryBaseMs: number;
  retryFactor: number;
  /** After a failure not caused by the blog (OpenAI unreachable at submission), try again this much later. */
  resubmitDelayMs: number;
}

export type ReasoningEffortSetting = 'default' | 'none' | 'minimal' | 'low' | 'medium' | 'high';

/** In-process intervals; null = that job is run by the scheduler (cron) instead. */
export interface AiIntervals {
  checkMs: number;
  pollMs: number | null;
  staleCheckMs: number | null;
}

export function aiSettings(config: Config): AiSettings {
  return {
    model: config.AI_MODEL,
    minTasks: config.AI_BATCH_MIN_TASKS,
    maxWaitMs: config.AI_BATCH_MAX_WAIT_MS,
    maxTasksPerBuild: config.AI_BATCH_MAX_TASKS,
    maxImages: config.AI_MAX_IMAGES,
    imageSize: { width: config.AI_IMAGE_WIDTH_PX, height: config.AI_IMAGE_HEIGHT_PX },
    reasoningEffort: config.AI_REASONING_EFFORT,
    maxCompletionTokens: config.AI_MAX_COMPLETION_TOKENS,
    prices: config.AI_PRICES,
    maxRequestsPerFile: config.AI_BATCH_MAX_REQUESTS_PER_FILE,
    maxFileBytes: config.AI_BATCH_MAX_FILE_BYTES,
    maxEnqueuedTokens: config.AI_MAX_ENQUEUED_TOKENS,
    staleMs: config.AI_BATCH_STALE_MS,
    leaseMs: 30 * 60_000,
    retryBaseMs: config.TASK_RETRY_BASE_MS,
    retryFactor: config.TASK_RETRY_FACTOR,
    resubmitDelayMs: config.AI_POLL_INTERVAL_MS,
  };
}

/** With the scheduler on, poll_batches and retry_stale_batches are its cron jobs; only the trigger runs here. */
export function aiIntervals(config: Config, schedulerRunsJobs: boolean): AiIntervals {
  return {
    checkMs: config.AI_BATCH_CHECK_INTERVAL_MS,
    pollMs: schedulerRunsJobs ? null : config.AI_POLL_INTERVAL_MS,
    staleCheckMs: schedulerRunsJobs ? null : config.AI_STALE_CHECK_INTERVAL_MS,
  };
}
