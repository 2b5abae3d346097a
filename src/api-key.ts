import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { readOrCreateSecret } from './util/secret-file.js';

export class ApiKeyError extends Error {
  override name = 'ApiKeyError';
}

/**
 * The API is never open. SCRAPER_API_KEY wins; without it, a deployment with its own DATABASE_URL refuses to start,
 * and the zero-setup default generates a key once and keeps it in DATA_DIR/api-key.
 */
export async function resolveApiKey(config: Config): Promise<{ key: string; generatedFile?: string }> {
  if (config.SCRAPER_API_KEY) return { key: config.SCRAPER_API_KEY };
  if (config.DATABASE_URL) {
    throw new ApiKeyError(
      'SCRAPER_API_KEY is required when DATABASE_URL is set (at least 24 characters; generate one with: openssl rand -hex 32)',
    );
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const file = path.resolve(config.DATA_DIR, 'api-key');
  return { key: await readOrCreateSecret(file, () => randomBytes(32).toString('hex')), generatedFile: file };
}
