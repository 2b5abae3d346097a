import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveEncryptionKey } from '../../src/crypto/keys.js';
import { SecretBox } from '../../src/crypto/secret-box.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'igscout-keys-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('resolveEncryptionKey', () => {
  it('uses ENCRYPTION_KEY (hex or base64) and writes no file', async () => {
    const dir = await tempDir();
    const hex = SecretBox.generateKey();
    const fromHex = await resolveEncryptionKey({ ENCRYPTION_KEY: hex, DATABASE_URL: 'postgres://x/y', DATA_DIR: dir });
    expect(fromHex.generatedFile).toBeUndefined();
    const sealed = fromHex.box.encrypt('secret');
    const base64 = Buffer.from(hex, 'hex').toString('base64');
    const fromBase64 = await resolveEncryptionKey({ ENCRYPTION_KEY: base64, DATABASE_URL: undefined, DATA_DIR: dir });
    expect(fromBase64.box.decrypt(sealed)).toBe('secret');
    await expect(stat(path.join(dir, 'encryption-key'))).rejects.toThrow();
  });

  it('refuses a key that is not 32 bytes, naming the variable', async () => {
    await expect(resolveEncryptionKey({ ENCRYPTION_KEY: 'abcd', DATABASE_URL: undefined, DATA_DIR: await tempDir() })).rejects.toThrow(
      /ENCRYPTION_KEY: .*32 bytes/,
    );
  });

  it('refuses to generate a key when DATABASE_URL is set', async () => {
    const dir = await tempDir();
    await expect(resolveEncryptionKey({ ENCRYPTION_KEY: undefined, DATABASE_URL: 'postgres://x/y', DATA_DIR: dir })).rejects.toThrow(
      /ENCRYPTION_KEY is required when DATABASE_URL is set/,
    );
    await expect(stat(path.join(dir, 'encryption-key'))).rejects.toThrow();
  });

  it('zero-setup: generates the key once into DATA_DIR (mode 600) and reuses it', async () => {
    const dir = path.join(await tempDir(), 'nested');
    const first = await resolveEncryptionKey({ ENCRYPTION_KEY: undefined, DATABASE_URL: undefined, DATA_DIR: dir });
    expect(first.generatedFile).toBe(path.resolve(dir, 'encryption-key'));
    expect((await stat(first.generatedFile!)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.generatedFile!, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const sealed = first.box.encrypt('kept across restarts');
    const second = await resolveEncryptionKey({ ENCRYPTION_KEY: undefined, DATABASE_URL: undefined, DATA_DIR: dir });
    expect(second.box.decrypt(sealed)).toBe('kept across restarts');
  });

  it('reports a damaged key file by its path', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'encryption-key'), 'not-a-key\n');
    await expect(resolveEncryptionKey({ ENCRYPTION_KEY: undefined, DATABASE_URL: undefined, DATA_DIR: dir })).rejects.toThrow(
      /encryption-key: /,
    );
  });
});
