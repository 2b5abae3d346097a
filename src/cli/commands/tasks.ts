import type { Enqueued, Task, TaskList } from '../api-types.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { progressBar } from '../progress.js';
import { finishedLine, waitForTasks } from '../wait.js';
import { taskTable } from './scrape.js';

/** `ig-scout tasks [--status failed] [--type T] [--limit N]`: the newest tasks. */
export async function listTasks(ctx: CommandContext, options: { status?: string; type?: string; limit: number }): Promise<number> {
  const page = await ctx.client.get<TaskList>('/api/tasks', { status: options.status, task_type: options.type, limit: options.limit });
  if (ctx.output.json) ctx.output.printJson(page.items);
  else if (page.items.length === 0) ctx.output.note('no tasks');
  else ctx.output.out(taskTable(page.items) + (page.has_more ? `\n(the newest ${page.items.length}; --limit for more)` : ''));
  return EXIT.ok;
}

/** `ig-scout retry <id>` / `ig-scout cancel <id>`: refused (409) → exit 1 with the daemon's reason. */
export async function manageTask(ctx: CommandContext, action: 'retry' | 'cancel', id: number): Promise<number> {
  const task = await ctx.client.post<Task>(`/api/tasks/${id}/${action}`);
  if (ctx.output.json) ctx.output.printJson(task);
  else ctx.output.out(`task ${task.id} (${task.task_type}) is ${task.status}`);
  return EXIT.ok;
}

/** `ig-scout discover <hashtag> [--wait]`: the discover task; with --wait, what it found. */
export async function discover(
  ctx: CommandContext,
  hashtag: string,
  options: { wait?: boolean; priority?: number; timeout?: number },
): Promise<number> {
  const { client, output } = ctx;
  const enqueued = await client.post<Enqueued>('/api/tasks/discover', {
    hashtag,
    ...(options.priority ? { priority: options.priority } : {}),
  });
  const task = enqueued.tasks[0]!;
  if (!options.wait) {
    if (output.json) output.printJson(enqueued);
    else
      output.out(
        `discover task ${task.id} #${String(task.payload.hashtag)}: ${task.status}${enqueued.existing ? ' (already queued)' : ''}`,
      );
    return EXIT.ok;
  }
  const bar = progressBar(output, `#${String(task.payload.hashtag)}`);
  let done: Task;
  try {
    [done] = (await waitForTasks(client, [task], {
      timeoutMs: options.timeout,
      onUpdate: ([t]) => {
        const p = t!.progress ?? {};
        const authors = Array.isArray(p.authors) ? p.authors.length : 0;
        const looked = typeof p.done === 'number' ? p.done : 0;
        bar.update(looked, authors, `${String(p.phase ?? t!.status)}, ${Number(p.posts ?? 0)} posts`);
      },
    })) as [Task];
  } finally {
    bar.stop();
  }
  if (output.json) output.printJson(done);
  else {
    output.out(finishedLine(done));
    if (done.result) output.out(keyValues(done.result));
  }
  return done.status === 'done' ? EXIT.ok : EXIT.failed;
}

/**
 * `ig-scout followers <user> [--following] [--max N] [--wait]`: fetch a follower (or following) list; with --wait, a
 * bar of accounts fetched of those expected, then the result.
 */
export async function followers(
  ctx: CommandContext,
  username: string,
  options: { following?: boolean; max?: number; wait?: boolean; timeout?: number },
): Promise<number> {
  const { client, output } = ctx;
  const kind = options.following ? 'following' : 'followers';
  const enqueued = await client.post<Enqueued>('/api/tasks/followers', { username, kind, ...(options.max ? { max: options.max } : {}) });
  const task = enqueued.tasks[0]!;
  if (!options.wait) {
    if (output.json) output.printJson(enqueued);
    else
      output.out(
        `${kind} task ${task.id} @${String(task.payload.username)}: ${task.status}${enqueued.existing ? ' (already queued)' : ''}`,
      );
    return EXIT.ok;
  }
  const bar = progressBar(output, kind);
  let done: Task;
  try {
    [done] = (await waitForTasks(client, [task], {
      timeoutMs: options.timeout,
      onUpdate: ([t]) => {
        const p = t!.progress ?? {};
        const fetched = Number(p.fetched ?? 0);
        const expected = typeof p.expected === 'number' ? p.expected : fetched;
        bar.update(fetched, expected, t!.status === 'pending' && t!.waiting_reason ? t!.waiting_reason : t!.status);
      },
    })) as [Task];
  } finally {
    bar.stop();
  }
  if (output.json) output.printJson(done);
  else {
    output.out(finishedLine(done));
    if (done.result) output.out(keyValues(done.result));
    if (done.status === 'done')
      output.note(
        `export it: ig-scout export ${kind} ${String(done.payload.username)} --format csv > ${String(done.payload.username)}-${kind}.csv`,
      );
  }
  return done.status === 'done' ? EXIT.ok : EXIT.failed;
}

function keyValues(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([key, value]) => `  ${key}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}
