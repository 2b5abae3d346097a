import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root (where package.json, migrations/ and sql/ live), found by walking up from this file, so the same
 * code works from src/ under tsx and from dist/src/ under node.
 */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'migrations'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the ig-scout project root (package.json with migrations/)');
    dir = parent;
  }
}

export const migrationsDir = () => path.join(projectRoot(), 'migrations');
export const sqlDir = () => path.join(projectRoot(), 'sql');
