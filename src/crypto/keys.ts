import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { readOrCreateSecret } from '../util/secret-file.js';
import { SecretBox } from './secret-box.js';

export class EncryptionKeyError extends Error {
  override name = 'EncryptionKeyError';
}

/**
 * The key that seals passwords, sessions and proxy credentials at rest. ENCRYPTION_KEY wins. With a DATABASE_URL
 * of its own and no key the daemon refuses to start: a key generated inside an ephemeral container would vanish
 * with it and leave every stored secret unreadable. The zero-setup default keeps its key next to its database in
 * DATA_DIR/encryption-key, generated once.
 */
export async function resolveEncryptionKey(
  config: Pick<Config, 'ENCRYPTION_KEY' | 'DATABASE_URL' | 'DATA_DIR'>,
): Promise<{ box: SecretBox; generatedFile?: string }> {
  if (config.ENCRYPTION_KEY) return { box: boxFrom(config.ENCRYPTION_KEY, 'ENCRYPTION_KEY') };
  if (config.DATABASE_URL) {
    throw new EncryptionKeyError(
      'ENCRYPTION_KEY is required when DATABASE_URL is set (32 bytes as 64 hex characters; generate one with: openssl rand -hex 32). ' +
        'Keep it safe: without it the stored passwords and sessions cannot be read.',
    );
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const file = path.resolve(config.DATA_DIR, 'encryption-key');
  const key = await readOrCreateSecret(file, SecretBox.generateKey);
  return { box: boxFrom(key, file), generatedFile: file };
}

function boxFrom(key: string, source: string): SecretBox {
  try {
    return SecretBox.fromString(key);
  } catch (error) {
    throw new EncryptionKeyError(`${source}: ${(error as Error).message}`);
  }
}
