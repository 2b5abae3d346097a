import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { activityAfter, activityBacklog, latestActivityId } from '../../observability/activity-since.js';
import { resolveAccount, type ActivityRow } from '../../observability/activity-query.js';
import { LOG_LEVELS, matches, type TailFilter, type TailLine } from '../../observability/log-tail.js';
import type { AppDeps } from '../context.js';
import { ApiError, describeIssues, ErrorSchema } from '../errors.js';
import { positiveInt, queryInt } from '../schemas.js';
import { createRouter, errors, json, security } from './route-kit.js';
import { logEntryView } from '../views-observability.js';

/**
 * GET /api/logs/stream: the daemon's own log lines and its activity events (Instagram calls, logins, status changes,
 * checks) as Server-Sent Events, live. `curl -N -H "Authorization: Bearer $KEY" …/api/logs/stream?task=42` is the
 * `docker compose logs -f | grep` of before, without Docker and without matching task 420. The console's Logs page
 * reads the same handler at /ui/logs/stream with its session cookie.
 *
 * Every event's id is `<log seq>-<activity id>`: both cursors at that point. A reconnecting EventSource sends it back
 * as Last-Event-ID (curl: `-H 'Last-Event-ID: 120-5531'` or `?last_event_id=`), and the stream resumes after both:
 * log lines still in the ring (a `gap` event counts those it no longer holds) and activity rows from the database.
 */
export const LogStreamQuery = z.object({
  task: positiveInt('task').optional().openapi({ description: 'only lines and events of this task id' }),
  account: z.string().trim().min(1).max(64).optional().openapi({ description: 'only lines and events of this account (id or username)' }),
  level: z
    .enum(Object.keys(LOG_LEVELS) as [keyof typeof LOG_LEVELS, ...(keyof typeof LOG_LEVELS)[]])
    .optional()
    .openapi({
      description: 'lowest level shown; activity events count as info (ok) or warn (anything else)',
    }),
  backlog: queryInt({ min: 0, max: 1000, default: 100 }, 'recent lines (and activity events) sent first, when not resuming'),
  activity: z.enum(['true', 'false']).default('true').openapi({ description: 'include activity events' }),
  last_event_id: z.string().max(64).optional().openapi({ description: 'resume after this event id (same as the Last-Event-ID header)' }),
});

export interface LogStreamSettings {
  /** How often the stream looks for new activity rows (LOG_STREAM_POLL_MS). */
  pollMs: number;
  /** A comment line this often keeps proxies from closing a quiet stream (LOG_STREAM_HEARTBEAT_MS). */
  heartbeatMs: number;
}

type Event = { event: 'log' | 'activity' | 'gap'; data: unknown; logSeq?: number; activityId?: number };

/** The SSE handler, shared by the bearer route and the console's cookie route. */
export function logStreamHandler(deps: AppDeps) {
  const settings: LogStreamSettings = { pollMs: 500, heartbeatMs: 15_000, ...deps.logStream };
  return async (c: Context) => {
    const parsed = LogStreamQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const { message, details } = describeIssues(parsed.error.issues, 'query');
      throw new ApiError(400, message, details);
    }
    const query = parsed.data;
    const resumeFrom = parseEventId(c.req.header('last-event-id') ?? query.last_event_id);
    let accountId: number | undefined;
    let accountName: string | undefined;
    if (query.account !== undefined) {
      const account = await resolveAccount(deps.db, query.account);
      if (!account) throw new ApiError(404, `account ${JSON.stringify(query.account)} does not exist (give its id or username)`);
      accountId = account.id;
      accountName = account.username;
    }
    const minLevel = query.level === undefined ? undefined : LOG_LEVELS[query.level];
    const filter: TailFilter = { taskId: query.task, account: accountName, minLevel };
    const withActivity = query.activity === 'true' && (minLevel === undefined || minLevel <= LOG_LEVELS.warn);
    const tail = deps.logTail;

    // Where this stream starts: after the resumed cursors, or now with a backlog. The activity backlog is read
    // first; then, with no await in between, the ring's lines are taken and the subscription opened, so no line
    // falls between the backlog and the live part. The cursors start just before the first event sent, so every
    // event's id resumes right after it (a reader cut off half-way through the backlog gets the rest).
    let activityId = resumeFrom?.activityId ?? (withActivity ? await latestActivityId(deps.db) : 0);
    const pending: Event[] = [];
    if (withActivity && !resumeFrom) {
      const rows = (await activityBacklog(deps.db, { uptoId: activityId, accountId, taskId: query.task, limit: query.backlog })).filter(
        (row) => activityLevel(row) >= (minLevel ?? 0),
      );
      if (rows.length > 0) activityId = rows[0]!.id - 1;
      for (const row of rows) pending.push({ event: 'activity', data: activityView(row), activityId: row.id });
    }
    let logSeq = tail?.lastSeq ?? 0;
    if (tail) {
      const { lines, missed } = tail.since(resumeFrom ? resumeFrom.logSeq : 0, filter, resumeFrom ? undefined : query.backlog);
      if (resumeFrom && missed > 0) pending.unshift({ event: 'gap', data: { missed_log_lines: missed } });
      if (lines.length > 0) logSeq = lines[0]!.seq - 1;
      for (const line of lines) pending.push({ event: 'log', data: lineView(line), logSeq: line.seq });
    }
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const unsubscribe = tail?.subscribe((line) => {
      if (!matches(line, filter)) return;
      pending.push({ event: 'log', data: lineView(line), logSeq: line.seq });
      notify();
    });

    c.header('cache-control', 'no-cache, no-transform');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        notify();
      });
      let lastPoll = 0;
      let lastWrite = Date.now();
      try {
        await stream.write(': ig-scout log stream\n\n');
        while (!closed && !stream.aborted && deps.isReady()) {
          while (pending.length > 0 && !closed) {
            const event = pending.shift()!;
            if (event.logSeq !== undefined) logSeq = Math.max(logSeq, event.logSeq);
            if (event.activityId !== undefined) activityId = Math.max(activityId, event.activityId);
            await write(stream, event, `${logSeq}-${activityId}`);
            lastWrite = Date.now();
          }
          if (withActivity && Date.now() - lastPoll >= settings.pollMs) {
            lastPoll = Date.now();
            // A database outage must not end a tail that is still useful (log lines keep coming): the next poll
            // tries again from the same cursor, so no activity row is skipped.
            const rows = await activityAfter(deps.db, { afterId: activityId, accountId, taskId: query.task, limit: 500 }).catch(() => []);
            for (const row of rows) {
              if (activityLevel(row) >= (minLevel ?? 0)) pending.push({ event: 'activity', data: activityView(row), activityId: row.id });
              else activityId = Math.max(activityId, row.id);
            }
            if (pending.length > 0) continue;
          }
          if (Date.now() - lastWrite >= settings.heartbeatMs) {
            await stream.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
          // Sleep until a log line arrives, the next activity poll, or the next heartbeat; a stopping daemon
          // (isReady false) ends the stream at the next wake, so it does not hold the shutdown.
          const waitMs = Math.min(withActivity ? settings.pollMs : settings.heartbeatMs, settings.heartbeatMs, 1_000);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } finally {
        unsubscribe?.();
      }
    });
  };
}

