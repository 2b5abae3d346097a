import type { Selectable } from 'kysely';
import type { ScrapeTasksTable } from '../db/schema.js';

/** One row of scrape_tasks as the code sees it. */
export type Task = Selectable<ScrapeTasksTable>;

/** Task types this version knows. New ones are registered in src/tasks/registry.ts. */
export const TASK_TYPES = ['full_scrape', 'discover', 'ai_analysis', 'followers'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** SPEC §4 priorities: lower runs first. */
export const PRIORITY = {
  manualScrape: 2,
  aiAnalysis: 3,
  manualDiscover: 4,
  discoveredScrape: 5,
  scheduledRescrape: 8,
  weeklyDiscover: 10,
} as const;

export interface NewTask {
  type: string;
  payload?: Record<string, unknown>;
  priority?: number;
  blogId?: number | null;
  /** Live tasks (pending/running/waiting_batch) are unique per dedupe key: enqueueing again returns the existing one. */
  dedupeKey?: string | null;
  maxAttempts?: number;
  runAt?: Date | null;
}
