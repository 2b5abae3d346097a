import type { Hono } from 'hono';
import type { AppDeps } from '../http/context.js';
import { lineView } from '../http/routes/log-stream.js';
import { accountHealth } from '../observability/account-health.js';
import { LOG_LEVELS } from '../observability/log-tail.js';
import { openBatches, queueDepth, throughputLastHour } from '../observability/overview.js';
import { requestOutcomes } from '../observability/stats.js';
import type { ConsoleEnv } from './env.js';
import { Layout } from './layout.js';

const ALERTS_SHOWN = 20;

/**
 * Overview: what an operator checks first. Queue depth by type, tasks finished in the last hour, Instagram requests
 * in the last hour, usable accounts, open AI batches, and alerts: conditions read from the database now, and the
 * alerts this process raised recently (from the log ring: the alerter logs every alert it sends).
 */
export function overviewPages(app: Hono<ConsoleEnv>, deps: AppDeps) {
  app.get('/ui/overview', async (c) => {
    const [depth, throughput, accounts, batches, requests] = await Promise.all([
      queueDepth(deps.db),
      throughputLastHour(deps.db),
      accountHealth(deps.db, 5, deps.directConnections),
      openBatches(deps.db),
      requestOutcomes(deps.db),
    ]);
    const raised = deps.logTail
      ? deps.logTail
          .since(0, { minLevel: LOG_LEVELS.warn })
          .lines.filter((l) => typeof l.fields.alert === 'string')
          .slice(-ALERTS_SHOWN)
          .reverse()
      : [];
    const conditions: string[] = [];
    if (accounts.total === 0)
      conditions.push('No Instagram account is configured: Instagram tasks wait. Import accounts on the Accounts page.');
    else if (accounts.usable === 0)
      conditions.push(
        `No Instagram account is usable now (${Object.entries(accounts.unusable)
          .map(([why, n]) => `${n} ${why.replaceAll('_', ' ')}`)
          .join(', ')}).`,
      );
    const failed = throughput.reduce((n, t) => n + t.failed, 0);
    if (failed > 0) conditions.push(`${failed} task${failed === 1 ? '' : 's'} failed in the last hour (see Tasks, status failed).`);
    const limited = (requests.last_hour.by_outcome.rate_limited ?? 0) + (requests.last_hour.by_outcome.challenge ?? 0);
    if (limited > 0)
      conditions.push(`${limited} Instagram request${limited === 1 ? ' was' : 's were'} rate-limited or challenged in the last hour.`);
    const totals = depth.reduce((t, d) => ({ due: t.due + d.due, running: t.running + d.running }), { due: 0, running: 0 });
    const doneHour = throughput.reduce((n, t) => n + t.done, 0);

    return c.html(
      <Layout title="Overview" csrf={c.get('session').csrf} refreshMs={deps.consoleRefreshMs ?? 2000}>
        <div id="overview" data-live>
          <section class="cards" aria-label="Key figures">
            <div class="card">
              <h2>Tasks due now</h2>
              <div class="big">{totals.due.toLocaleString('en')}</div>
              <div class="muted">{totals.running} running</div>
            </div>
            <div class="card">
              <h2>Done in the last hour</h2>
              <div class="big">{doneHour.toLocaleString('en')}</div>
              <div class="muted">{failed} failed</div>
            </div>
            <div class="card">
              <h2>Usable accounts</h2>
              <div class="big">
                {accounts.usable} / {accounts.total}
              </div>
              <div class="muted">{accounts.usable_usernames.join(', ')}</div>
            </div>
            <div class="card">
              <h2>Open AI batches</h2>
              <div class="big">{batches}</div>
            </div>
            <div class="card">
              <h2>Instagram requests, last hour</h2>
              <div class="big">{requests.last_hour.total.toLocaleString('en')}</div>
              <div class="muted">
                {Object.entries(requests.last_hour.by_outcome)
                  .map(([o, n]) => `${o} ${n}`)
                  .join(', ')}
              </div>
            </div>
          </section>

          <h2>Alerts</h2>
          {conditions.length === 0 && raised.length === 0 ? (
            <p class="ok">Nothing needs attention.</p>
          ) : (
            <ul>
              {conditions.map((text) => (
                <li class="error">{text}</li>
              ))}
              {raised.map((l) => {
                const v = lineView(l);
                return (
                  <li>
                    {v.time.slice(0, 19).replace('T', ' ')} {String(l.fields.severity ?? v.level)} {String(l.fields.alert)}: {v.msg}
                  </li>
                );
              })}
            </ul>
          )}

          <h2>Queue depth by type</h2>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Due now</th>
                  <th scope="col">Pending (all)</th>
                  <th scope="col">Running</th>
                  <th scope="col">Waiting on a batch</th>
                </tr>
              </thead>
              <tbody>
                {depth.length === 0 && (
                  <tr>
                    <td colspan={5} class="muted">
                      The queue is empty.
                    </td>
                  </tr>
                )}
                {depth.map((d) => (
                  <tr>
                    <th scope="row">
                      <a href={`/ui/tasks?type=${encodeURIComponent(d.task_type)}`}>{d.task_type}</a>
                    </th>
                    <td>{d.due}</td>
                    <td>{d.pending}</td>
                    <td>{d.running}</td>
                    <td>{d.waiting_batch}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h2>Throughput, last hour</h2>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Done</th>
                  <th scope="col">Failed</th>
                </tr>
              </thead>
              <tbody>
                {throughput.length === 0 && (
                  <tr>
                    <td colspan={3} class="muted">
                      No task ended in the last hour.
                    </td>
                  </tr>
                )}
                {throughput.map((t) => (
                  <tr>
                    <th scope="row">{t.task_type}</th>
                    <td>{t.done}</td>
                    <td>{t.failed}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </Layout>,
    );
  });
}