async function write(stream: SSEStreamingApi, event: Event, id: string) {
  await stream.writeSSE({ event: event.event, id, data: JSON.stringify(event.data) });
}

function parseEventId(value: string | undefined): { logSeq: number; activityId: number } | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d{1,15})-(\d{1,15})$/.exec(value.trim());
  if (!match) throw new ApiError(400, `Last-Event-ID ${JSON.stringify(value)} is not an id this stream gave out (<log seq>-<activity id>)`);
  return { logSeq: Number(match[1]), activityId: Number(match[2]) };
}

const LEVEL_NAMES = Object.fromEntries(Object.entries(LOG_LEVELS).map(([name, n]) => [n, name])) as Record<number, string>;

export function lineView(line: TailLine) {
  return {
    seq: line.seq,
    time: line.time,
    level: LEVEL_NAMES[line.level] ?? String(line.level),
    msg: line.msg,
    task_id: line.taskId,
    account: line.account,
    component: line.component,
    fields: line.fields,
  };
}

const activityLevel = (row: ActivityRow) => (row.outcome === 'ok' ? LOG_LEVELS.info : LOG_LEVELS.warn);

/** A log row as GET /api/logs shows it (logEntryView), with the tail's `time` and `level` in place of created_at. */
export function activityView(row: ActivityRow) {
  const { id, created_at, ...entry } = logEntryView(row);
  return { id, time: created_at, level: row.outcome === 'ok' ? 'info' : 'warn', ...entry };
}

const LogStreamHeaders = z.object({
  'last-event-id': z.string().max(64).optional().openapi({
    description: 'resume after this event id (`<log seq>-<activity id>`); an EventSource sends it on reconnect',
    example: '120-5531',
  }),
});

const stream = createRoute({
  method: 'get',
  path: '/api/logs/stream',
  tags: ['logs'],
  security,
  summary: "Live tail of the daemon's log lines and activity events (Server-Sent Events; the answer never ends)",
  description:
    'Events `log`, `activity` and `gap` (log lines no longer in memory when resuming), each with an id `<log seq>-<activity id>`; ' +
    'comment lines keep a quiet stream open. Read it with EventSource or `curl -N`.',
  request: { query: LogStreamQuery, headers: LogStreamHeaders },
  responses: {
    200: {
      content: {
        'text/event-stream': {
          schema: z.string().openapi({ example: 'event: log\nid: 120-5531\ndata: {"seq":120,"level":"info","msg":"…"}\n\n' }),
        },
      },
      description: 'The stream: text/event-stream, open until the client leaves or the daemon stops',
    },
    404: json(ErrorSchema, 'No such account'),
    ...errors,
  },
});

/**
 * GET /api/logs/stream behind the bearer key (the /api/* middleware of app.ts), in /openapi.json like every route;
 * test/fuzz/api.test.ts reads only the status and headers of its text/event-stream answers, since a valid one never ends.
 */
export function logStreamRoutes(deps: AppDeps) {
  const app = createRouter();
  const handler = logStreamHandler(deps);
  app.openapi(stream, (c) => handler(c));
  return app;
}
