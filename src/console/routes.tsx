import { randomBytes } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../http/context.js';
import { blogFilterOf, BlogListQuery } from '../http/schemas-blogs.js';
import type { ScrapeStatus } from '../db/schema.js';
import { listBlogs } from '../results/blog-list.js';
import { CsrfField, Layout } from './layout.js';
import { accountsPages } from './accounts-page.js';
import { assetRoutes } from './assets.js';
import type { ConsoleEnv } from './env.js';
import { creatorPages } from './creator-page.js';
import { creatorsActions } from './creators-actions.js';
import { logsPages } from './logs-page.js';
import { overviewPages } from './overview-page.js';
import { tasksPages } from './tasks-page.js';
import { sameSecret, SessionStore } from './session.js';

const SESSION_COOKIE = 'igs_session';
/** Sign-in happens before a session exists, so its form's token is a double-submit cookie of its own. */
const SIGNIN_COOKIE = 'igs_signin';

type Env = ConsoleEnv;

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

  assetRoutes(app);
  logsPages(app, deps);
  creatorPages(app, deps);
  creatorsActions(app, deps);
  tasksPages(app, deps);
  accountsPages(app, deps);
  overviewPages(app, deps);

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
    const session = c.get('session');
    const flash = session.flash;
    session.flash = undefined;
    return c.html(
      <Layout title="Creators" csrf={session.csrf}>
        {!parsed.success && (
          <p class="error" role="alert">
            Some filters were not valid and were ignored: {parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}
          </p>
        )}
        <form method="get" action="/ui" aria-label="Filter creators">
          <label>
            Search
            <input name="q" value={q.q ?? ''} />
          </label>
          <label>
            Category
            <input name="category" value={q.category ?? ''} />
          </label>
          <label>
            Min followers
            <input name="min_followers" inputmode="numeric" value={q.min_followers?.toString() ?? ''} />
          </label>
          <label>
            Max followers
            <input name="max_followers" inputmode="numeric" value={q.max_followers?.toString() ?? ''} />
          </label>
          <label>
            Min ER %<input name="min_er" inputmode="decimal" value={q.min_er?.toString() ?? ''} />
          </label>
          <label>
            Min credibility (0–1)
            <input name="min_credibility" inputmode="decimal" value={q.min_credibility?.toString() ?? ''} />
          </label>
          <label>
            Worked with brand
            <input name="brand" value={q.brand ?? ''} />
          </label>
          <label>
            Status
            <select name="scrape_status">
              <option value="">any</option>
              {SCRAPE_STATUSES.map((s) => (
                <option value={s} selected={q.scrape_status === s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Source
            <input name="source" value={q.source ?? ''} />
          </label>
          <label>
            Sort
            <select name="sort">
              {(['followers', 'er', 'scraped_at'] as const).map((s) => (
                <option value={s} selected={q.sort === s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Order
            <select name="order">
              {(['desc', 'asc'] as const).map((o) => (
                <option value={o} selected={q.order === o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Apply</button>
        </form>
        {flash && (
          <p role="status" class={flash.ok ? 'ok' : 'error'}>
            {flash.text}
          </p>
        )}
        <form method="post" action="/ui/creators/selected" aria-label="Act on the ticked creators">
          <CsrfField token={session.csrf} />
          <div class="scroll">
            <table>
              <caption class="muted">{page.items.length} creators on this page; tick rows to scrape them again or export them</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span class="visually-hidden">Select</span>
                  </th>
                  <th scope="col">Creator</th>
                  <th scope="col">Followers</th>
                  <th scope="col">ER %</th>
                  <th scope="col">Trend</th>
                  <th scope="col">Posts/week</th>
                  <th scope="col">Credibility</th>
                  <th scope="col">Categories</th>
                  <th scope="col">AI confidence</th>
                  <th scope="col">Source</th>
                  <th scope="col">Last scraped</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((b) => (
                  <tr>
                    <td>
                      <input type="checkbox" name="username" value={b.username} aria-label={`select ${b.username}`} />
                    </td>
                    <td>
                      {b.avatar_url && <img src={b.avatar_url} alt="" width="32" height="32" loading="lazy" />}{' '}
                      <a href={`/ui/creators/${encodeURIComponent(b.username)}`}>{b.username}</a>
                    </td>
                    <td>{b.follower_count?.toLocaleString('en') ?? '—'}</td>
                    <td>{b.er?.toFixed(2) ?? '—'}</td>
                    <td>{trendArrow(b.er_trend)}</td>
                    <td>{b.posts_per_week?.toFixed(1) ?? '—'}</td>
                    <td>
                      {b.credibility === null
                        ? '—'
                        : `${(b.credibility * 100).toFixed(0)} % [${((b.credibility_low ?? 0) * 100).toFixed(0)}–${((b.credibility_high ?? 1) * 100).toFixed(0)}]`}
                    </td>
                    <td>{b.categories.join(', ')}</td>
                    <td>{b.ai_confidence?.toFixed(2) ?? '—'}</td>
                    <td>{b.source}</td>
                    <td>{b.scraped_at ? b.scraped_at.toISOString().slice(0, 16).replace('T', ' ') : 'never'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <button type="submit" name="action" value="scrape">
              Scrape selected again
            </button>{' '}
            <button type="submit" name="action" value="export">
              Export selected (CSV)
            </button>
          </p>
        </form>
        {page.hasMore && (
          <p>
            <a href={`/ui?${next}`}>Next page</a>
          </p>
        )}
      </Layout>,
    );
  });

  return app;
}

function signInPage(
  c: Context,
  cookieBase: { httpOnly: true; sameSite: 'Strict'; path: string; secure: boolean },
  error?: string,
  status: 200 | 401 = 200,
) {
  const token = randomBytes(24).toString('base64url');
  setCookie(c, SIGNIN_COOKIE, token, { ...cookieBase, maxAge: 3600 });
  return c.html(
    <Layout title="Sign in">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action="/ui/sign-in">
        <CsrfField token={token} />
        <label>
          API key (SCRAPER_API_KEY)
          <input name="key" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Layout>,
    status,
  );
}

/** The statuses the creators filter offers (those of GET /api/blogs?scrape_status=). */
const SCRAPE_STATUSES = [
  'pending',
  'scraping',
  'analyzing',
  'active',
  'private',
  'deleted',
  'error',
] as const satisfies readonly ScrapeStatus[];

const trendArrow = (trend: string | null) => (trend === 'growing' ? '↑' : trend === 'declining' ? '↓' : trend === 'stable' ? '→' : '—');
