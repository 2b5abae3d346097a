import type { Blog, Enqueued, Task } from '../api-types.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { count, decimal, percent, table, time } from '../output.js';
import { progressBar } from '../progress.js';
import { describeTask, finishedLine, waitForTasks } from '../wait.js';

export interface ScrapeOptions {
  wait?: boolean;
  priority?: number;
  timeout?: number;
}

/**
 * `ig-scout scrape @a @b [--wait]`: one full_scrape per username (a live one is reused); with --wait, a progress bar
 * until each is finished, then the creators' metrics. Exit 1 when any scrape failed.
 */
export async function scrape(ctx: CommandContext, usernames: string[], options: ScrapeOptions): Promise<number> {
  const { client, output } = ctx;
  const enqueued = await client.post<Enqueued>('/api/tasks/scrape', {
    usernames,
    ...(options.priority ? { priority: options.priority } : {}),
  });
  if (!options.wait) {
    if (output.json) output.printJson(enqueued);
    else output.out(taskTable(enqueued.tasks) + `\n${enqueued.created} created, ${enqueued.existing} already queued`);
    return EXIT.ok;
  }
  output.note(`waiting for ${enqueued.tasks.length} scrape(s): ${enqueued.tasks.map(describeTask).join(', ')}`);
  const bar = progressBar(output, 'scraping');
  let tasks: Task[];
  try {
    tasks = await waitForTasks(client, enqueued.tasks, {
      timeoutMs: options.timeout,
      onUpdate: (now) => bar.update(now.filter(isFinished).length, now.length, stageOf(now)),
      onFinished: (task) => {
        if (!output.interactive && !output.json) output.note(finishedLine(task));
      },
    });
  } finally {
    bar.stop();
  }
  const blogs = await Promise.all(
    // The result's username: a renamed account is followed by its id and stored under its new name.
    tasks
      .filter((t) => t.status === 'done')
      .map((t) => client.get<Blog>(`/api/blogs/@${String(t.result?.username ?? usernameOf(t))}`, { posts_limit: 0, history_limit: 0 })),
  );
  const failed = tasks.filter((t) => t.status !== 'done');
  if (output.json) {
    output.printJson({ tasks, blogs: blogs.map(metricsOf) });
  } else {
    if (blogs.length > 0) output.out(metricsTable(blogs));
    for (const task of failed) output.note(finishedLine(task));
  }
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

const isFinished = (t: Task) => t.status === 'done' || t.status === 'failed' || t.status === 'cancelled';
const usernameOf = (t: Task) => String(t.payload.username);

/** What the running ones are doing: "@a media", or why they wait. */
function stageOf(tasks: Task[]): string {
  const open = tasks.filter((t) => !isFinished(t));
  const first = open[0];
  if (!first) return 'done';
  const stage = typeof first.progress?.stage === 'string' ? first.progress.stage : first.status;
  const why = first.status === 'pending' && first.waiting_reason ? ` (${first.waiting_reason})` : '';
  return `@${usernameOf(first)} ${stage}${why}${open.length > 1 ? ` +${open.length - 1}` : ''}`;
}

export function metricsOf(b: Blog) {
  return {
    username: b.username,
    full_name: b.full_name,
    follower_count: b.follower_count,
    following_count: b.following_count,
    media_count: b.media_count,
    er: b.er,
    er_reels: b.er_reels,
    er_trend: b.er_trend,
    posts_per_week: b.posts_per_week,
    scrape_status: b.scrape_status,
    categories: b.categories,
    scraped_at: b.scraped_at,
  };
}

export function metricsTable(blogs: Blog[]): string {
  return table(
    ['username', 'followers', 'following', 'posts', 'ER', 'ER reels', 'trend', 'posts/week', 'status', 'scraped'],
    blogs.map((b) => [
      `@${b.username}`,
      count(b.follower_count),
      count(b.following_count),
      count(b.media_count),
      percent(b.er),
      percent(b.er_reels),
      b.er_trend,
      decimal(b.posts_per_week),
      b.scrape_status,
      time(b.scraped_at),
    ]),
  );
}

export function taskTable(tasks: Task[]): string {
  return table(
    ['id', 'type', 'status', 'target', 'attempts', 'updated', 'error / waiting'],
    tasks.map((t) => [
      t.id,
      t.task_type,
      t.status,
      describeTask(t).split(' ').slice(2).join(' '),
      `${t.attempts}/${t.max_attempts}`,
      time(t.updated_at),
      truncate(t.status === 'pending' && t.waiting_reason ? t.waiting_reason : t.error_message, 60),
    ]),
  );
}

function truncate(text: string | null, max: number): string | null {
  if (!text) return text;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
