import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for secrets we must be able to use again (Instagram passwords and sessions, proxy
 * credentials): AES-256-GCM with a random 96-bit IV per value. Stored as `v1:<iv>:<tag>:<ciphertext>` (base64), so
 * the format can change later without guessing. A wrong key or a tampered value fails loudly, never silently.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes (AES-256)');
    this.key = key;
  }

  /** Accepts 64 hex characters or base64 of 32 bytes, as ENCRYPTION_KEY may be given. */
  static fromString(text: string): SecretBox {
    const trimmed = text.trim();
    const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
    if (key.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes: 64 hex characters or base64 (openssl rand -hex 32)');
    return new SecretBox(key);
  }

  static generateKey(): string {
    return randomBytes(32).toString('hex');
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a value sealed by SecretBox v1');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('cannot decrypt a stored secret: wrong ENCRYPTION_KEY, or the value was altered');
    }
  }
}
