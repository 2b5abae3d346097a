import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';

export const EXPORTS = ['blogs', 'followers', 'following', 'mutuals'] as const;
export type ExportWhat = (typeof EXPORTS)[number];

export interface ExportOptions {
  format: 'csv' | 'ndjson';
  filter: string[];
  relation?: string;
}

/**
 * `ig-scout export blogs --format csv > creators.csv` (and followers / following / mutuals of a user): the daemon's
 * streamed export copied to stdout as it arrives, so a million rows never sit in the CLI's memory either. The CSV is
 * the daemon's own (UTF-8 with BOM, formula guard), byte for byte.
 */
export async function exportRows(
  ctx: CommandContext,
  what: ExportWhat,
  username: string | undefined,
  options: ExportOptions,
  stdout: Writable = process.stdout,
): Promise<number> {
  const query: Record<string, string> = { format: options.format };
  let route: string;
  if (what === 'blogs') {
    if (username !== undefined) throw new CliError(EXIT.usage, 'export blogs takes no username (filter with --filter key=value)');
    Object.assign(query, parseFilters(options.filter));
    route = '/api/blogs/export';
  } else {
    if (username === undefined) throw new CliError(EXIT.usage, `export ${what} needs a username: ig-scout export ${what} <username>`);
    if (options.filter.length > 0) throw new CliError(EXIT.usage, `--filter applies to export blogs only`);
    if (options.relation !== undefined) {
      if (what !== 'mutuals') throw new CliError(EXIT.usage, '--relation applies to export mutuals only');
      query.relation = options.relation;
    }
    route = `/api/blogs/@${encodeURIComponent(username.replace(/^@/, ''))}/${what}/export`;
  }
  const body = await ctx.client.stream(route, query);
  try {
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), stdout, { end: stdout !== process.stdout });
  } catch (error) {
    // `ig-scout export … | head` closes the pipe early: that is the reader's choice, not a failure.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    throw new CliError(EXIT.unreachable, `the export stopped before its end: ${(error as Error).message}`);
  }
  return EXIT.ok;
}

/** `--filter min_followers=1000 --filter category=food` → the query of GET /api/blogs/export (the daemon validates). */
export function parseFilters(filters: string[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const filter of filters) {
    const at = filter.indexOf('=');
    if (at <= 0) throw new CliError(EXIT.usage, `--filter ${JSON.stringify(filter)}: write it as key=value (e.g. min_followers=1000)`);
    const key = filter.slice(0, at).trim();
    if (key === 'format') throw new CliError(EXIT.usage, 'give the format with --format, not --filter');
    query[key] = filter.slice(at + 1);
  }
  return query;
}
