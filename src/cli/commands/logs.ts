import type { LogEntry, LogList } from '../api-types.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { atLeast, levelOf, type Level } from '../log-level.js';
import { time } from '../output.js';

export interface LogsOptions {
  follow?: boolean;
  task?: number;
  account?: string;
  level: Level;
  lines: number;
}

/** Rows may commit out of id order (concurrent writers): a follower asks again this far back and skips what it printed. */
const SETTLE_MS = 5_000;
const PAGE = 500;

/**
 * `ig-scout logs [-f] [--task N] [--account NAME] [--level L] [-n N]`: the last N rows of the activity log, oldest
 * first; with -f, then every new row as it is written, until Ctrl-C. Follows GET /api/logs with the after_id cursor
 * (the console's SSE stream is for browsers; polling needs nothing but the API every daemon has).
 */
export async function logs(ctx: CommandContext, options: LogsOptions, stop: AbortSignal): Promise<number> {
  const { client, output } = ctx;
  const filters = { task_id: options.task, account: options.account };
  const show = (entry: LogEntry) => {
    const level = levelOf(entry);
    if (!atLeast(level, options.level)) return;
    if (output.json) output.out(JSON.stringify({ ...entry, level }));
    else output.out(formatEntry(entry, level));
  };

  // The newest rows (newest first from the API), printed oldest first as tail does.
  const recent =
    options.lines > 0 ? await client.get<LogList>('/api/logs', { ...filters, limit: Math.min(options.lines, PAGE) }) : { items: [] };
  for (const entry of [...recent.items].reverse()) show(entry);
  if (!options.follow) return EXIT.ok;

  // The cursor: the newest row seen. With a filter and no row yet, 0 ("after nothing") finds only rows to come,
  // because none matching exists now.
  let newest = recent.items[0]?.id ?? (options.lines > 0 ? 0 : await latestId(ctx, filters));
  const printed = new Map<number, number>(); // id → when it was printed
  for (const entry of recent.items) printed.set(entry.id, Date.now());
  while (!stop.aborted) {
    // Ask from the oldest row printed within SETTLE_MS: a row with a smaller id committed late is still found.
    const settled = Date.now() - SETTLE_MS;
    let cursor = newest;
    for (const [id, at] of printed) {
      if (at < settled) printed.delete(id);
      else cursor = Math.min(cursor, id - 1);
    }
    for (;;) {
      const page = await client.get<LogList>('/api/logs', { ...filters, after_id: cursor, limit: PAGE });
      for (const entry of page.items) {
        if (printed.has(entry.id)) continue;
        printed.set(entry.id, Date.now());
        newest = Math.max(newest, entry.id);
        show(entry);
      }
      cursor = page.next_after_id ?? cursor;
      if (!page.has_more) break;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, client.pollMs);
      stop.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  return EXIT.ok;
}

async function latestId(ctx: CommandContext, filters: Record<string, unknown>): Promise<number> {
  const page = await ctx.client.get<LogList>('/api/logs', { ...(filters as Record<string, string>), limit: 1 });
  return page.items[0]?.id ?? 0;
}

/** 2026-11-23 05:31:02 WARN  request feed/user rate_limited 429 @scout.01 task 12 (error) */
export function formatEntry(entry: LogEntry, level: Level): string {
  const parts = [
    time(entry.created_at),
    level.toUpperCase().padEnd(5),
    entry.kind,
    entry.action,
    entry.outcome,
    entry.http_status === null ? '' : String(entry.http_status),
    entry.account?.username ? `@${entry.account.username}` : '',
    entry.task_id === null ? '' : `task ${entry.task_id}`,
    entry.duration_ms === null ? '' : `${entry.duration_ms} ms`,
    entry.error ? `— ${entry.error}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}
