import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Where the daemon is and the key to it, from the environment only (a key on the command line would show in `ps`
 * and the shell's history). The CLI reads none of the daemon's configuration: it is a client of the HTTP API.
 */
export interface CliSettings {
  url: string;
  /** undefined: none found; routes that need one then answer 401 and the CLI says where it looked. */
  apiKey: string | undefined;
  /** Where the key came from, for messages. */
  keySource: string;
  /** Time limit of one API call (not of a streamed export's body, nor of a wait). */
  requestTimeoutMs: number;
  /** How often a wait or `logs -f` asks again. */
  pollMs: number;
}

export const DEFAULTS = { url: 'http://localhost:8001', requestTimeoutMs: 30_000, pollMs: 1_000, dataDir: './.data' } as const;

export async function loadSettings(env: NodeJS.ProcessEnv = process.env, urlOption?: string): Promise<CliSettings> {
  const url = parseUrl(urlOption ?? (env.IG_SCOUT_URL || DEFAULTS.url));
  const requestTimeoutMs = positiveMs(env, 'IG_SCOUT_TIMEOUT_MS', DEFAULTS.requestTimeoutMs);
  const pollMs = positiveMs(env, 'IG_SCOUT_POLL_MS', DEFAULTS.pollMs);
  for (const name of ['IG_SCOUT_API_KEY', 'SCRAPER_API_KEY'] as const) {
    const key = env[name]?.trim();
    if (key) return { url, apiKey: key, keySource: name, requestTimeoutMs, pollMs };
  }
  // The zero-setup daemon writes its generated key here (src/api-key.ts), relative to where it runs.
  const file = path.resolve(env.DATA_DIR || DEFAULTS.dataDir, 'api-key');
  const key = await readFile(file, 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
  return { url, apiKey: key, keySource: key ? file : `IG_SCOUT_API_KEY, SCRAPER_API_KEY or ${file}`, requestTimeoutMs, pollMs };
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(EXIT.usage, `IG_SCOUT_URL: ${JSON.stringify(value)} is not a URL (e.g. http://localhost:8001)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(EXIT.usage, `IG_SCOUT_URL: ${JSON.stringify(value)} must be an http:// or https:// URL`);
  }
  return url.href.replace(/\/+$/, '');
}

function positiveMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 86_400_000) {
    throw new CliError(EXIT.usage, `${name}: ${JSON.stringify(raw)} must be a whole number of milliseconds from 1 to 86400000`);
  }
  return value;
}
