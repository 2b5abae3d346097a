import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * A generated secret kept in a file readable only by its owner (the API key, the embedded Postgres password, the
 * encryption key of the zero-setup default). `wx` makes two processes starting at once agree on one value.
 */
export async function readOrCreateSecret(file: string, generate: () => string): Promise<string> {
  if (!existsSync(file)) {
    try {
      await writeFile(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const value = (await readFile(file, 'utf8')).trim();
  if (!value) throw new Error(`${file} is empty: delete it to have a new secret generated`);
  return value;
}
