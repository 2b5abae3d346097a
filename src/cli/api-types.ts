/**
 * The shapes of the API answers the CLI reads, written out by hand: the CLI is a client of the HTTP API and imports
 * nothing of the daemon (not even src/http's schemas), so it can be run from anywhere against any daemon.
 * Only the fields the CLI uses are listed.
 */
export type TaskStatus = 'pending' | 'running' | 'waiting_batch' | 'done' | 'failed' | 'cancelled';

export interface Task {
  id: number;
  task_type: string;
  status: TaskStatus;
  payload: Record<string, unknown>;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  attempts: number;
  max_attempts: number;
  error_message: string | null;
  waiting_reason: string | null;
  run_at: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface Enqueued {
  tasks: Task[];
  created: number;
  existing: number;
}

export interface TaskList {
  items: Task[];
  has_more: boolean;
}

export interface Blog {
  username: string;
  full_name: string | null;
  follower_count: number | null;
  following_count: number | null;
  media_count: number | null;
  er: number | null;
  er_reels: number | null;
  er_trend: string | null;
  posts_per_week: number | null;
  scrape_status: string;
  categories: string[];
  scraped_at: string | null;
}

export interface ImportResult {
  created: number;
  updated: number;
  skipped: number;
  errors: { line: number; message: string }[];
  proxies_assigned?: number;
  without_proxy?: number;
}

export interface LogEntry {
  id: number;
  created_at: string;
  kind: string;
  action: string;
  outcome: string;
  http_status: number | null;
  duration_ms: number | null;
  error: string | null;
  task_id: number | null;
  account: { id: number; username: string | null } | null;
  proxy: { id: number; label: string | null } | null;
}

export interface LogList {
  items: LogEntry[];
  has_more: boolean;
  next_after_id: number | null;
}

export interface Health {
  status: 'ok' | 'degraded' | 'not_ready';
  version: string;
  uptime_s: number;
  database: { ok: boolean; latency_ms: number | null; error?: string };
  tasks: Record<string, number> | null;
  accounts: { total: number; usable: number; by_status: Record<string, number>; unusable: Record<string, number> } | null;
}

export const FINISHED: readonly TaskStatus[] = ['done', 'failed', 'cancelled'];
