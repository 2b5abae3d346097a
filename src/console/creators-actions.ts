import type { Hono } from 'hono';
import { exportResponse } from '../http/export-stream.js';
import type { AppDeps } from '../http/context.js';
import { filteredBlogs, type BlogRow } from '../results/blog-list.js';
import { BLOG_EXPORT_COLUMNS } from '../results/export-columns.js';
import { PRIORITY } from '../queue/task.js';
import { requestScrapes } from '../tasks/requests.js';
import type { ConsoleEnv } from './env.js';

/** Rows one selection may name: a page of the creators table is at most 100. */
const MAX_SELECTED = 100;
/** Instagram's username rule (as POST /api/tasks/scrape checks it). */
const USERNAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-z0-9._]{1,30}$/;

/**
 * What the creators table does with the rows a planner ticked: scrape them again (a full_scrape each, deduplicated
 * like POST /api/tasks/scrape, at the manual priority), or download them as CSV (the columns of
 * GET /api/blogs/export). A POST with the session's CSRF token, like every console action.
 */
export function creatorsActions(app: Hono<ConsoleEnv>, deps: AppDeps) {
  app.post('/ui/creators/selected', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const given = ([] as unknown[]).concat(form.username ?? []).filter((u): u is string => typeof u === 'string');
    const usernames = [...new Set(given.map((u) => u.trim().toLowerCase()))];
    if (usernames.length === 0) return c.text('tick at least one creator first', 400);
    if (usernames.length > MAX_SELECTED) return c.text(`at most ${MAX_SELECTED} creators at once`, 400);
    const bad = usernames.find((u) => !USERNAME.test(u));
    if (bad !== undefined) return c.text(`${JSON.stringify(bad.slice(0, 40))} is not an Instagram username`, 400);

    if (form.action === 'export') {
      const rows = (await filteredBlogs(deps.db, {}).where('blogs.username', 'in', usernames).orderBy('blogs.id').execute()) as BlogRow[];
      return exportResponse(
        (async function* () {
          yield* rows;
        })(),
        BLOG_EXPORT_COLUMNS,
        'csv',
        'creators',
      );
    }
    if (form.action !== 'scrape') return c.text('action must be scrape or export', 400);
    const enqueued = await requestScrapes(deps.db, {
      usernames,
      priority: PRIORITY.manualScrape,
      source: 'manual',
      maxAttempts: deps.maxAttempts,
    });
    const created = enqueued.filter((e) => e.created).length;
    c.get('session').flash = {
      ok: true,
      text: `Scrape requested for ${usernames.length} creator${usernames.length === 1 ? '' : 's'}: ${created} new task${created === 1 ? '' : 's'}, ${enqueued.length - created} already queued.`,
    };
    const back = c.req.header('referer');
    let to = '/ui';
    try {
      if (back && new URL(back).pathname === '/ui') to = `/ui${new URL(back).search}`;
    } catch {
      // a malformed Referer: back to the first page
    }
    return c.redirect(to, 303);
  });
}
