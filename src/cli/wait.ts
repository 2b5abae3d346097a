import type { ApiClient } from './client.js';
import { CliError, EXIT } from './exit-codes.js';
import { FINISHED, type Task } from './api-types.js';

export interface WaitOptions {
  /** Give up after this long (the work goes on in the daemon); undefined: wait as long as it takes. */
  timeoutMs?: number;
  /** Called after every round of polls with the tasks as they are now. */
  onUpdate?: (tasks: Task[]) => void;
  /** Called once per task when it reaches done, failed or cancelled. */
  onFinished?: (task: Task) => void;
}

/**
 * Polls GET /api/tasks/{id} for each unfinished task until all are done, failed or cancelled. Tasks finish in the
 * daemon whatever the CLI does: Ctrl-C or --timeout only stop the watching.
 */
export async function waitForTasks(client: ApiClient, initial: Task[], options: WaitOptions = {}): Promise<Task[]> {
  const tasks = new Map(initial.map((t) => [t.id, t]));
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (const task of initial) if (FINISHED.includes(task.status)) options.onFinished?.(task);
  for (;;) {
    options.onUpdate?.([...tasks.values()]);
    const open = [...tasks.values()].filter((t) => !FINISHED.includes(t.status));
    if (open.length === 0) return [...tasks.values()];
    if (Date.now() >= deadline) {
      throw new CliError(
        EXIT.timeout,
        `timed out with ${open.length} task(s) unfinished (${open.map((t) => `${t.id} ${t.status}`).join(', ')}); they go on in the daemon: ig-scout tasks`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(client.pollMs, Math.max(0, deadline - Date.now()))));
    // A few at a time: a thousand usernames must not open a thousand requests at once.
    for (let i = 0; i < open.length; i += 8) {
      const fresh = await Promise.all(open.slice(i, i + 8).map((t) => client.get<Task>(`/api/tasks/${t.id}`)));
      for (const task of fresh) {
        tasks.set(task.id, task);
        if (FINISHED.includes(task.status)) options.onFinished?.(task);
      }
    }
  }
}

/** "full_scrape 12 @natgeo", "discover 3 #food", "followers 9 @natgeo" */
export function describeTask(task: Task): string {
  const p = task.payload;
  const target = typeof p.username === 'string' ? `@${p.username}` : typeof p.hashtag === 'string' ? `#${p.hashtag}` : '';
  return `${task.task_type} ${task.id}${target ? ` ${target}` : ''}`;
}

/** One line for a finished task, with why it failed. */
export function finishedLine(task: Task): string {
  const why = task.status === 'done' ? '' : task.error_message ? `: ${task.error_message}` : '';
  return `${describeTask(task)}: ${task.status}${why}`;
}

export function parseTimeout(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  return Number(seconds) * 1000;
}
