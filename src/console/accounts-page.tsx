import type { Context, Hono } from 'hono';
import { importAccounts, importProxies, type ImportResult } from '../accounts/import.js';
import { listProxies } from '../accounts/proxy-repository.js';
import { accountSecretsForScrubbing, listAccounts, updateAccount } from '../accounts/repository.js';
import { AccountStoreError } from '../accounts/store-errors.js';
import type { AppDeps } from '../http/context.js';
import { DEFAULT_ACCOUNT_BUDGET } from '../http/routes/stats.js';
import { operationView } from '../http/views-accounts.js';
import { accountStats } from '../observability/stats.js';
import type { ConsoleEnv } from './env.js';
import { CsrfField, Layout } from './layout.js';

const SHOWN = 1000;

/**
 * Accounts and proxies: each account's status, cooldown (counting down live), budget used / left as a bar, success
 * rate, last error and proxy; actions log in now, check, activate, disable; and the import of account and proxy
 * lists. The actions are the admin operations behind /api/accounts (AccountOperations, updateAccount, the
 * importers), and what they answer is shown once after the redirect (a flash kept in the session, scrubbed of
 * credentials as the API scrubs it).
 */
export function accountsPages(app: Hono<ConsoleEnv>, deps: AppDeps) {
  const budget = deps.accountBudget ?? DEFAULT_ACCOUNT_BUDGET;

  app.get('/ui/accounts', async (c) => {
    const [accounts, stats, proxies] = await Promise.all([
      listAccounts(deps.db, deps.secretBox, { limit: SHOWN, offset: 0 }),
      accountStats(deps.db, budget, deps.directConnections),
      listProxies(deps.db, deps.secretBox, { limit: SHOWN, offset: 0 }),
    ]);
    const statsById = new Map(stats.map((s) => [s.id, s]));
    const session = c.get('session');
    const flash = session.flash;
    session.flash = undefined;
    const csrf = session.csrf;
    return c.html(
      <Layout title="Accounts" csrf={csrf} refreshMs={deps.consoleRefreshMs ?? 2000}>
        {flash && (
          <p role="status" class={flash.ok ? 'ok' : 'error'}>
            {flash.text}
          </p>
        )}
        <div id="account-list" data-live class="scroll">
          <table>
            <caption class="muted">
              {accounts.items.length} Instagram accounts; budget per {Math.round(budget.windowMs / 60_000)} min window
            </caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Status</th>
                <th scope="col">Cooldown</th>
                <th scope="col">Budget used / left</th>
                <th scope="col">Success 24 h</th>
                <th scope="col">Last error</th>
                <th scope="col">Proxy</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {accounts.items.map((a) => {
                const s = statsById.get(a.id);
                const used = s ? s.budget_per_window - s.budget_left : 0;
                const cooling = a.cooldown_until && a.cooldown_until.getTime() > Date.now();
                return (
                  <tr id={`account-${a.id}`}>
                    <th scope="row">{a.username}</th>
                    <td class="status">
                      {a.status}
                      {s?.unusable_reason && s.unusable_reason !== a.status ? (
                        <div class="muted">{s.unusable_reason.replaceAll('_', ' ')}</div>
                      ) : (
                        ''
                      )}
                    </td>
                    <td>
                      {cooling ? (
                        <span data-until={a.cooldown_until!.toISOString()}>until {a.cooldown_until!.toISOString().slice(11, 19)} UTC</span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {s ? (
                        <span>
                          <span class="bar" role="img" aria-label={`${used} of ${s.budget_per_window} requests used`}>
                            <span style={`width:${Math.min(100, Math.round((100 * used) / Math.max(1, s.budget_per_window)))}%`}></span>
                          </span>{' '}
                          {used} used, {s.budget_left} left{s.in_warmup ? ' (warm-up)' : ''}
                        </span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {s?.success_rate_24h === null || s === undefined
                        ? '—'
                        : `${Math.round(s.success_rate_24h * 100)} % of ${s.requests_last_24h}`}
                    </td>
                    <td>{a.status_reason ?? '—'}</td>
                    <td>{a.proxy_label ? `${a.proxy_label} (${a.proxy_status})` : 'no proxy'}</td>
                    <td>
                      {(['login', 'check', 'activate', 'disable'] as const).map((action) => (
                        <form method="post" action={`/ui/accounts/${a.id}/${action}`} class="inline">
                          <CsrfField token={csrf} />
                          <button type="submit" aria-label={`${ACTION_LABEL[action]} ${a.username}`}>
                            {ACTION_LABEL[action]}
                          </button>
                        </form>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>

        <h2>Proxies</h2>
        <div id="proxy-list" data-live class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Proxy</th>
                <th scope="col">Status</th>
                <th scope="col">Account</th>
                <th scope="col">Success</th>
                <th scope="col">Latency</th>
                <th scope="col">Last check</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {proxies.items.map((p) => (
                <tr>
                  <th scope="row">{p.label}</th>
                  <td>
                    {p.status}
                    {p.consecutive_failures > 0 ? ` (${p.consecutive_failures} failures in a row)` : ''}
                  </td>
                  <td>{p.account_username ?? 'free'}</td>
                  <td>
                    {p.success_count + p.failure_count === 0
                      ? '—'
                      : `${Math.round((100 * p.success_count) / (p.success_count + p.failure_count))} %`}
                  </td>
                  <td>{p.latency_ms === null ? '—' : `${p.latency_ms} ms`}</td>
                  <td>{p.last_check_at ? p.last_check_at.toISOString().slice(0, 16).replace('T', ' ') : 'never'}</td>
                  <td>{p.last_error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <h2>Import</h2>
        <form method="post" action="/ui/accounts/import" aria-label="Import accounts and proxies">
          <CsrfField token={csrf} />
          <label>
            <span>
              Proxies, one a line (<code>scheme://user:pass@host:port</code>, <code>host:port:user:pass</code>, …)
            </span>
            <textarea name="proxies" rows={3} cols={60} autocomplete="off" spellcheck={false}></textarea>
          </label>
          <label>
            <span>
              Accounts, one a line (<code>username:password</code> or <code>username:password:proxy-url</code>)
            </span>
            <textarea name="accounts" rows={3} cols={60} autocomplete="off" spellcheck={false}></textarea>
          </label>
          <label class="check">
            <input type="checkbox" name="assign_proxies" value="1" checked /> give accounts without a proxy a free one
          </label>
          <button type="submit">Import</button>
        </form>
      </Layout>,
    );
  });

  const flashAndBack = (c: Context<ConsoleEnv>, ok: boolean, text: string) => {
    c.get('session').flash = { ok, text };
    return c.redirect('/ui/accounts', 303);
  };

  for (const action of ['login', 'check'] as const) {
    app.post(`/ui/accounts/:id{[0-9]+}/${action}`, async (c) => {
      const id = Number(c.req.param('id'));
      const exists = await deps.db.selectFrom('ig_accounts').select('username').where('id', '=', id).executeTakeFirst();
      if (!exists) return c.text(`account ${id} does not exist`, 404);
      const result = await deps.accountOps[action](id);
      const view = operationView(result, await accountSecretsForScrubbing(deps.db, deps.secretBox, id));
      return flashAndBack(
        c,
        view.ok,
        `${exists.username}: ${action === 'login' ? 'log in' : 'check'} ${view.ok ? 'ok' : `failed (${view.outcome})`}: ${view.message}`,
      );
    });
  }
  for (const [action, status] of [
    ['activate', 'active'],
    ['disable', 'disabled'],
  ] as const) {
    app.post(`/ui/accounts/:id{[0-9]+}/${action}`, async (c) => {
      const id = Number(c.req.param('id'));
      try {
        await updateAccount(deps.db, deps.secretBox, id, { status });
      } catch (error) {
        if (error instanceof AccountStoreError)
          return c.text(error.message, error.kind === 'not_found' ? 404 : error.kind === 'conflict' ? 409 : 400);
        throw error;
      }
      return flashAndBack(c, true, `account ${id} is ${status} now`);
    });
  }

  app.post('/ui/accounts/import', async (c) => {
    const form = await c.req.parseBody();
    const proxiesText = typeof form.proxies === 'string' ? form.proxies : '';
    const accountsText = typeof form.accounts === 'string' ? form.accounts : '';
    if (!proxiesText.trim() && !accountsText.trim()) return flashAndBack(c, false, 'Nothing to import: paste proxy or account lines.');
    const parts: string[] = [];
    let ok = true;
    if (proxiesText.trim()) {
      const result = await importProxies(deps.db, deps.secretBox, proxiesText);
      parts.push(summary('proxies', result));
      ok &&= result.errors.length === 0;
    }
    if (accountsText.trim()) {
      const result = await importAccounts(deps.db, deps.secretBox, accountsText, { assignProxies: form.assign_proxies === '1' });
      parts.push(summary('accounts', result));
      ok &&= result.errors.length === 0;
    }
    return flashAndBack(c, ok, parts.join(' '));
  });
}

const ACTION_LABEL = { login: 'Log in now', check: 'Check', activate: 'Activate', disable: 'Disable' } as const;

/** An import's outcome in one sentence; line errors name the line, never its content (it may hold a password). */
function summary(what: string, r: ImportResult): string {
  const errors =
    r.errors.length > 0
      ? ` Errors: ${r.errors
          .slice(0, 10)
          .map((e) => `line ${e.line}: ${e.message}`)
          .join('; ')}${r.errors.length > 10 ? '; …' : ''}.`
      : '';
  const assigned = r.proxies_assigned ? `, ${r.proxies_assigned} given a proxy` : '';
  const without = r.without_proxy ? `, ${r.without_proxy} still without a proxy` : '';
  return `Imported ${what}: ${r.created} new, ${r.updated} updated, ${r.skipped} unchanged${assigned}${without}.${errors}`;
}
