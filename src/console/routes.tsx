import { randomBytes } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../http/context.js';
import { blogFilterOf, BlogListQuery } from '../http/schemas-blogs.js';
import { cancelTask, retryTask } from '../queue/manage.js';
import { listTasks } from '../queue/read.js';
import { LIVE_STATUSES } from '../queue/task.js';
import { TASK_STATUSES } from '../db/schema.js';
import { listBlogs } from '../results/blog-list.js';
import { CsrfField, Layout } from './layout.js';
import { sameSecret, SessionStore, type ConsoleSession } from './session.js';

const SESSION_COOKIE = 'igs_session';
/** Sign-in happens before a session exists, so its form's token is a double-submit cookie of its own. */
const SIGNIN_COOKIE = 'igs_signin';

type Env = { Variables: { session: ConsoleSession; sessionId: string } };

/**
 * The team's console under /ui: server-rendered pages (Hono JSX) over the same queries as the JSON API, signed in
 * with the API key turned into an expiring HttpOnly, SameSite=Strict cookie. Every POST carries the session's CSRF
 * token. The JSON API and its bearer token are untouched.
 */
export function consoleRoutes(deps: AppDeps & { consoleSessionTtlMs: number; secureCookies?: boolean }) {
  const sessions = new SessionStore(deps.consoleSessionTtlMs);
  const app = new Hono<Env>();
  const cookieBase = { httpOnly: true, sameSite: 'Strict', path: '/ui', secure: deps.secureCookies ?? false } as const;

  app.get('/ui/sign-in', (c) => signInPage(c, cookieBase));
  app.post('/ui/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const expected = getCookie(c, SIGNIN_COOKIE);
    if (!expected || typeof form._csrf !== 'string' || !sameSecret(form._csrf, expected)) {
      return c.text('the sign-in form is stale or did not come from this console (CSRF token missing or wrong); reload it', 403);
    }
    if (typeof form.key !== 'string' || !sameSecret(form.key.trim(), deps.apiKey)) {
      return signInPage(c, cookieBase, 'That is not the API key.', 401);
    }
    deleteCookie(c, SIGNIN_COOKIE, { path: '/ui' });
    const { id } = sessions.create();
    setCookie(c, SESSION_COOKIE, id, { ...cookieBase, maxAge: Math.floor(deps.consoleSessionTtlMs / 1000) });
    return c.redirect('/ui', 303);
  });

  const requireSession: MiddlewareHandler<Env> = async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = sessions.get(id);
    if (!session || !id) {
      if (c.req.method === 'GET') return c.redirect('/ui/sign-in', 303);
      return c.text('not signed in: sign in at /ui/sign-in', 401);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (typeof form._csrf !== 'string' || !sameSecret(form._csrf, session.csrf)) {
        return c.text('refused: this form did not come from your console session (CSRF token missing or wrong)', 403);
      }
    }
    c.set('session', session);
    c.set('sessionId', id);
    await next();
  };
  app.use('/ui', requireSession);
  app.use('/ui/*', async (c, next) => (c.req.path === '/ui/sign-in' ? next() : requireSession(c, next)));

  app.post('/ui/sign-out', (c) => {
    sessions.delete(c.get('sessionId'));
    deleteCookie(c, SESSION_COOKIE, { path: '/ui' });
    return c.redirect('/ui/sign-in', 303);
  });

  app.get('/ui', async (c) => {
    // An empty form field means "no filter", not an invalid value.
    const given = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
    const parsed = BlogListQuery.safeParse(given);
    const q = parsed.success ? parsed.data : BlogListQuery.parse({});
    const page = await listBlogs(deps.db, blogFilterOf(q));
    const next = new URLSearchParams(given);
    next.set('offset', String(q.offset + q.limit));
    return c.html(
      <Layout title="Creators" csrf={c.get('session').csrf}>
        {!parsed.success && <p class="error" role="alert">Some filters were not valid and were ignored: {parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}</p>}
        <form method="get" action="/ui" aria-label="Filter creators">
          <label>Search<input name="q" value={q.q ?? ''} /></label>
          <label>Category<input name="category" value={q.category ?? ''} /></label>
          <label>Min followers<input name="min_followers" inputmode="numeric" value={q.min_followers?.toString() ?? ''} /></label>
          <label>Min ER %<input name="min_er" inputmode="decimal" value={q.min_er?.toString() ?? ''} /></label>
          <label>Source<input name="source" value={q.source ?? ''} /></label>
          <label>Sort<select name="sort">{(['followers', 'er', 'scraped_at'] as const).map((s) => <option value={s} selected={q.sort === s}>{s}</option>)}</select></label>
          <label>Order<select name="order">{(['desc', 'asc'] as const).map((o) => <option value={o} selected={q.order === o}>{o}</option>)}</select></label>
          <button type="submit">Apply</button>
        </form>
        <div class="scroll">
          <table>
            <caption class="muted">{page.items.length} creators on this page</caption>
            <thead><tr><th scope="col">Creator</th><th scope="col">Followers</th><th scope="col">ER %</th><th scope="col">Trend</th><th scope="col">Posts/week</th><th scope="col">Categories</th><th scope="col">AI confidence</th><th scope="col">Source</th><th scope="col">Last scraped</th></tr></thead>
            <tbody>
              {page.items.map((b) => (
                <tr>
                  <td>{b.avatar_url && <img src={b.avatar_url} alt="" width="32" height="32" loading="lazy" />} {b.username}</td>
                  <td>{b.follower_count?.toLocaleString('en') ?? '—'}</td>
                  <td>{b.er?.toFixed(2) ?? '—'}</td>
                  <td>{trendArrow(b.er_trend)}</td>
                  <td>{b.posts_per_week?.toFixed(1) ?? '—'}</td>
                  <td>{b.categories.join(', ')}</td>
                  <td>{b.ai_confidence?.toFixed(2) ?? '—'}</td>
                  <td>{b.source}</td>
                  <td>{b.scraped_at ? b.scraped_at.toISOString().slice(0, 16).replace('T', ' ') : 'never'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {page.hasMore && <p><a href={`/ui?${next}`}>Next page</a></p>}
      </Layout>,
    );
  });

  app.get('/ui/tasks', async (c) => {
    const status = (TASK_STATUSES as readonly string[]).includes(c.req.query('status') ?? '') ? (c.req.query('status') as (typeof TASK_STATUSES)[number]) : undefined;
    const page = await listTasks(deps.db, { status, taskType: c.req.query('type') || undefined, limit: 100, offset: 0 });
    const csrf = c.get('session').csrf;
    return c.html(
      <Layout title="Tasks" csrf={csrf}>
        <form method="get" action="/ui/tasks" aria-label="Filter tasks">
          <label>Status<select name="status"><option value="">any</option>{TASK_STATUSES.map((s) => <option value={s} selected={status === s}>{s}</option>)}</select></label>
          <label>Type<input name="type" value={c.req.query('type') ?? ''} /></label>
          <button type="submit">Apply</button>
        </form>
        <div class="scroll">
          <table>
            <thead><tr><th scope="col">#</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Why / progress</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {page.items.map((t) => (
                <tr id={`task-${t.id}`}>
                  <td>{t.id}</td>
                  <td>{t.task_type}</td>
                  <td class="status">{t.status}</td>
                  <td>{t.attempts}/{t.max_attempts}</td>
                  <td>{(t.status === 'pending' && t.waiting_reason) || t.error_message || ''}</td>
                  <td>
                    {(LIVE_STATUSES as readonly string[]).includes(t.status) && (
                      <form method="post" action={`/ui/tasks/${t.id}/cancel`} class="inline"><CsrfField token={csrf} /><button type="submit">Cancel #{t.id}</button></form>
                    )}
                    {['failed', 'cancelled'].includes(t.status) && (
                      <form method="post" action={`/ui/tasks/${t.id}/retry`} class="inline"><CsrfField token={csrf} /><button type="submit">Retry #{t.id}</button></form>
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

  for (const [action, run] of [['cancel', cancelTask], ['retry', retryTask]] as const) {
    app.post(`/ui/tasks/:id{[0-9]+}/${action}`, async (c) => {
      const result = await run(deps.db, Number(c.req.param('id')));
      if (!result.ok) return c.text(result.reason === 'not_found' ? 'no such task' : result.message, result.reason === 'not_found' ? 404 : 409);
      return c.redirect(c.req.header('referer')?.includes('/ui/tasks') ? c.req.header('referer')! : '/ui/tasks', 303);
    });
  }

  return app;
}

function signInPage(c: Context, cookieBase: { httpOnly: true; sameSite: 'Strict'; path: string; secure: boolean }, error?: string, status: 200 | 401 = 200) {
  const token = randomBytes(24).toString('base64url');
  setCookie(c, SIGNIN_COOKIE, token, { ...cookieBase, maxAge: 3600 });
  return c.html(
    <Layout title="Sign in">
      {error && <p class="error" role="alert">{error}</p>}
      <form method="post" action="/ui/sign-in">
        <CsrfField token={token} />
        <label>API key (SCRAPER_API_KEY)<input name="key" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Sign in</button>
      </form>
    </Layout>,
    status,
  );
}

const trendArrow = (trend: string | null) => (trend === 'growing' ? '↑' : trend === 'declining' ? '↓' : trend === 'stable' ? '→' : '—');
