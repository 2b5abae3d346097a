import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { accountWaitReason } from '../accounts/lease.js';
import { TASK_STATUSES, type Database, type TaskStatus } from '../db/schema.js';
import type { AppDeps } from '../http/context.js';
import { DEFAULT_ACCOUNT_BUDGET } from '../http/routes/stats.js';
import { accountStats, type AccountStats } from '../observability/stats.js';
import { cancelTask, retryTask } from '../queue/manage.js';
import { countLiveTasks, getTask, listTasks } from '../queue/read.js';
import { LIVE_STATUSES, type Task } from '../queue/task.js';
import { ACCOUNT_TASK_TYPES } from '../tasks/registry.js';
import type { ConsoleEnv } from './env.js';
import { CsrfField, Layout } from './layout.js';

const SHOWN = 100;
const RETRYABLE: TaskStatus[] = ['failed', 'cancelled'];

/**
 * Tasks: the queue by status and type, refreshed live (live.js swaps the #task-list region), with a followers
 * fetch's progress bar and ETA, what a waiting task waits for, and cancel / retry of one task or of every task the
 * filter shows (CSRF-protected POSTs; without JavaScript the page works by reloading).
 */
export function tasksPages(app: Hono<ConsoleEnv>, deps: AppDeps) {
  const bulkMax = deps.consoleBulkMax ?? 1000;
  const budget = deps.accountBudget ?? DEFAULT_ACCOUNT_BUDGET;

  app.get('/ui/tasks', async (c) => {
    const filter = filterOf(c.req.query());
    const id = /^\d{1,15}$/.test(c.req.query('id') ?? '') ? Number(c.req.query('id')) : undefined;
    const items =
      id !== undefined
        ? [await getTask(deps.db, id)].filter((t): t is Task => t !== undefined)
        : (await listTasks(deps.db, { ...filter, limit: SHOWN, offset: 0 })).items;
    const needsAccounts = items.some((t) => ACCOUNT_TASK_TYPES.includes(t.task_type) && (t.status === 'pending' || t.status === 'running'));
    const [wait, accounts] = needsAccounts
      ? await Promise.all([
          accountWaitReason(deps.db, budget, deps.directConnections),
          accountStats(deps.db, budget, deps.directConnections),
        ])
      : [null, []];
    const live = await countLiveTasks(deps.db);
    const csrf = c.get('session').csrf;
    const notice = bulkNotice(c.req.query());
    const byStatus = (status: string) => {
      const q = new URLSearchParams();
      if (status) q.set('status', status);
      if (filter.taskType) q.set('type', filter.taskType);
      return `/ui/tasks${q.size ? `?${q}` : ''}`;
    };
    const hidden = (
      <>
        {filter.status && <input type="hidden" name="status" value={filter.status} />}
        {filter.taskType && <input type="hidden" name="type" value={filter.taskType} />}
      </>
    );
    return c.html(
      <Layout title="Tasks" csrf={csrf} refreshMs={deps.consoleRefreshMs ?? 2000}>
        <form method="get" action="/ui/tasks" aria-label="Filter tasks">
          <label>
            Status
            <select name="status">
              <option value="">any</option>
              {TASK_STATUSES.map((s) => (
                <option value={s} selected={filter.status === s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type
            <input name="type" value={filter.taskType ?? ''} />
          </label>
          <button type="submit">Apply</button>
        </form>
        {notice && (
          <p role="status" class="ok">
            {notice}
          </p>
        )}
        <form method="post" action="/ui/tasks/bulk" aria-label="Act on every task of this filter" class="bulk">
          <CsrfField token={csrf} />
          {hidden}
          <span class="muted">Every task of this filter (at most {bulkMax.toLocaleString('en')}): </span>
          <button type="submit" name="action" value="cancel">
            Cancel all matching
          </button>{' '}
          <button type="submit" name="action" value="retry">
            Retry all matching
          </button>
        </form>
        <nav id="task-counts" data-live aria-label="Live tasks counted by state">
          <a href={byStatus('')} aria-current={filter.status === undefined ? 'page' : undefined}>
            all
          </a>
          {TASK_STATUSES.map((st) => (
            <>
              {' · '}
              <a href={byStatus(st)} aria-current={filter.status === st ? 'page' : undefined}>
                {st}
                {st in live ? ` (${live[st as keyof typeof live].toLocaleString('en')})` : ''}
              </a>
            </>
          ))}
        </nav>
        <div id="task-list" data-live class="scroll" aria-live="polite">
          <table>
            <caption class="muted">{items.length === SHOWN ? `the newest ${SHOWN}` : `${items.length} tasks`}; refreshed live</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Progress / why</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr id={`task-${t.id}`}>
                  <td>{t.id}</td>
                  <td>
                    {t.task_type}
                    {target(t)}
                  </td>
                  <td class="status">{t.status}</td>
                  <td>
                    {t.attempts}/{t.max_attempts}
                  </td>
                  <td>
                    <Progress task={t} wait={wait} accounts={accounts} windowMs={budget.windowMs} />
                  </td>
                  <td>
                    {(LIVE_STATUSES as readonly string[]).includes(t.status) && (
                      <form method="post" action={`/ui/tasks/${t.id}/cancel`} class="inline">
                        <CsrfField token={csrf} />
                        <button type="submit">Cancel #{t.id}</button>
                      </form>
                    )}
                    {RETRYABLE.includes(t.status) && (
                      <form method="post" action={`/ui/tasks/${t.id}/retry`} class="inline">
                        <CsrfField token={csrf} />
                        <button type="submit">Retry #{t.id}</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
    );
  });

  for (const [action, run] of [
    ['cancel', cancelTask],
    ['retry', retryTask],
  ] as const) {
    app.post(`/ui/tasks/:id{[0-9]+}/${action}`, async (c) => {
      const result = await run(deps.db, Number(c.req.param('id')));
      if (!result.ok)
        return c.text(result.reason === 'not_found' ? 'no such task' : result.message, result.reason === 'not_found' ? 404 : 409);
      return c.redirect(backTo(c.req.header('referer')), 303);
    });
  }

  app.post('/ui/tasks/bulk', async (c) => {
    const form = await c.req.parseBody();
    const action = form.action;
    if (action !== 'cancel' && action !== 'retry') return c.text('action must be cancel or retry', 400);
    const filter = filterOf({ status: String(form.status ?? ''), type: String(form.type ?? '') });
    const ids = await bulkTargets(deps.db, action, filter, bulkMax);
    let done = 0;
    let skipped = 0;
    for (const id of ids) {
      const result = await (action === 'cancel' ? cancelTask : retryTask)(deps.db, id);
      if (result.ok) done++;
      else skipped++;
    }
    const back = new URLSearchParams();
    if (filter.status) back.set('status', filter.status);
    if (filter.taskType) back.set('type', filter.taskType);
    back.set('bulk', action);
    back.set('done', String(done));
    back.set('skipped', String(skipped));
    return c.redirect(`/ui/tasks?${back}`, 303);
  });
}

interface TaskListFilter {
  status?: TaskStatus;
  taskType?: string;
}

function filterOf(query: Record<string, string>): TaskListFilter {
  const status = (TASK_STATUSES as readonly string[]).includes(query.status ?? '') ? (query.status as TaskStatus) : undefined;
  const type = query.type?.trim();
  return { status, taskType: type ? type.slice(0, 64) : undefined };
}

/** The ids a bulk action applies to: the filter's tasks in the statuses the action accepts, oldest first. */
async function bulkTargets(db: Kysely<Database>, action: 'cancel' | 'retry', filter: TaskListFilter, max: number): Promise<number[]> {
  const accepted: readonly TaskStatus[] = action === 'cancel' ? LIVE_STATUSES : RETRYABLE;
  const statuses = filter.status ? accepted.filter((s) => s === filter.status) : accepted;
  if (statuses.length === 0) return [];
  let query = db.selectFrom('scrape_tasks').select('id').where('status', 'in', statuses);
  if (filter.taskType) query = query.where('task_type', '=', filter.taskType);
  return (await query.orderBy('id').limit(max).execute()).map((r) => r.id);
}

function bulkNotice(query: Record<string, string>): string | undefined {
  if (query.bulk !== 'cancel' && query.bulk !== 'retry') return undefined;
  const done = Number(query.done ?? 0) || 0;
  const skipped = Number(query.skipped ?? 0) || 0;
  return `${query.bulk === 'cancel' ? 'Cancelled' : 'Retried'} ${done} task${done === 1 ? '' : 's'}${skipped ? `; ${skipped} had changed meanwhile and were left alone` : ''}.`;
}

/** Only redirect back to a console tasks page (never to another origin a Referer might name). */
function backTo(referer: string | undefined): string {
  if (!referer) return '/ui/tasks';
  try {
    const url = new URL(referer);
    return url.pathname === '/ui/tasks' ? `${url.pathname}${url.search}` : '/ui/tasks';
  } catch {
    return '/ui/tasks';
  }
}

const target = (t: Task) => {
  const p = t.payload as Record<string, unknown> | null;
  const name = p && (typeof p.username === 'string' ? `@${p.username}` : typeof p.hashtag === 'string' ? `#${p.hashtag}` : undefined);
  const kind = p && typeof p.kind === 'string' ? ` ${p.kind}` : '';
  return name ? (
    <div class="muted">
      {name}
      {kind}
    </div>
  ) : (
    ''
  );
};

interface FollowersProgress {
  fetched: number;
  expected: number;
  pages: number;
}

function followersProgress(t: Task): FollowersProgress | undefined {
  const p = t.progress as Record<string, unknown> | null;
  if (!p || typeof p.fetched !== 'number' || typeof p.expected !== 'number') return undefined;
  return { fetched: p.fetched, expected: p.expected, pages: typeof p.pages === 'number' ? p.pages : 0 };
}

/**
 * A followers (or following) fetch: fetched / expected as a bar, and how long the rest takes. Two bounds, the
 * larger wins: the account budget (requests left in the windows of the accounts that can work now, then
 * requests per window of them all) and the pace seen so far (pages since the task started).
 */
function Progress(props: { task: Task; wait: string | null; accounts: AccountStats[]; windowMs: number }) {
  const t = props.task;
  const progress = followersProgress(t);
  const why = t.status === 'pending' ? (t.waiting_reason ?? (ACCOUNT_TASK_TYPES.includes(t.task_type) ? props.wait : null)) : null;
  return (
    <div>
      {progress && (
        <div class="followers-progress">
          <progress
            value={Math.min(progress.fetched, progress.expected)}
            max={Math.max(1, progress.expected)}
            aria-label={`task ${t.id}: ${progress.fetched} of ${progress.expected} fetched`}
          ></progress>{' '}
          <span class="fetched">
            {progress.fetched.toLocaleString('en')} / {progress.expected.toLocaleString('en')}
          </span>
          {t.status !== 'done' && <span class="eta"> · {eta(t, progress, props.accounts, props.windowMs)}</span>}
        </div>
      )}
      {why && <div class="waiting">{why}</div>}
      {t.status === 'failed' && t.error_message && <div class="error">{t.error_message}</div>}
      {t.status === 'pending' && t.error_message && !why && <div class="muted">last error: {t.error_message}</div>}
    </div>
  );
}

export function eta(t: Task, p: FollowersProgress, accounts: AccountStats[], windowMs: number): string {
  const perPage = p.pages > 0 ? Math.max(1, p.fetched / p.pages) : 25;
  const pagesLeft = Math.ceil(Math.max(0, p.expected - p.fetched) / perPage);
  if (pagesLeft === 0) return 'finishing';
  const working = accounts.filter(
    (a) => a.status === 'active' && (a.unusable_reason === null || a.unusable_reason === 'in_use' || a.unusable_reason === 'budget_spent'),
  );
  if (working.length === 0) return 'ETA unknown: no account can work now';
  const leftNow = working.reduce((sum, a) => sum + a.budget_left, 0);
  const perWindow = working.reduce((sum, a) => sum + a.budget_per_window, 0);
  const budgetMs = pagesLeft <= leftNow ? 0 : Math.ceil((pagesLeft - leftNow) / Math.max(1, perWindow)) * windowMs;
  const elapsed = t.started_at ? Date.now() - t.started_at.getTime() : 0;
  const paceMs = p.pages > 0 && elapsed > 0 ? (elapsed / p.pages) * pagesLeft : 0;
  const ms = Math.max(budgetMs, paceMs);
  return `about ${duration(ms)} left (${pagesLeft} requests; ${leftNow} left in the budget now, ${perWindow} per ${duration(windowMs)})`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}
