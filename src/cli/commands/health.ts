import type { Health } from '../api-types.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/**
 * `ig-scout health`: the daemon's readiness, its tasks and accounts. Exit 0 when ok, 1 when degraded (serving, but no
 * Instagram account is usable, so scrapes wait), 4 when not ready, 3 when unreachable. The key is checked too
 * (GET /api/health needs none, but every other command does), so a 0 means the other commands will work.
 */
export async function health(ctx: CommandContext): Promise<number> {
  const { client, output } = ctx;
  const body = await client.json<Health>('GET', '/api/health', undefined, [503]);
  if (body.status !== 'not_ready') await client.get('/api/tasks', { limit: 1 }); // 401 → exit 3 naming where the key came from
  if (output.json) output.printJson(body);
  else {
    const tasks = body.tasks
      ? Object.entries(body.tasks)
          .filter(([, n]) => n > 0)
          .map(([status, n]) => `${n} ${status}`)
          .join(', ')
      : 'unknown';
    const accounts = body.accounts
      ? `${body.accounts.usable} usable of ${body.accounts.total}` +
        (Object.keys(body.accounts.unusable).length
          ? ` (${Object.entries(body.accounts.unusable)
              .map(([why, n]) => `${n} ${why}`)
              .join(', ')})`
          : '')
      : 'unknown';
    output.out(
      [
        `${client.url}: ${body.status} (version ${body.version}, up ${Math.round(body.uptime_s)} s)`,
        `database: ${body.database.ok ? `ok, ${body.database.latency_ms} ms` : `down${body.database.error ? ` — ${body.database.error}` : ''}`}`,
        `tasks: ${tasks || 'none'}`,
        `accounts: ${accounts}`,
      ].join('\n'),
    );
  }
  return body.status === 'ok' ? EXIT.ok : body.status === 'degraded' ? EXIT.failed : EXIT.daemon;
}
