import type { Hono } from 'hono';
import type { AppDeps } from '../http/context.js';
import { activityView, lineView, logStreamHandler } from '../http/routes/log-stream.js';
import { activityBacklog, latestActivityId } from '../observability/activity-since.js';
import { resolveAccount } from '../observability/activity-query.js';
import { LOG_LEVELS, type LogLevelName } from '../observability/log-tail.js';
import type { ConsoleEnv } from './env.js';
import { Layout } from './layout.js';

const SHOWN = 200;

/**
 * Logs: the live tail. Without JavaScript the page lists the latest lines (reload for more); with it, an
 * EventSource on /ui/logs/stream (the same handler as GET /api/logs/stream, opened with the session cookie) appends
 * each new line as it is logged, resuming after the last line the page was rendered with.
 */
export function logsPages(app: Hono<ConsoleEnv>, deps: AppDeps) {
  app.get('/ui/logs/stream', logStreamHandler(deps));

  app.get('/ui/logs', async (c) => {
    const task = /^\d{1,15}$/.test(c.req.query('task') ?? '') ? Number(c.req.query('task')) : undefined;
    const accountRef = c.req.query('account')?.trim() || undefined;
    const levelName = (Object.keys(LOG_LEVELS) as LogLevelName[]).find((l) => l === c.req.query('level'));
    const account = accountRef ? await resolveAccount(deps.db, accountRef) : undefined;
    const minLevel = levelName ? LOG_LEVELS[levelName] : undefined;
    const params = new URLSearchParams();
    if (task !== undefined) params.set('task', String(task));
    if (account) params.set('account', account.username);
    if (levelName) params.set('level', levelName);

    const upto = await latestActivityId(deps.db);
    const withActivity = minLevel === undefined || minLevel <= LOG_LEVELS.warn;
    const activity =
      withActivity && !(accountRef && !account)
        ? await activityBacklog(deps.db, { uptoId: upto, accountId: account?.id, taskId: task, limit: SHOWN })
        : [];
    const tail = deps.logTail;
    const lines =
      tail && !(accountRef && !account) ? tail.since(0, { taskId: task, account: account?.username, minLevel }, SHOWN).lines : [];
    const rows = [
      ...lines.map((l) => ({ time: l.time, level: lineView(l).level, text: formatLog(lineView(l)) })),
      ...activity
        .filter((r) => minLevel === undefined || (r.outcome === 'ok' ? LOG_LEVELS.info : LOG_LEVELS.warn) >= minLevel)
        .map((r) => ({
          time: r.created_at.toISOString(),
          level: r.outcome === 'ok' ? 'info' : 'warn',
          text: formatActivity(activityView(r)),
        })),
    ]
      .sort((a, b) => a.time.localeCompare(b.time))
      .slice(-SHOWN);
    const stream = `/ui/logs/stream?${new URLSearchParams({ ...Object.fromEntries(params), backlog: '0', last_event_id: `${tail?.lastSeq ?? 0}-${upto}` })}`;

    return c.html(
      <Layout title="Logs" csrf={c.get('session').csrf} scripts={['/ui/assets/log-tail.js']}>
        <form method="get" action="/ui/logs" aria-label="Filter logs">
          <label>
            Task id
            <input name="task" inputmode="numeric" value={task?.toString() ?? ''} />
          </label>
          <label>
            Account
            <input name="account" value={accountRef ?? ''} />
          </label>
          <label>
            Lowest level
            <select name="level">
              <option value="">any</option>
              {Object.keys(LOG_LEVELS).map((l) => (
                <option value={l} selected={l === levelName}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Apply</button>
        </form>
        {accountRef && !account && (
          <p class="error" role="alert">
            No account {accountRef}: give its id or username.
          </p>
        )}
        <p class="muted">
          Tail:{' '}
          <span id="tail-status" role="status">
            {tail ? 'the latest lines; live with JavaScript' : 'activity only (this process keeps no log ring)'}
          </span>
          . The same stream for a terminal:{' '}
          <code>
            curl -N -H "Authorization: Bearer $KEY" '{new URL(c.req.url).origin}/api/logs/stream?{params.toString()}'
          </code>
        </p>
        <ol id="tail" class="tail" data-stream={stream} data-max="1000" aria-label="Log lines, oldest first" tabindex={0}>
          {rows.map((r) => (
            <li class={`lvl-${r.level}`}>{r.text}</li>
          ))}
        </ol>
      </Layout>,
    );
  });
}

/** The same text the browser script writes for a live line (client-scripts.ts, LOG_TAIL_JS). */
function formatLog(d: ReturnType<typeof lineView>): string {
  const parts = [d.time.slice(11, 23), d.level.toUpperCase()];
  if (d.component) parts.push(`[${d.component}]`);
  if (d.task_id) parts.push(`task #${d.task_id}`);
  if (d.account) parts.push(`@${d.account}`);
  parts.push(d.msg);
  const rest = Object.fromEntries(
    Object.entries(d.fields).filter(([k]) => !['time', 'level', 'msg', 'pid', 'hostname', 'component', 'taskId', 'account'].includes(k)),
  );
  if (Object.keys(rest).length > 0) parts.push(JSON.stringify(rest));
  return parts.join(' ');
}

function formatActivity(d: ReturnType<typeof activityView>): string {
  const parts = [d.time.slice(11, 23), d.level.toUpperCase(), '[activity]', `${d.kind} ${d.action} → ${d.outcome}`];
  if (d.account) parts.push(`@${d.account.username}`);
  if (d.task_id) parts.push(`task #${d.task_id}`);
  if (d.http_status) parts.push(`HTTP ${d.http_status}`);
  if (d.duration_ms !== null) parts.push(`${d.duration_ms} ms`);
  if (d.error) parts.push(d.error);
  return parts.join(' ');
}
