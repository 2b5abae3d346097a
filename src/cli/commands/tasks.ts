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
  const enqueued = await ctx.client.post<Enqueued>('/api/tasks/discover', {
    hashtag,
    ...(options.priority ? { priority: options.priority } : {}),
  });
  const done = await followTask(ctx, enqueued, options, {
    queued: (task) => `discover task ${task.id} #${String(task.payload.hashtag)}`,
    bar: (task) => `#${String(task.payload.hashtag)}`,
    progress: (t) => {
      const p = t.progress ?? {};
      const authors = Array.isArray(p.authors) ? p.authors.length : 0;
      const looked = typeof p.done === 'number' ? p.done : 0;
      return [looked, authors, `${String(p.phase ?? t.status)}, ${Number(p.posts ?? 0)} posts`];
    },
  });
  if (!done) return EXIT.ok;
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
  const kind = options.following ? 'following' : 'followers';
  const body = { username, kind, ...(options.max ? { max: options.max } : {}) };
  const enqueued = await ctx.client.post<Enqueued>('/api/tasks/followers', body);
  const done = await followTask(ctx, enqueued, options, {
    queued: (task) => `${kind} task ${task.id} @${String(task.payload.username)}`,
    bar: () => kind,
    progress: (t) => {
      const p = t.progress ?? {};
      const fetched = Number(p.fetched ?? 0);
      const expected = typeof p.expected === 'number' ? p.expected : fetched;
      return [fetched, expected, t.status === 'pending' && t.waiting_reason ? t.waiting_reason : t.status];
    },
  });
  if (!done) return EXIT.ok;
  if (!ctx.output.json && done.status === 'done') {
    const user = String(done.payload.username);
    ctx.output.note(`export it: ig-scout export ${kind} ${user} --format csv > ${user}-${kind}.csv`);
  }
  return done.status === 'done' ? EXIT.ok : EXIT.failed;
}

/**
 * The one task a command enqueued. Without --wait: prints it (or the JSON) and answers undefined. With --wait: a bar
 * fed by `progress` (done, of, what) until the task settles, then the finished line and its result; answers the task.
 */
async function followTask(
  { client, output }: CommandContext,
  enqueued: Enqueued,
  options: { wait?: boolean; timeout?: number },
  show: { queued: (task: Task) => string; bar: (task: Task) => string; progress: (task: Task) => [number, number, string] },
): Promise<Task | undefined> {
  const task = enqueued.tasks[0]!;
  if (!options.wait) {
    if (output.json) output.printJson(enqueued);
    else output.out(`${show.queued(task)}: ${task.status}${enqueued.existing ? ' (already queued)' : ''}`);
    return undefined;
  }
  const bar = progressBar(output, show.bar(task));
  let done: Task;
  try {
    [done] = (await waitForTasks(client, [task], {
      timeoutMs: options.timeout,
      onUpdate: ([t]) => bar.update(...show.progress(t!)),
    })) as [Task];
  } finally {
    bar.stop();
  }
  if (output.json) output.printJson(done);
  else {
    output.out(finishedLine(done));
    if (done.result) output.out(keyValues(done.result));
  }
  return done;
}

function keyValues(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([key, value]) => `  ${key}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}
