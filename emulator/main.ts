/**
 * `npm run sim`: the Instagram and OpenAI emulators plus the control server, standalone.
 * The first stdout line is one JSON object for scripts (proxies, openaiBaseUrl, control,
 * accounts, examples); human-readable logs follow. Options: flags or environment variables
 *
 *   --seed N            SIM_SEED            world seed (default 1)
 *   --proxies N         SIM_PROXIES         number of Instagram proxies (default 3)
 *   --proxy-port N      SIM_PROXY_PORT      first proxy port; others follow (default: OS-assigned)
 *   --openai-port N     SIM_OPENAI_PORT     (default: OS-assigned)
 *   --control-port N    SIM_CONTROL_PORT    (default: OS-assigned)
 *   --graph-port N      SIM_GRAPH_PORT      Instagram Graph API emulator (default: OS-assigned)
 *   --creators N        SIM_CREATORS        world size (default 60)
 *   --host H            SIM_HOST            (default 127.0.0.1)
 *   --quiet             SIM_QUIET=1         do not print one line per Instagram request
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createControlApp } from './control.js';
import { startInstagramEmulator } from './instagram/index.js';
import { startOpenAiEmulator } from './openai/index.js';
import { startGraphEmulator } from './graph/index.js';

function readOptions(): Record<string, string | undefined> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      proxies: { type: 'string' },
      'proxy-port': { type: 'string' },
      'openai-port': { type: 'string' },
      'control-port': { type: 'string' },
      'graph-port': { type: 'string' },
      creators: { type: 'string' },
      host: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  const env = process.env;
  return {
    seed: values.seed ?? env['SIM_SEED'],
    proxies: values.proxies ?? env['SIM_PROXIES'],
    proxyPort: values['proxy-port'] ?? env['SIM_PROXY_PORT'],
    openaiPort: values['openai-port'] ?? env['SIM_OPENAI_PORT'],
    controlPort: values['control-port'] ?? env['SIM_CONTROL_PORT'],
    graphPort: values['graph-port'] ?? env['SIM_GRAPH_PORT'],
    creators: values.creators ?? env['SIM_CREATORS'],
    host: values.host ?? env['SIM_HOST'],
    quiet: values.quiet || env['SIM_QUIET'] === '1' ? '1' : undefined,
  };
}

const num = (value: string | undefined, fallback: number): number => (value !== undefined && value !== '' ? Number(value) : fallback);

async function main(): Promise<void> {
  const opts = readOptions();
  const host = opts.host ?? '127.0.0.1';
  const seed = num(opts.seed, 1);
  const proxies = num(opts.proxies, 3);
  const firstPort = num(opts.proxyPort, 0);
  const instagram = await startInstagramEmulator({
    seed,
    host,
    proxies,
    ports: firstPort > 0 ? Array.from({ length: proxies }, (_, i) => firstPort + i) : undefined,
    world: opts.creators ? { creators: num(opts.creators, 60) } : undefined,
  });
  const openai = await startOpenAiEmulator({ seed, host, port: num(opts.openaiPort, 0) });
  // The official Graph API answers from the same world, so business discovery's figures match the private API's.
  const graph = await startGraphEmulator({ world: instagram.world, host, port: num(opts.graphPort, 0) });
  const app = createControlApp({ instagram, openai });
  const control = await new Promise<AddressInfo>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: num(opts.controlPort, 0) }, (info) => resolve(info));
    process.once('SIGINT', () => server.close());
  });
  const world = instagram.world;
  const summary = {
    proxies: instagram.proxyUrls,
    openaiBaseUrl: openai.baseUrl,
    graph: {
      baseUrl: graph.baseUrl,
      appId: graph.app.id,
      appSecret: graph.app.secret,
      igAccounts: graph.pages.flatMap((p) => (p.ig ? [p.ig.username] : [])),
    },
    control: `http://${host}:${control.port}`,
    accounts: world.accounts.map(({ username, password }) => ({ username, password })),
    examples: world.examples(),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  logHuman(
    summary,
    world.accounts.filter((a) => a.loginBehaviour !== 'ok').map((a) => `${a.username} → ${a.loginBehaviour}`),
  );
  if (!opts.quiet) {
    instagram.onRequest((e) => {
      const who = e.username ?? '-';
      process.stdout.write(
        `[ig] proxy${e.proxyId ?? '?'} ${who} ${e.method} ${e.route} → ${e.status}${e.fault ? ` (fault: ${e.fault})` : ''}\n`,
      );
    });
  }
  const shutdown = async (): Promise<void> => {
    await Promise.allSettled([instagram.close(), openai.close(), graph.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

function logHuman(
  summary: { proxies: string[]; openaiBaseUrl: string; control: string; graph: { baseUrl: string; appId: string; appSecret: string } },
  special: string[],
): void {
  const lines = [
    `Graph API emulator: GRAPH_API_BASE_URL=${summary.graph.baseUrl} GRAPH_APP_ID=${summary.graph.appId} GRAPH_APP_SECRET=${summary.graph.appSecret}`,
    `Instagram emulator: ${summary.proxies.length} proxies (${summary.proxies.join(', ')}); set ig.state.proxyUrl to one of them`,
    `OpenAI emulator: OPENAI_BASE_URL=${summary.openaiBaseUrl}`,
    `Control surface: ${summary.control} (GET ${summary.control}/instagram for state; see emulator/README.md)`,
    `Accounts with scripted login failures: ${special.join(', ') || 'none'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`sim failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
